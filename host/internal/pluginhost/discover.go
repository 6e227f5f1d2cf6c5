package pluginhost

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crewplan/crewplan/host/internal/config"
)

// Specs returns the rule plugins the configuration asks the host to run:
// every built-in rule plugin, then every third-party binary of cfg.Dir but
// those named in notRules (the backup targets' plugins), each pinned by
// its SHA-256 in cfg.SHA256 and given its section of cfg.Config. A file of
// the folder that is not pinned, or a pin without its file, is an error
// naming it: the host runs nothing it was not told to trust.
func (h *Host) Specs(cfg config.PluginsConfig, notRules ...string) ([]Spec, error) {
	var specs []Spec
	for _, n := range BuiltinRules() {
		s := h.BuiltinSpec(n)
		s.Config = configOf(cfg, n)
		specs = append(specs, s)
	}
	if cfg.Dir == "" {
		return specs, nil
	}
	entries, err := os.ReadDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: plugins.dir: %w", ErrPlugin, err)
	}
	var errs []error
	found := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		name := e.Name()
		found[name] = true
		sum, ok := cfg.SHA256[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s in plugins.dir %s is not pinned: add its SHA-256 under plugins.sha256 (sha256sum prints it) or remove it", ErrPlugin, name, cfg.Dir))
			continue
		}
		if _, builtin := builtins[name]; builtin {
			errs = append(errs, fmt.Errorf("%w: %s in plugins.dir has the name of a built-in plugin: rename it", ErrPlugin, name))
			continue
		}
		checksum, err := hex.DecodeString(sum)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: plugins.sha256.%s: %w", ErrPlugin, name, err))
			continue
		}
		path, err := filepath.Abs(filepath.Join(cfg.Dir, name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrPlugin, name, err))
			continue
		}
		if !slices.Contains(notRules, name) {
			specs = append(specs, Spec{Name: name, Path: path, Checksum: checksum, Config: configOf(cfg, name)})
		}
	}
	for name := range cfg.SHA256 {
		if !found[name] {
			errs = append(errs, fmt.Errorf("%w: plugins.sha256 pins %s, which is not in plugins.dir %s", ErrPlugin, name, cfg.Dir))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortStableFunc(specs[len(builtinRules):], func(a, b Spec) int { return strings.Compare(a.Name, b.Name) })
	return specs, nil
}

func configOf(cfg config.PluginsConfig, name string) []byte {
	if c, ok := cfg.Config[name]; ok {
		return []byte(c)
	}
	return nil
}

// BackupSpec returns how to run the plugin of backup target t: a built-in
// plugin of this binary, or a third-party binary of cfg.Dir pinned in
// cfg.SHA256; either way with the target's own configuration. Each target
// runs its own process, so two targets of one plugin are two processes.
func (h *Host) BackupSpec(cfg config.PluginsConfig, t config.BackupTarget) (Spec, error) {
	name := "backup target " + t.Name + " (" + t.Plugin + ")"
	if IsBuiltin(t.Plugin) {
		s := h.BuiltinSpec(t.Plugin)
		s.Name, s.Config = name, t.Config
		return s, nil
	}
	sum, ok := cfg.SHA256[t.Plugin]
	if !ok || cfg.Dir == "" {
		return Spec{}, fmt.Errorf("%w: backup.targets.%s: plugin %s is neither built in (backup-local, backup-s3) nor a binary pinned in plugins.dir and plugins.sha256", ErrPlugin, t.Name, t.Plugin)
	}
	checksum, err := hex.DecodeString(sum)
	if err != nil {
		return Spec{}, fmt.Errorf("%w: plugins.sha256.%s: %w", ErrPlugin, t.Plugin, err)
	}
	path, err := filepath.Abs(filepath.Join(cfg.Dir, t.Plugin))
	if err != nil {
		return Spec{}, fmt.Errorf("%w: %s: %w", ErrPlugin, t.Plugin, err)
	}
	return Spec{Name: name, Path: path, Checksum: checksum, Config: t.Config}, nil
}
