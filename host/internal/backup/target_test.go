package backup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdkbackup "github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// memTarget is an in-memory Target standing in for a full disk, which a
// test cannot make: putErr, when set, makes every Put fail with it after
// reading the whole object. The other tests use the local-directory
// plugin's real target (dirTarget).
type memTarget struct {
	mu      sync.Mutex
	objects map[string][]byte
	putErr  error
}

var _ sdkbackup.Target = (*memTarget)(nil)

func newMemTarget() *memTarget { return &memTarget{objects: map[string][]byte{}} }

func (t *memTarget) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeBackup, Name: "backup-memory", Version: "0.0.0", APIVersions: []int{sdkbackup.APIVersion}}, nil
}

func (t *memTarget) Configure(context.Context, []byte) error { return nil }

func (t *memTarget) Put(ctx context.Context, name string, r io.Reader) (sdkbackup.Object, error) {
	if err := sdkbackup.ValidName(name); err != nil {
		return sdkbackup.Object{}, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return sdkbackup.Object{}, err
	}
	if t.putErr != nil {
		return sdkbackup.Object{}, fmt.Errorf("put %s: %w", name, t.putErr)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.objects[name] = b
	return sdkbackup.Object{Name: name, Size: int64(len(b)), Modified: time.Now()}, nil
}

func (t *memTarget) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.objects[name]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", name, sdkbackup.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (t *memTarget) Stat(ctx context.Context, name string) (sdkbackup.Object, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.objects[name]
	if !ok {
		return sdkbackup.Object{}, fmt.Errorf("stat %s: %w", name, sdkbackup.ErrNotFound)
	}
	return sdkbackup.Object{Name: name, Size: int64(len(b))}, nil
}

func (t *memTarget) List(ctx context.Context, prefix string) ([]sdkbackup.Object, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var objs []sdkbackup.Object
	for name, b := range t.objects {
		if strings.HasPrefix(name, prefix) {
			objs = append(objs, sdkbackup.Object{Name: name, Size: int64(len(b))})
		}
	}
	slices.SortFunc(objs, func(a, b sdkbackup.Object) int { return strings.Compare(a.Name, b.Name) })
	return objs, nil
}

func (t *memTarget) Delete(ctx context.Context, name string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.objects, name)
	return nil
}

// dirTarget returns the local-directory plugin's target, in process, on a
// new folder.
func dirTarget(t *testing.T) sdkbackup.Target {
	t.Helper()
	tg, _ := localTarget(t, "local", Policy{})
	return tg.Target
}

// names returns the names of the objects tg holds.
func names(t *testing.T, tg sdkbackup.Target) []string {
	t.Helper()
	objs, err := tg.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Name)
	}
	return out
}
