package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crewplan/crewplan/sdk/plugin"
)

// APIVersion is the version of the backup-target API this SDK speaks.
const APIVersion = 1

// PluginName is the name a backup-target plugin has in go-plugin's plugin
// sets: the host dispenses it with ClientProtocol.Dispense(PluginName).
const PluginName = "backup"

// ChunkSize is the most bytes one gRPC message of a stream carries: an
// object of any size crosses in chunks, so no message limit caps it.
const ChunkSize = 1 << 20

// Target stores named byte streams for the host's backups: a directory on
// an attached disk or a mounted share, an S3-compatible bucket, ... A
// backup is a few objects under one prefix ("20261205T000000Z-office/db.zst",
// ".../manifest.json"); the host writes its manifest last, so a backup
// whose manifest is missing is one that did not finish.
//
// Every method may be called from several goroutines at once. Names are
// checked with ValidName before they reach a Target (the SDK's server
// does it for a plugin).
type Target interface {
	plugin.Plugin
	// Put stores the bytes read from r under name, replacing any object of
	// that name, and returns the stored object. It is all or nothing:
	// until Put returns nil no reader sees part of the new object (an
	// object replaced stays whole until then), and when r fails, ctx
	// ends, the space runs out or the process dies, nothing of the new
	// object remains. A Target that is full returns an error wrapping
	// ErrFull; one that cannot be reached, ErrUnavailable.
	Put(ctx context.Context, name string, r io.Reader) (Object, error)
	// Get returns a reader of the object's bytes, which the caller closes;
	// ErrNotFound when there is none.
	Get(ctx context.Context, name string) (io.ReadCloser, error)
	// Stat returns the object of name; ErrNotFound when there is none.
	Stat(ctx context.Context, name string) (Object, error)
	// List returns the objects whose names start with prefix ("" for all),
	// sorted by name.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Delete removes the object of name. Deleting a name that holds
	// nothing is not an error.
	Delete(ctx context.Context, name string) error
}

// SelfTester is a Target that can check itself: that it is reachable and
// writable (`crewplan plugins check`, `crewplan doctor`). A Target without
// it is self-tested by listing.
type SelfTester interface {
	SelfTest(ctx context.Context) error
}

// Object is one stored object.
type Object struct {
	// Name is the object's name (see ValidName).
	Name string `json:"name"`
	// Size is its length in bytes.
	Size int64 `json:"size"`
	// Modified is when it was stored, as the target knows it.
	Modified time.Time `json:"modified"`
}

// The errors of a Target's methods, which cross gRPC as status codes.
var (
	// ErrNotFound: no object has that name (codes.NotFound).
	ErrNotFound = errors.New("no such object")
	// ErrFull: the target has no room for the object
	// (codes.ResourceExhausted).
	ErrFull = errors.New("target full")
	// ErrUnavailable: the target cannot be reached now: a share not
	// mounted, a bucket's server down (codes.Unavailable).
	ErrUnavailable = errors.New("target unavailable")
	// ErrBadName: the name breaks ValidName (codes.InvalidArgument).
	ErrBadName = errors.New("bad object name")
)

// MaxNameLen is the longest object name, in bytes.
const MaxNameLen = 512

// ValidName reports what is wrong with an object name, wrapping
// ErrBadName: a name is 1 to MaxNameLen bytes of segments separated by
// single slashes, each segment of ASCII letters, digits, '.', '-' and '_',
// not "." or "..", and not starting with '.' (so a target may keep its
// temporary files as dot-files). A prefix given to List is a name, a name
// followed by a slash, or "".
func ValidName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrBadName)
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrBadName, len(name), MaxNameLen)
	}
	for seg := range strings.SplitSeq(name, "/") {
		if err := validSegment(seg); err != nil {
			return fmt.Errorf("%w: %q: %w", ErrBadName, name, err)
		}
	}
	return nil
}

// ValidPrefix reports what is wrong with a List prefix: "" or a name,
// optionally followed by a slash.
func ValidPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return ValidName(strings.TrimSuffix(prefix, "/"))
}

func validSegment(seg string) error {
	switch {
	case seg == "":
		return errors.New("an empty segment (a leading, trailing or double slash)")
	case seg[0] == '.':
		return fmt.Errorf("segment %q starts with a dot", seg)
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("segment %q holds %q: want letters, digits, '.', '-' and '_'", seg, c)
		}
	}
	return nil
}
