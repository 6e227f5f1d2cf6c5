package backuplocal

import (
	"fmt"
	"path/filepath"

	"github.com/crewplan/crewplan/sdk/plugin"
)

// Config is the plugin's configuration section, as JSON.
type Config struct {
	// Dir is the directory the objects are stored under (required): an
	// absolute path, or one relative to the plugin's working directory,
	// which is the host's. It must exist whenever the target is used,
	// unless Create is set.
	Dir string `json:"dir"`
	// Create makes Configure create Dir when it is missing: for a folder
	// on the machine's own disk, never for a share that may be unmounted.
	Create bool `json:"create,omitempty"`
	// Fsync, true when left out, makes Put flush each object and the
	// folders it changed to stable storage before it returns.
	Fsync *bool `json:"fsync,omitempty"`
}

// settings is a validated Config.
type settings struct {
	dir    string // absolute and clean
	fsync  bool
	create bool
}

// parseConfig decodes and validates a configuration section; every error
// wraps plugin.ErrBadConfig and names the field.
func parseConfig(raw []byte) (*settings, error) {
	var c Config
	if err := plugin.DecodeConfig(raw, &c); err != nil {
		return nil, fmt.Errorf("%s configuration: %w (keys: dir, create, fsync)", Name, err)
	}
	if c.Dir == "" {
		return nil, fmt.Errorf("%s configuration: dir: %w: missing: set it to the path of the backup directory", Name, plugin.ErrBadConfig)
	}
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("%s configuration: dir: %w: %q: %v", Name, plugin.ErrBadConfig, c.Dir, err)
	}
	s := &settings{dir: dir, fsync: true, create: c.Create}
	if c.Fsync != nil {
		s.fsync = *c.Fsync
	}
	return s, nil
}
