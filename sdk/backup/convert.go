package backup

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/crewplan/crewplan/sdk/plugin"
	backupv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/backup/v1"
	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
)

func encodeObject(o Object) *backupv1.Object {
	pb := &backupv1.Object{Name: o.Name, Size: o.Size}
	if !o.Modified.IsZero() {
		pb.Modified = timestamppb.New(o.Modified)
	}
	return pb
}

// decodeObject converts pb and checks it is a valid object.
func decodeObject(pb *backupv1.Object) (Object, error) {
	if pb == nil {
		return Object{}, errors.New("no object")
	}
	o := Object{Name: pb.GetName(), Size: pb.GetSize()}
	if m := pb.GetModified(); m != nil {
		if err := m.CheckValid(); err != nil {
			return Object{}, fmt.Errorf("object %q: modified: %w", o.Name, err)
		}
		o.Modified = m.AsTime()
	}
	return o, validObject(o)
}

// validObject checks what the host relies on in an object a target
// describes.
func validObject(o Object) error {
	if err := ValidName(o.Name); err != nil {
		return err
	}
	if o.Size < 0 {
		return fmt.Errorf("object %q: negative size %d", o.Name, o.Size)
	}
	return nil
}

// validList checks a List answer for prefix: valid objects, each under
// prefix, sorted by name without duplicates.
func validList(objs []Object, prefix string) error {
	for i, o := range objs {
		if err := validObject(o); err != nil {
			return err
		}
		if !strings.HasPrefix(o.Name, prefix) {
			return fmt.Errorf("object %q does not start with the prefix %q", o.Name, prefix)
		}
		if i > 0 && objs[i-1].Name >= o.Name {
			return fmt.Errorf("objects not sorted by name: %q before %q", objs[i-1].Name, o.Name)
		}
	}
	return nil
}

func encodeInfo(i plugin.Info) *pluginv1.PluginInfo {
	pb := &pluginv1.PluginInfo{
		Type:        string(i.Type),
		Name:        i.Name,
		Version:     i.Version,
		Description: i.Description,
	}
	for _, v := range i.APIVersions {
		pb.ApiVersions = append(pb.ApiVersions, int32(v))
	}
	return pb
}

func decodeInfo(pb *pluginv1.PluginInfo) (plugin.Info, error) {
	if pb == nil {
		return plugin.Info{}, errors.New("no info")
	}
	i := plugin.Info{
		Type:        plugin.Type(pb.GetType()),
		Name:        pb.GetName(),
		Version:     pb.GetVersion(),
		Description: pb.GetDescription(),
	}
	for _, v := range pb.GetApiVersions() {
		i.APIVersions = append(i.APIVersions, int(v))
	}
	return i, validInfo(i)
}

// validInfo checks what the host relies on in a backup plugin's Info.
func validInfo(i plugin.Info) error {
	if i.Type != plugin.TypeBackup {
		return fmt.Errorf("type %q, want %q", i.Type, plugin.TypeBackup)
	}
	if !validPluginName(i.Name) {
		return fmt.Errorf("name %q is not lowercase letters, digits and dashes", i.Name)
	}
	if len(i.APIVersions) == 0 {
		return errors.New("no API versions")
	}
	if !slices.Contains(i.APIVersions, APIVersion) {
		return fmt.Errorf("API versions %v, none is %d", i.APIVersions, APIVersion)
	}
	return nil
}

func validPluginName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
