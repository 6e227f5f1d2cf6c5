package pluginhost

import (
	"context"
	"io"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// BackupPlugin is a backup-target plugin process under the host's care. It
// implements backup.Target: a call that finds the process dead restarts
// it and is retried, except Put and Get, whose streams cannot be replayed:
// they fail, and the process is restarted for the next call.
type BackupPlugin struct{ proc }

var (
	_ backup.Target     = (*BackupPlugin)(nil)
	_ backup.SelfTester = (*BackupPlugin)(nil)
)

var backupKind = &kind{typ: plugin.TypeBackup, apiVersion: backup.APIVersion, versioned: backup.VersionedPlugins, dispensed: backup.PluginName}

// StartBackup starts one backup-target plugin and checks it: handshake,
// checksum, type and API version, and its configuration.
func (h *Host) StartBackup(ctx context.Context, s Spec) (*BackupPlugin, error) {
	p := &BackupPlugin{proc{spec: s, host: h, kind: backupKind}}
	if err := h.add(ctx, &p.proc, func() { h.backups = append(h.backups, p) }); err != nil {
		return nil, err
	}
	return p, nil
}

// Backups returns the backup-target plugins the host runs.
func (h *Host) Backups() []*BackupPlugin {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*BackupPlugin(nil), h.backups...)
}

// Put stores r under name. It is not retried (r cannot be read again); a
// plugin that died is restarted for the next call.
func (p *BackupPlugin) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	var obj backup.Object
	err := p.once(ctx, "put", func(ctx context.Context, c client) error {
		var err error
		obj, err = c.(*backup.Client).Put(ctx, name, r)
		return err
	})
	return obj, err
}

// Get returns a reader of the object; like Put it is not retried once
// the stream has begun.
func (p *BackupPlugin) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := p.once(ctx, "get", func(ctx context.Context, c client) error {
		var err error
		rc, err = c.(*backup.Client).Get(ctx, name)
		return err
	})
	return rc, err
}

// Stat returns the object of name.
func (p *BackupPlugin) Stat(ctx context.Context, name string) (backup.Object, error) {
	var obj backup.Object
	err := p.call(ctx, "stat", func(ctx context.Context, c client) error {
		var err error
		obj, err = c.(*backup.Client).Stat(ctx, name)
		return err
	})
	return obj, err
}

// List returns the objects under prefix.
func (p *BackupPlugin) List(ctx context.Context, prefix string) ([]backup.Object, error) {
	var objs []backup.Object
	err := p.call(ctx, "list", func(ctx context.Context, c client) error {
		var err error
		objs, err = c.(*backup.Client).List(ctx, prefix)
		return err
	})
	return objs, err
}

// Delete removes the object of name.
func (p *BackupPlugin) Delete(ctx context.Context, name string) error {
	return p.call(ctx, "delete", func(ctx context.Context, c client) error { return c.(*backup.Client).Delete(ctx, name) })
}

// SelfTest runs the plugin's self-test.
func (p *BackupPlugin) SelfTest(ctx context.Context) error {
	return p.call(ctx, "self-test", func(ctx context.Context, c client) error { return c.(*backup.Client).SelfTest(ctx) })
}
