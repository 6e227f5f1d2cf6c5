package backup_test

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

// memTarget is a Target in memory, for the tests.
type memTarget struct {
	mu      sync.Mutex
	objects map[string]memObject
}

type memObject struct {
	data     []byte
	modified time.Time
}

var (
	_ backup.Target     = (*memTarget)(nil)
	_ backup.SelfTester = (*memTarget)(nil)
)

func newMem() *memTarget { return &memTarget{objects: map[string]memObject{}} }

func (*memTarget) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{Type: plugin.TypeBackup, Name: "backup-memory", Version: "1.0.0",
		APIVersions: []int{backup.APIVersion}, Description: "keeps backups in memory"}, nil
}

func (*memTarget) Configure(_ context.Context, raw []byte) error {
	var cfg struct{}
	return plugin.DecodeConfig(raw, &cfg)
}

func (m *memTarget) SelfTest(context.Context) error { return nil }

func (m *memTarget) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
	}
	o := memObject{data: buf.Bytes(), modified: time.Now()}
	m.mu.Lock()
	m.objects[name] = o
	m.mu.Unlock()
	return backup.Object{Name: name, Size: int64(len(o.data)), Modified: o.modified}, nil
}

func (m *memTarget) Get(_ context.Context, name string) (io.ReadCloser, error) {
	m.mu.Lock()
	o, ok := m.objects[name]
	m.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, backup.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

func (m *memTarget) Stat(_ context.Context, name string) (backup.Object, error) {
	m.mu.Lock()
	o, ok := m.objects[name]
	m.mu.Unlock()
	if !ok {
		return backup.Object{}, fmt.Errorf("%s: %w", name, backup.ErrNotFound)
	}
	return backup.Object{Name: name, Size: int64(len(o.data)), Modified: o.modified}, nil
}

func (m *memTarget) List(_ context.Context, prefix string) ([]backup.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []backup.Object{}
	for name, o := range m.objects {
		if strings.HasPrefix(name, prefix) {
			out = append(out, backup.Object{Name: name, Size: int64(len(o.data)), Modified: o.modified})
		}
	}
	slices.SortFunc(out, func(a, b backup.Object) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (m *memTarget) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	delete(m.objects, name)
	m.mu.Unlock()
	return nil
}

// names returns the names m holds, sorted.
func (m *memTarget) names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for n := range m.objects {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
