package backuplocal

import (
	"fmt"
	"path/filepath"

	"github.com/crewplan/crewplan/sdk/plugin"
)

// Config is the plugin's configuration section, as JSON.
type Config struct {
	// Dir is the directory the objects are stored under, an absolute path
	// (required). It must exist whenever the target is used.
	Dir string `json:"dir"`
	// Fsync, true when left out, makes Put flush each object and the
	// folders it changed to stable storage before it returns.
	Fsync *bool `json:"fsync,omitempty"`
}

// settings is a validated Config.
type settings struct {
	dir   string
	fsync bool
}

// parseConfig decodes and validates a configuration section; every error
// wraps plugin.ErrBadConfig and names the field.
func parseConfig(raw []byte) (*settings, error) {
	var c Config
	if err := plugin.DecodeConfig(raw, &c); err != nil {
		return nil, fmt.Errorf("%s configuration: %w (keys: dir, fsync)", Name, err)
	}
	switch {
	case c.Dir == "":
		return nil, fmt.Errorf("%s configuration: dir: %w: missing: set it to the absolute path of the backup directory", Name, plugin.ErrBadConfig)
	case !filepath.IsAbs(c.Dir):
		return nil, fmt.Errorf("%s configuration: dir: %w: %q is relative: give an absolute path", Name, plugin.ErrBadConfig, c.Dir)
	}
	s := &settings{dir: filepath.Clean(c.Dir), fsync: true}
	if c.Fsync != nil {
		s.fsync = *c.Fsync
	}
	return s, nil
}
