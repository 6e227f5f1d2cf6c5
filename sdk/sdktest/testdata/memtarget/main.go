// Command memtarget is a backup-target plugin that keeps its objects in
// memory, for sdktest's own tests of LaunchTarget: it is what a target
// plugin's main looks like.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

func main() { backup.Serve(&target{objects: map[string]object{}}) }

type target struct {
	mu      sync.Mutex
	objects map[string]object
}

type object struct {
	data     []byte
	modified time.Time
}

var _ backup.Target = (*target)(nil)

func (*target) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeBackup, Name: "backup-memtarget", Version: "1.0.0",
		APIVersions: []int{backup.APIVersion}}, nil
}

func (*target) Configure(_ context.Context, raw []byte) error {
	var cfg struct{}
	return plugin.DecodeConfig(raw, &cfg)
}

func (t *target) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	data, err := io.ReadAll(r)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
	}
	o := object{data: data, modified: time.Now()}
	t.mu.Lock()
	t.objects[name] = o
	t.mu.Unlock()
	return backup.Object{Name: name, Size: int64(len(data)), Modified: o.modified}, nil
}

func (t *target) lookup(name string) (object, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o, ok := t.objects[name]
	if !ok {
		return object{}, fmt.Errorf("%s: %w", name, backup.ErrNotFound)
	}
	return o, nil
}

func (t *target) Get(_ context.Context, name string) (io.ReadCloser, error) {
	o, err := t.lookup(name)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

func (t *target) Stat(_ context.Context, name string) (backup.Object, error) {
	o, err := t.lookup(name)
	if err != nil {
		return backup.Object{}, err
	}
	return backup.Object{Name: name, Size: int64(len(o.data)), Modified: o.modified}, nil
}

func (t *target) List(_ context.Context, prefix string) ([]backup.Object, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []backup.Object
	for name, o := range t.objects {
		if strings.HasPrefix(name, prefix) {
			out = append(out, backup.Object{Name: name, Size: int64(len(o.data)), Modified: o.modified})
		}
	}
	slices.SortFunc(out, func(a, b backup.Object) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (t *target) Delete(_ context.Context, name string) error {
	t.mu.Lock()
	delete(t.objects, name)
	t.mu.Unlock()
	return nil
}
