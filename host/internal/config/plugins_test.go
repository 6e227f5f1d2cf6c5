package config_test

import (
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/config"
)

func TestPluginsSection(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	good := "plugins:\n  dir: /opt/crewplan/plugins\n  sha256:\n    adult-beverage: " + sum + "\n  config:\n    adult-beverage: '{\"keywords\": [\"CIDER\"]}'\n    rules-calendar: '{}'\n"
	dir := writeDir(t, map[string]string{"base.yaml": good, "production.yaml": ""})
	cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Plugins.SHA256["adult-beverage"] != sum || cfg.Plugins.Config["adult-beverage"] != `{"keywords": ["CIDER"]}` || len(cfg.Plugins.Config) != 2 {
		t.Errorf("plugins = %+v", cfg.Plugins)
	}
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"checksum not hex", "plugins:\n  dir: x\n  sha256:\n    p: nothex\n", `plugins.sha256: p: "nothex" is not a SHA-256`},
		{"bad name", "plugins:\n  dir: x\n  sha256:\n    Bad_Name: " + sum + "\n", `"Bad_Name" is not a plugin file name`},
		{"pins without a folder", "plugins:\n  sha256:\n    p: " + sum + "\n", "plugins.dir names no folder"},
		{"config not JSON", "plugins:\n  config:\n    p: 'keywords: x'\n", "plugins.config: p: not a JSON object"},
		{"mapping expected", "plugins:\n  sha256: abc\n", `key "plugins.sha256" takes a mapping`},
		{"value not text", "plugins:\n  config:\n    p: 42\n", `the value of "p" expects text`},
		{"dotted name", "plugins:\n  config:\n    a.b: '{}'\n", "may not contain a dot"},
		{"zero timeout", "plugins:\n  call_timeout: 0s\n", "plugins.call_timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"base.yaml": tt.yaml, "production.yaml": ""})
			_, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to say %q", err, tt.want)
			}
		})
	}
}
