package backup_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// dir is the directory target of the package doc, completed: the doc's
// example, compiled and run through the conformance suite.
type dir struct{ root string }

var _ backup.Target = (*dir)(nil)

func (*dir) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeBackup, Name: "backup-dir",
		Version: "1.0.0", APIVersions: []int{backup.APIVersion}}, nil
}

func (d *dir) Configure(_ context.Context, raw []byte) error {
	var cfg struct {
		Dir string `json:"dir"`
	}
	if err := plugin.DecodeConfig(raw, &cfg); err != nil {
		return err
	}
	if !filepath.IsAbs(cfg.Dir) {
		return fmt.Errorf("%w: dir %q: want an absolute path", plugin.ErrBadConfig, cfg.Dir)
	}
	d.root = cfg.Dir
	return nil
}

func (d *dir) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	path := filepath.Join(d.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return backup.Object{}, err
	}
	// A dot-file: no valid name is one, so List never shows it.
	f, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return backup.Object{}, err
	}
	defer os.Remove(f.Name()) // gone once renamed
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if errors.Is(err, syscall.ENOSPC) {
		err = fmt.Errorf("%w: %w", backup.ErrFull, err)
	}
	if err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
	}
	return backup.Object{Name: name, Size: n, Modified: time.Now()}, nil
}

func (d *dir) Get(_ context.Context, name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(d.root, filepath.FromSlash(name)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err == nil {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return f, nil
		}
		f.Close() // a directory: a prefix, not an object
	}
	return nil, fmt.Errorf("%s: %w", name, backup.ErrNotFound)
}

func (d *dir) Stat(_ context.Context, name string) (backup.Object, error) {
	fi, err := os.Stat(filepath.Join(d.root, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) || err == nil && !fi.Mode().IsRegular() {
		return backup.Object{}, fmt.Errorf("%s: %w", name, backup.ErrNotFound)
	}
	if err != nil {
		return backup.Object{}, err
	}
	return backup.Object{Name: name, Size: fi.Size(), Modified: fi.ModTime()}, nil
}

func (d *dir) List(_ context.Context, prefix string) ([]backup.Object, error) {
	out := []backup.Object{}
	err := filepath.WalkDir(d.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(d.root, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, backup.Object{Name: name, Size: fi.Size(), Modified: fi.ModTime()})
		return nil
	})
	slices.SortFunc(out, func(a, b backup.Object) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

func (d *dir) Delete(_ context.Context, name string) error {
	err := os.Remove(filepath.Join(d.root, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func TestDirTargetConformance(t *testing.T) {
	sdktest.TestTarget(t, func(t *testing.T) backup.Target {
		d := &dir{}
		cfg := fmt.Appendf(nil, `{"dir": %q}`, t.TempDir())
		if err := d.Configure(t.Context(), cfg); err != nil {
			t.Fatal(err)
		}
		return d
	})
}
