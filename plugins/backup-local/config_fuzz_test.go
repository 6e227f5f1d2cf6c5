package backuplocal

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/sdk/plugin"
)

// FuzzParseConfig fuzzes the parser of the configuration section, not
// Configure: Configure walks the directory it is given.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"dir": "/srv/backups", "fsync": false}`))
	f.Add([]byte(`{"dir": "relative"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := parseConfig(raw)
		switch {
		case err != nil && !errors.Is(err, plugin.ErrBadConfig):
			t.Errorf("parseConfig(%q) = %v, not an ErrBadConfig", raw, err)
		case err == nil && (!filepath.IsAbs(s.dir) || filepath.Clean(s.dir) != s.dir):
			t.Errorf("parseConfig(%q) took dir %q, not a clean absolute path", raw, s.dir)
		}
	})
}
