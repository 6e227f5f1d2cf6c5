package backuplocal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
	"github.com/crewplan/crewplan/sdk/backup"
)

// newTarget returns the target configured over dir.
func newTarget(t testing.TB, dir string) backup.Target {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"dir": dir})
	if err != nil {
		t.Fatal(err)
	}
	tg := backuplocal.New()
	if err := tg.Configure(t.Context(), raw); err != nil {
		t.Fatalf("Configure(%s): %v", raw, err)
	}
	return tg
}

// put stores data under name and fails the test unless it worked.
func put(t testing.TB, tg backup.Target, name string, data []byte) backup.Object {
	t.Helper()
	obj, err := tg.Put(t.Context(), name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%q): %v", name, err)
	}
	return obj
}

// get returns the bytes of name and fails the test unless it has some.
func get(t testing.TB, tg backup.Target, name string) []byte {
	t.Helper()
	rc, err := tg.Get(t.Context(), name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", name, err)
	}
	return b
}

// files returns every file and folder under dir, slash-separated and
// folders ending in '/', as an operator's `find` would show them.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// names returns the objects' names.
func names(objs []backup.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Name
	}
	return out
}

// payload returns n bytes that differ from one offset to the next.
func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

var errStream = errors.New("the stream broke")

// failingReader yields data, then fails with err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// hasDotFile reports whether any file or folder under dir is a dot-file.
func hasDotFile(paths []string) bool {
	for _, p := range paths {
		for seg := range strings.SplitSeq(strings.TrimSuffix(p, "/"), "/") {
			if strings.HasPrefix(seg, ".") {
				return true
			}
		}
	}
	return false
}

// cancelHalfway is a reader of data that calls cancel once half bytes of
// it have been read.
type cancelHalfway struct {
	data   []byte
	half   int
	read   int
	cancel context.CancelFunc
}

func (r *cancelHalfway) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 64<<10)], r.data)
	r.data = r.data[n:]
	r.read += n
	if r.read >= r.half {
		r.cancel()
	}
	return n, nil
}
