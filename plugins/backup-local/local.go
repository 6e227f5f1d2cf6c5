package backuplocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// Name is the plugin's name.
const Name = "backup-local"

const (
	// tempPrefix starts the name of every temporary file Put writes.
	tempPrefix = ".tmp-"
	// staleTemp is how long a temporary may go unwritten before Configure
	// takes it for one a killed process left behind.
	staleTemp = time.Hour
	// fileMode and folderMode are the modes objects and folders are
	// created with, less the umask.
	fileMode   fs.FileMode = 0o640
	folderMode fs.FileMode = 0o750
)

type local struct {
	cfg atomic.Pointer[settings]
	// folders serialises creating a Put's folders and its temporary file
	// with removing the folders a Delete left empty, so that neither
	// removes a folder from under the other.
	folders sync.Mutex
}

var (
	_ backup.Target     = (*local)(nil)
	_ backup.SelfTester = (*local)(nil)
)

// New returns the target, to be configured before use. It also implements
// backup.SelfTester.
func New() backup.Target { return &local{} }

// Info describes the plugin.
func (*local) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeBackup,
		Name:        Name,
		Version:     "1.0.0",
		APIVersions: []int{backup.APIVersion},
		Description: "Stores backups as files in a directory on an attached disk or a mounted share.",
	}, nil
}

// Configure validates the configuration (see Config) and takes it. It then
// removes, when the directory is there, the temporary files a killed
// process left behind: those not written to for an hour.
func (l *local) Configure(ctx context.Context, raw []byte) error {
	s, err := parseConfig(raw)
	if err != nil {
		return err
	}
	if s.create {
		if err := os.MkdirAll(s.dir, 0o750); err != nil {
			return fmt.Errorf("%s: create %s: %w", Name, s.dir, err)
		}
	}
	l.cfg.Store(s)
	if root, err := os.OpenRoot(s.dir); err == nil {
		defer root.Close()
		// Best effort: a temporary left now is retried at the next start.
		_ = removeStaleTemps(ctx, root, time.Now().Add(-staleTemp))
	}
	return nil
}

// open opens the configured directory for one call.
func (l *local) open() (*os.Root, *settings, error) {
	s := l.cfg.Load()
	if s == nil {
		return nil, nil, errNotConfigured
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return nil, nil, rootError(s.dir, err)
	}
	return root, s, nil
}

// Put writes r to a temporary file in the object's folder, creating the
// folders it needs, flushes it, renames it over name and flushes the
// folder. On any failure the temporary file is removed and an object
// name held before is left as it was.
func (l *local) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	if err := backup.ValidName(name); err != nil {
		return backup.Object{}, err
	}
	root, s, err := l.open()
	if err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
	}
	defer root.Close()
	obj, err := l.put(ctx, root, s.fsync, name, r)
	if err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, classify(err))
	}
	return obj, nil
}

func (l *local) put(ctx context.Context, root *os.Root, fsync bool, name string, r io.Reader) (_ backup.Object, err error) {
	folder := path.Dir(name)
	f, tmp, created, err := l.createTemp(root, folder, path.Base(name))
	if err != nil {
		return backup.Object{}, err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, &ctxReader{ctx: ctx, r: r}); err != nil {
		return backup.Object{}, err
	}
	if fsync {
		if err := f.Sync(); err != nil {
			return backup.Object{}, fmt.Errorf("flush %s: %w", tmp, err)
		}
	}
	fi, err := f.Stat()
	if err != nil {
		return backup.Object{}, err
	}
	// Close reports the write errors a network file system held back.
	if err := f.Close(); err != nil {
		return backup.Object{}, err
	}
	// The stream may have ended as ctx did: nothing is kept then.
	if err := ctx.Err(); err != nil {
		return backup.Object{}, err
	}
	if err := root.Rename(tmp, name); err != nil {
		return backup.Object{}, err
	}
	if fsync {
		// The rename changed the object's folder, and each folder created
		// changed its parent.
		for _, d := range slices.Compact(append([]string{folder}, created...)) {
			if err := syncFolder(root, d); err != nil {
				return backup.Object{}, err
			}
		}
	}
	return backup.Object{Name: name, Size: fi.Size(), Modified: fi.ModTime().UTC()}, nil
}

// createTemp creates the folders of folder that are missing and a new
// temporary file in it, for the object base. It returns the file, its
// name, and the parents of the folders it created.
func (l *local) createTemp(root *os.Root, folder, base string) (*os.File, string, []string, error) {
	l.folders.Lock()
	defer l.folders.Unlock()
	var created []string
	if folder != "." {
		parent := "."
		for seg := range strings.SplitSeq(folder, "/") {
			p := path.Join(parent, seg)
			switch err := root.Mkdir(p, folderMode); {
			case err == nil:
				created = append(created, parent)
			case errors.Is(err, fs.ErrExist):
				// A folder already, or a file: then creating the temporary
				// file below fails with "not a directory".
			default:
				return nil, "", nil, err
			}
			parent = p
		}
	}
	// Keep the temporary's name short enough for the file system: the
	// object's own name may use all of a segment's length.
	if len(base) > 64 {
		base = base[:64]
	}
	tmp := path.Join(folder, tempPrefix+rand.Text()+"-"+base)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return nil, "", nil, err
	}
	slices.Reverse(created) // innermost first, next to the object's folder
	return f, tmp, created, nil
}

// syncFolder flushes a folder's entries to stable storage. File systems
// that cannot (some network shares say EINVAL) are let be, and so is a
// folder gone already: a Delete of the new object emptied and removed it.
func syncFolder(root *os.Root, folder string) error {
	d, err := root.Open(folder)
	if missing(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("flush folder %s: %w", folder, err)
	}
	return nil
}

// ctxReader reads r until ctx ends, and says which side failed: a
// read error is the stream's, not the disk's.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read the object's stream: %w", err)
	}
	return n, err
}

// Get opens the object's file; ErrNotFound when there is none.
func (l *local) Get(_ context.Context, name string) (io.ReadCloser, error) {
	if err := backup.ValidName(name); err != nil {
		return nil, err
	}
	root, _, err := l.open()
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", name, err)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", name, notFound(err))
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%w: a folder, not an object", backup.ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", name, classify(err))
	}
	return f, nil
}

// Stat returns the object's size and modification time; ErrNotFound when
// there is none.
func (l *local) Stat(_ context.Context, name string) (backup.Object, error) {
	if err := backup.ValidName(name); err != nil {
		return backup.Object{}, err
	}
	root, _, err := l.open()
	if err != nil {
		return backup.Object{}, fmt.Errorf("stat %s: %w", name, err)
	}
	defer root.Close()
	fi, err := root.Stat(name)
	if err != nil {
		return backup.Object{}, fmt.Errorf("stat %s: %w", name, notFound(err))
	}
	if !fi.Mode().IsRegular() {
		return backup.Object{}, fmt.Errorf("stat %s: %w: a folder, not an object", name, backup.ErrNotFound)
	}
	return backup.Object{Name: name, Size: fi.Size(), Modified: fi.ModTime().UTC()}, nil
}

// notFound turns a missing path into backup.ErrNotFound.
func notFound(err error) error {
	if missing(err) {
		return fmt.Errorf("%w: %w", backup.ErrNotFound, err)
	}
	return classify(err)
}

// List walks the folders that can hold names starting with prefix and
// returns the regular files whose names are valid object names, sorted.
// Dot-files (temporaries) and dot-folders are skipped.
func (l *local) List(ctx context.Context, prefix string) ([]backup.Object, error) {
	if err := backup.ValidPrefix(prefix); err != nil {
		return nil, err
	}
	root, _, err := l.open()
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	defer root.Close()
	objs, err := list(ctx, root, prefix)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, classify(err))
	}
	return objs, nil
}

func list(ctx context.Context, root *os.Root, prefix string) ([]backup.Object, error) {
	// Start at the deepest folder every match lies under.
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
	}
	objs := []backup.Object{}
	err := fs.WalkDir(root.FS(), start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if missing(err) {
				// No folder for the prefix, or one removed during the walk.
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == start {
			return nil
		}
		if d.Name()[0] == '.' {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			// Only walk folders that can hold a match.
			if !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(p, prefix) || backup.ValidName(p) != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if missing(err) {
				return nil // deleted during the walk
			}
			return err
		}
		objs = append(objs, backup.Object{Name: p, Size: fi.Size(), Modified: fi.ModTime().UTC()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(objs, func(a, b backup.Object) int { return strings.Compare(a.Name, b.Name) })
	return objs, nil
}

// Delete removes the object's file, then the folders under the directory
// that this left empty. A name that holds nothing (or a folder) is not an
// error.
func (l *local) Delete(_ context.Context, name string) error {
	if err := backup.ValidName(name); err != nil {
		return err
	}
	root, _, err := l.open()
	if err != nil {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	defer root.Close()
	fi, err := root.Lstat(name)
	switch {
	case missing(err):
		return nil
	case err != nil:
		return fmt.Errorf("delete %s: %w", name, classify(err))
	case fi.IsDir():
		return nil
	}
	l.folders.Lock()
	defer l.folders.Unlock()
	if err := root.Remove(name); err != nil && !missing(err) {
		return fmt.Errorf("delete %s: %w", name, classify(err))
	}
	// Remove fails on a folder that is not empty, which ends the climb.
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if root.Remove(d) != nil {
			break
		}
	}
	return nil
}

// SelfTest checks that the directory is there and writable: it writes a
// probe object (a dot-file, which List never shows), reads it back and
// deletes it.
func (l *local) SelfTest(ctx context.Context) error {
	root, s, err := l.open()
	if err != nil {
		return fmt.Errorf("self-test: %w", err)
	}
	defer root.Close()
	probe := ".selftest-" + rand.Text()
	want := []byte("crewplan " + Name + " self-test " + probe + "\n")
	if _, err := l.put(ctx, root, s.fsync, probe, bytes.NewReader(want)); err != nil {
		return fmt.Errorf("self-test: write a probe file in %s: %w", s.dir, classify(err))
	}
	got, err := root.ReadFile(probe)
	if rerr := root.Remove(probe); err == nil && rerr != nil {
		err = rerr
	}
	switch {
	case err != nil:
		return fmt.Errorf("self-test: read back and remove the probe file %s: %w", probe, classify(err))
	case !bytes.Equal(got, want):
		return fmt.Errorf("self-test: the probe file %s read back as %d bytes different from the %d written", probe, len(got), len(want))
	}
	return nil
}

// removeStaleTemps removes the temporary files not written to since
// before, which a killed process left behind.
func removeStaleTemps(ctx context.Context, root *os.Root, before time.Time) error {
	return fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // best effort: walk what can be walked
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case p == ".":
			return nil
		case d.IsDir() && d.Name()[0] == '.':
			return fs.SkipDir
		case !d.Type().IsRegular() || !strings.HasPrefix(d.Name(), tempPrefix):
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.ModTime().Before(before) {
			root.Remove(p)
		}
		return nil
	})
}
