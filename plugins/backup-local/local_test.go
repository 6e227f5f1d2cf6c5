package backuplocal_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

func TestInfo(t *testing.T) {
	info, err := backuplocal.New().Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.Type != plugin.TypeBackup || info.Name != backuplocal.Name || !slices.Contains(info.APIVersions, backup.APIVersion) || info.Version == "" || info.Description == "" {
		t.Errorf("Info() = %+v", info)
	}
}

func TestPutGetStat(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"db.zst", []byte("a small object")},
		{"20261205T000000Z-office/manifest.json", []byte(`{"ok":true}`)},
		{"a/b/c/d/deep.bin", payload(1000, 1)},
		{"20261205T000000Z-office/db.zst", payload(5<<20+7, 2)},
	}
	dir := t.TempDir()
	tg := newTarget(t, dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			obj := put(t, tg, tt.name, tt.data)
			if obj.Name != tt.name || obj.Size != int64(len(tt.data)) || obj.Modified.Before(before) {
				t.Errorf("Put returned %+v, want name %q, size %d, modified after %v", obj, tt.name, len(tt.data), before)
			}
			if got := get(t, tg, tt.name); !bytes.Equal(got, tt.data) {
				t.Errorf("Get returned %d bytes, not the %d put", len(got), len(tt.data))
			}
			st, err := tg.Stat(t.Context(), tt.name)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			if diff := cmp.Diff(obj, st); diff != "" {
				t.Errorf("Stat differs from what Put returned (-put +stat):\n%s", diff)
			}
			// The object is the file of its name, for an operator to see.
			onDisk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.name)))
			if err != nil || !bytes.Equal(onDisk, tt.data) {
				t.Errorf("file %s: %d bytes, %v; want the %d put", tt.name, len(onDisk), err, len(tt.data))
			}
		})
	}
	if p := files(t, dir); hasDotFile(p) {
		t.Errorf("temporary files left: %q", p)
	}
}

func TestPutReplaces(t *testing.T) {
	tg := newTarget(t, t.TempDir())
	put(t, tg, "b/db", []byte("old, longer than the new one"))
	put(t, tg, "b/db", []byte("new"))
	if got := get(t, tg, "b/db"); string(got) != "new" {
		t.Errorf("Get after a second Put = %q, want %q", got, "new")
	}
}

// A Put that fails part-way leaves nothing of the new object, no visible
// temporary file, and any object it was replacing whole.
func TestPutAllOrNothing(t *testing.T) {
	old := payload(3<<20, 9)
	tests := []struct {
		name string
		// put puts a new object under name and returns Put's error, which
		// must wrap want.
		put  func(tg backup.Target, name string) error
		want error
	}{
		{"stream fails half-way", func(tg backup.Target, name string) error {
			_, err := tg.Put(t.Context(), name, &failingReader{data: payload(2<<20, 1), err: errStream})
			return err
		}, errStream},
		{"stream fails at once", func(tg backup.Target, name string) error {
			_, err := tg.Put(t.Context(), name, &failingReader{err: errStream})
			return err
		}, errStream},
		{"context ends half-way", func(tg backup.Target, name string) error {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := tg.Put(ctx, name, &cancelHalfway{data: payload(4<<20, 1), half: 2 << 20, cancel: cancel})
			return err
		}, context.Canceled},
		{"context ended before", func(tg backup.Target, name string) error {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := tg.Put(ctx, name, bytes.NewReader([]byte("x")))
			return err
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tg := newTarget(t, dir)
			put(t, tg, "x/db.zst", old)

			if err := tt.put(tg, "x/db.zst"); !errors.Is(err, tt.want) {
				t.Fatalf("Put over an object = %v, want an error wrapping %v", err, tt.want)
			}
			if got := get(t, tg, "x/db.zst"); !bytes.Equal(got, old) {
				t.Errorf("the object replaced is no longer whole: %d bytes, want %d", len(got), len(old))
			}
			if err := tt.put(tg, "y/new.zst"); !errors.Is(err, tt.want) {
				t.Fatalf("Put of a new object = %v, want an error wrapping %v", err, tt.want)
			}
			if _, err := tg.Stat(t.Context(), "y/new.zst"); !errors.Is(err, backup.ErrNotFound) {
				t.Errorf("Stat of the failed object = %v, want ErrNotFound", err)
			}
			objs, err := tg.List(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"x/db.zst"}, names(objs)); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			// The failed Put's folder may stay, empty; no file may.
			if p := files(t, dir); hasDotFile(p) || slices.Contains(p, "y/new.zst") {
				t.Errorf("files left by the failed Put: %q", p)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	tg := newTarget(t, t.TempDir())
	put(t, tg, "a/b", []byte("b"))
	for _, name := range []string{"missing", "a/missing", "a", "a/b/c", "z/y/x"} {
		if _, err := tg.Get(t.Context(), name); !errors.Is(err, backup.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", name, err)
		}
		if _, err := tg.Stat(t.Context(), name); !errors.Is(err, backup.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", name, err)
		}
	}
}

func TestBadName(t *testing.T) {
	tg := newTarget(t, t.TempDir())
	for _, name := range []string{"", "../escape", "a/../b", ".hidden", "a//b", "/abs"} {
		if _, err := tg.Put(t.Context(), name, bytes.NewReader(nil)); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("Put(%q) = %v, want ErrBadName", name, err)
		}
		if _, err := tg.Get(t.Context(), name); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("Get(%q) = %v, want ErrBadName", name, err)
		}
		if err := tg.Delete(t.Context(), name); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("Delete(%q) = %v, want ErrBadName", name, err)
		}
	}
	if _, err := tg.List(t.Context(), "../"); !errors.Is(err, backup.ErrBadName) {
		t.Errorf("List(%q) = %v, want ErrBadName", "../", err)
	}
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	tg := newTarget(t, dir)
	for _, name := range []string{"b", "a/c/d", "a-c", "a/b", "ab", "a/c/e/f"} {
		put(t, tg, name, []byte(name))
	}
	// What is not an object: dot-files (a Put's temporaries), anything in a
	// dot-folder, and files whose names no object can have.
	for _, p := range []string{".tmp-x-b", "a/.tmp-y-b", ".snapshot/a/b", "a/notes with spaces.txt"} {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("not an object"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a-c", "a/b", "a/c/d", "a/c/e/f", "ab", "b"}},
		{"a", []string{"a-c", "a/b", "a/c/d", "a/c/e/f", "ab"}},
		{"a/", []string{"a/b", "a/c/d", "a/c/e/f"}},
		{"a/c", []string{"a/c/d", "a/c/e/f"}},
		{"a/c/", []string{"a/c/d", "a/c/e/f"}},
		{"a/c/d", []string{"a/c/d"}},
		{"a/b/", []string{}},
		{"zz", []string{}},
		{"zz/y/", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			objs, err := tg.List(t.Context(), tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(objs)); diff != "" {
				t.Errorf("List(%q) (-want +got):\n%s", tt.prefix, diff)
			}
			for _, o := range objs {
				if o.Size != int64(len(o.Name)) || o.Modified.IsZero() {
					t.Errorf("List(%q): %+v, want size %d and a time", tt.prefix, o, len(o.Name))
				}
			}
		})
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	tg := newTarget(t, dir)
	put(t, tg, "r1/db", []byte("1"))
	put(t, tg, "r1/sub/manifest.json", []byte("2"))
	put(t, tg, "r2/db", []byte("3"))

	for _, name := range []string{"r1/sub/manifest.json", "r1/db", "never/was", "r2"} {
		if err := tg.Delete(t.Context(), name); err != nil {
			t.Errorf("Delete(%q): %v", name, err)
		}
	}
	if _, err := tg.Stat(t.Context(), "r1/db"); !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	// The folders left empty are gone; the directory and r2 stay.
	if diff := cmp.Diff([]string{"r2/", "r2/db"}, files(t, dir)); diff != "" {
		t.Errorf("files after Delete (-want +got):\n%s", diff)
	}
	if err := tg.Delete(t.Context(), "r2/db"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the directory itself went: %v", err)
	}
}

// The directory missing or not a directory, as when the disk is detached
// or the share not mounted, makes every method fail with ErrUnavailable,
// and Put does not create it.
func TestUnavailable(t *testing.T) {
	tests := []struct {
		name     string
		breakDir func(dir string) error
	}{
		{"missing", os.RemoveAll},
		{"a file", func(dir string) error {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			return os.WriteFile(dir, []byte("not a directory"), 0o640)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "share", "crewplan")
			if err := os.MkdirAll(dir, 0o750); err != nil {
				t.Fatal(err)
			}
			tg := newTarget(t, dir)
			put(t, tg, "a/b", []byte("b"))
			if err := tt.breakDir(dir); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			_, putErr := tg.Put(ctx, "a/c", bytes.NewReader([]byte("c")))
			_, getErr := tg.Get(ctx, "a/b")
			_, statErr := tg.Stat(ctx, "a/b")
			_, listErr := tg.List(ctx, "")
			delErr := tg.Delete(ctx, "a/b")
			selfErr := tg.(backup.SelfTester).SelfTest(ctx)
			for op, err := range map[string]error{"Put": putErr, "Get": getErr, "Stat": statErr, "List": listErr, "Delete": delErr, "SelfTest": selfErr} {
				if !errors.Is(err, backup.ErrUnavailable) {
					t.Errorf("%s = %v, want ErrUnavailable", op, err)
				}
			}
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				t.Errorf("Put created the missing directory %s", dir)
			}
		})
	}
}

// A directory the plugin may not write to (a share mounted read-only,
// say) fails Put, with nothing left, and still serves what it holds.
func TestReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		// Root writes to read-only directories: the test runs as nobody.
		rerunAsNobody(t, "TestReadOnlyDir")
		return
	}
	dir := t.TempDir()
	tg := newTarget(t, dir)
	put(t, tg, "a/b", []byte("b"))
	for _, d := range []string{filepath.Join(dir, "a"), dir} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(d, 0o755) })
	}
	for _, name := range []string{"a/c", "b/c", "c"} {
		if _, err := tg.Put(t.Context(), name, bytes.NewReader([]byte("c"))); !errors.Is(err, os.ErrPermission) {
			t.Errorf("Put(%q) in a read-only directory = %v, want a permission error", name, err)
		}
	}
	if err := tg.(backup.SelfTester).SelfTest(t.Context()); !errors.Is(err, os.ErrPermission) {
		t.Errorf("SelfTest = %v, want a permission error", err)
	}
	if got := get(t, tg, "a/b"); string(got) != "b" {
		t.Errorf("Get = %q, want %q", got, "b")
	}
	if diff := cmp.Diff([]string{"a/", "a/b"}, files(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

// TestPutFull fills a real small file system. It needs one: set
// CREWPLAN_TEST_FULL_DIR to an empty directory on a file system of a few
// MiB at most (as root: mount -t tmpfs -o size=1m tmpfs DIR). Without it,
// errors_test.go checks the mapping of ENOSPC alone.
func TestPutFull(t *testing.T) {
	dir := os.Getenv("CREWPLAN_TEST_FULL_DIR")
	if dir == "" {
		t.Skip("CREWPLAN_TEST_FULL_DIR is not set")
	}
	tg := newTarget(t, dir)
	put(t, tg, "keep", []byte("an object that must stay whole"))
	t.Cleanup(func() { tg.Delete(context.Background(), "keep") })
	_, err := tg.Put(t.Context(), "r/big", bytes.NewReader(payload(64<<20, 3)))
	if !errors.Is(err, backup.ErrFull) {
		t.Fatalf("Put of 64 MiB = %v, want ErrFull", err)
	}
	t.Logf("Put: %v", err)
	if got := get(t, tg, "keep"); string(got) != "an object that must stay whole" {
		t.Errorf("Get(keep) = %q", got)
	}
	if p := files(t, dir); hasDotFile(p) || slices.Contains(p, "r/big") {
		t.Errorf("files left by the failed Put: %q", p)
	}
	// The space is back: a small Put works.
	put(t, tg, "r/small", []byte("small"))
	if err := tg.Delete(t.Context(), "r/small"); err != nil {
		t.Fatal(err)
	}
}

func TestSelfTest(t *testing.T) {
	dir := t.TempDir()
	tg := newTarget(t, dir)
	if err := tg.(backup.SelfTester).SelfTest(t.Context()); err != nil {
		t.Fatalf("SelfTest: %v", err)
	}
	if p := files(t, dir); len(p) != 0 {
		t.Errorf("SelfTest left %q", p)
	}
}

func TestNotConfigured(t *testing.T) {
	tg := backuplocal.New()
	if _, err := tg.List(t.Context(), ""); err == nil {
		t.Error("List before Configure succeeded")
	}
}

// Puts and Deletes in the same folders at once never remove a folder from
// under each other (run with -race).
func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	tg := newTarget(t, dir)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				name := []string{"f/g/a", "f/g/b", "f/h"}[(w+i)%3]
				if _, err := tg.Put(t.Context(), name, bytes.NewReader([]byte(name))); err != nil {
					t.Errorf("Put(%q): %v", name, err)
				}
				if err := tg.Delete(t.Context(), name); err != nil {
					t.Errorf("Delete(%q): %v", name, err)
				}
				if _, err := tg.List(t.Context(), "f/"); err != nil {
					t.Errorf("List: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if p := files(t, dir); len(p) != 0 {
		t.Errorf("left after every object was deleted: %q", p)
	}
}
