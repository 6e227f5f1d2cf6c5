package plugin

import (
	"errors"
	"fmt"
	"slices"

	pluginv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/plugin/v1"
)

// EncodeInfo returns i as the base contract's message.
func EncodeInfo(i Info) *pluginv1.PluginInfo {
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

// DecodeInfo reads the base contract's message and checks it with Check:
// a plugin of type typ speaking apiVersion (0: any version).
func DecodeInfo(pb *pluginv1.PluginInfo, typ Type, apiVersion int) (Info, error) {
	if pb == nil {
		return Info{}, errors.New("no info")
	}
	i := Info{
		Type:        Type(pb.GetType()),
		Name:        pb.GetName(),
		Version:     pb.GetVersion(),
		Description: pb.GetDescription(),
	}
	for _, v := range pb.GetApiVersions() {
		i.APIVersions = append(i.APIVersions, int(v))
	}
	return i, i.Check(typ, apiVersion)
}

// Check reports what the host would refuse in i for a plugin of type typ
// speaking apiVersion (0: any): another type, a name that is not
// lowercase letters, digits and dashes, no API versions, or not that one.
func (i Info) Check(typ Type, apiVersion int) error {
	switch {
	case i.Type != typ:
		return fmt.Errorf("type %q, want %q", i.Type, typ)
	case !ValidName(i.Name):
		return fmt.Errorf("name %q is not lowercase letters, digits and dashes", i.Name)
	case len(i.APIVersions) == 0:
		return errors.New("no API versions")
	case apiVersion != 0 && !slices.Contains(i.APIVersions, apiVersion):
		return fmt.Errorf("API versions %v, none is %d", i.APIVersions, apiVersion)
	}
	return nil
}

// ValidName reports whether s is a plugin name: 1 to 64 lowercase
// letters, digits and dashes, not starting with a dash.
func ValidName(s string) bool {
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
