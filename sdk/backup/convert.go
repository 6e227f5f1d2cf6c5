package backup

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	backupv1 "github.com/crewplan/crewplan/sdk/proto/crewplan/backup/v1"
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
