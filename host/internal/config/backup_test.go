package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/config"
)

func TestBackupSection(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"base.yaml": "backup:\n  retention_days: 10\n  targets:\n" +
			"    offsite: '{\"plugin\": \"backup-s3\", \"config\": {\"bucket\": \"b\"}, \"retention\": {\"days\": 30, \"monthly\": 12}}'\n",
		"production.yaml": "",
	})
	cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{"CREWPLAN_BACKUP__SCHEDULE=30 2 * * 1-5"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Backup.Schedule != "30 2 * * 1-5" || cfg.Backup.WorkDir != "data/backup-work" {
		t.Errorf("backup = %+v", cfg.Backup)
	}
	ts, err := cfg.Backup.BackupTargets()
	if err != nil {
		t.Fatal(err)
	}
	// The file's targets replace the default ones as a whole.
	if len(ts) != 1 || ts[0].Name != "offsite" {
		t.Fatalf("targets %+v", ts)
	}
	if o := ts[0]; o.Plugin != "backup-s3" || string(o.Config) != `{"bucket": "b"}` || *o.Retention != (config.BackupRetention{Days: 30, Monthly: 12}) {
		t.Errorf("offsite: %+v, retention %+v", o, *o.Retention)
	}
	cfg, err = config.Load(config.LoadOptions{Dir: writeDir(t, map[string]string{"base.yaml": "backup:\n  retention_days: 10\n", "production.yaml": ""}), Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if ts, err = cfg.Backup.BackupTargets(); err != nil || len(ts) != 1 || ts[0].Plugin != "backup-local" ||
		string(ts[0].Config) != `{"dir": "data/backups", "create": true}` || *ts[0].Retention != (config.BackupRetention{Days: 10}) {
		t.Errorf("default targets: %+v, %v", ts, err)
	}

	off := writeDir(t, map[string]string{"base.yaml": "backup:\n  schedule: 'off'\n  targets: {}\n", "production.yaml": ""})
	if _, err := config.Load(config.LoadOptions{Dir: off, Environ: []string{}}); err != nil {
		t.Errorf("no targets with the schedule off: %v", err)
	}

	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"bad schedule", "backup:\n  schedule: 'at midnight'\n", `backup.schedule: "at midnight" is not a cron expression`},
		{"six fields", "backup:\n  schedule: '0 0 0 * * *'\n", "backup.schedule"},
		{"no work dir", "backup:\n  work_dir: ''\n", "backup.work_dir: is required"},
		{"negative days", "backup:\n  retention_days: -1\n", "backup.retention_days: days is -1"},
		{"nothing kept", "backup:\n  retention_days: 0\n", "backup.retention_days: days, keep_last"},
		{"target not json", "backup:\n  targets:\n    usb: 'backup-local /mnt/usb'\n", "backup.targets: usb: not a JSON object"},
		{"unknown key", "backup:\n  targets:\n    usb: '{\"plugin\": \"backup-local\", \"folder\": \"/mnt\"}'\n", `unknown field "folder"`},
		{"no plugin", "backup:\n  targets:\n    usb: '{\"config\": {}}'\n", `usb: plugin "" is not a plugin name`},
		{"config not an object", "backup:\n  targets:\n    usb: '{\"plugin\": \"backup-local\", \"config\": \"/mnt\"}'\n", "usb: config is not a JSON object"},
		{"bad retention", "backup:\n  targets:\n    usb: '{\"plugin\": \"backup-local\", \"retention\": {\"weekly\": -4}}'\n", "usb: retention: weekly is -4"},
		{"bad target name", "backup:\n  targets:\n    USB: '{\"plugin\": \"backup-local\"}'\n", `"USB" is not a target name`},
		{"scheduled, nowhere to go", "backup:\n  targets: {}\n", "backup.targets: none"},
		{"bad age recipient", "backup:\n  age_recipient: 'ssh-ed25519 AAAA'\n", "backup.age_recipient"},
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

// TestProfilesBackUpApart: each profile makes and keeps its backups in
// folders of its own, so that a test instance never prunes production's.
func TestProfilesBackUpApart(t *testing.T) {
	seen := map[string]string{}
	for _, p := range config.Profiles() {
		cfg, err := config.Load(config.LoadOptions{Dir: "../../../configs", Profile: p, Environ: []string{}})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ts, err := cfg.Backup.BackupTargets()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range append([]string{cfg.Backup.WorkDir}, string(ts[0].Config)) {
			if other, ok := seen[k]; ok {
				t.Errorf("profiles %s and %s share %s", other, p, k)
			}
			seen[k] = p
		}
	}
}

func TestFiles(t *testing.T) {
	dir := writeDir(t, map[string]string{"base.yaml": "log:\n  level: warn\n", "production.yaml": "server:\n  port: 8100\n"})
	cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{"CREWPLAN_LOG__FORMAT=json"}})
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Files()
	if len(got) != 2 || filepath.Base(got[0]) != "base.yaml" || filepath.Base(got[1]) != "production.yaml" {
		t.Errorf("files %v", got)
	}
}

// TestEnvMapEntry: a variable sets one entry of a mapping and keeps the
// others; the entry's source is the variable.
func TestEnvMapEntry(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"base.yaml":       "backup:\n  targets:\n    local: '{\"plugin\": \"backup-local\", \"config\": {\"dir\": \"/srv/a\"}}'\n    usb: '{\"plugin\": \"backup-local\", \"config\": {\"dir\": \"/mnt/usb\"}}'\n",
		"production.yaml": "",
	})
	cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{
		`CREWPLAN_BACKUP__TARGETS__LOCAL={"plugin": "backup-local", "config": {"dir": "/tmp/b"}}`,
		`CREWPLAN_PLUGINS__CONFIG__RULES_X={"max": 3}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := cfg.Backup.BackupTargets()
	if err != nil || len(ts) != 2 || string(ts[0].Config) != `{"dir": "/tmp/b"}` || string(ts[1].Config) != `{"dir": "/mnt/usb"}` {
		t.Errorf("targets %+v, %v", ts, err)
	}
	if cfg.Plugins.Config["rules_x"] != `{"max": 3}` {
		t.Errorf("plugins.config %v", cfg.Plugins.Config)
	}
	if src := cfg.Source("backup.targets"); src != "env CREWPLAN_BACKUP__TARGETS__LOCAL" {
		t.Errorf("source %q", src)
	}
}
