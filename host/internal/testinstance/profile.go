package testinstance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/crewplan/crewplan/host/internal/config"
)

// WriteProfile writes dir/test.yaml, the test profile, from production's
// configuration in dir when the folder has none, and returns its path
// ("" when one was there already). Each of the test instance's places is
// production's with "_test" added (data/crewplan.db gives
// data/crewplan_test.db), its port is production's plus one, and sync is
// off. A production on PostgreSQL needs its test database named by hand.
func WriteProfile(dir string) (string, error) {
	path := filepath.Join(dir, config.ProfileTest+".yaml")
	if _, err := os.Stat(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	prod, err := config.Load(config.LoadOptions{Dir: dir, Profile: config.ProfileProduction, Environ: []string{}})
	if err != nil {
		return "", fmt.Errorf("production's configuration: %w", err)
	}
	if prod.Database.Driver() != config.DriverSQLite {
		return "", fmt.Errorf("production's database is on PostgreSQL: write %s with a database of the test instance's own in database.url (see docs/operations.md)", path)
	}
	if prod.Server.Port >= 65535 {
		return "", fmt.Errorf("production's port is %d: write %s with a port of the test instance's own", prod.Server.Port, path)
	}
	logFile := suffixed(prod.Log.File)
	if logFile == "" {
		logFile = "logs/crewplan_test.log"
	}
	target, err := json.Marshal(map[string]any{"plugin": "backup-local", "config": map[string]any{"dir": suffixed(backupDir(prod)), "create": true}})
	if err != nil {
		return "", err
	}
	profile := map[string]any{
		"server":   map[string]any{"port": prod.Server.Port + 1},
		"database": map[string]any{"url": suffixed(prod.Database.Path())},
		"log":      map[string]any{"file": logFile},
		"sync":     map[string]any{"enabled": false},
		"ui":       map[string]any{"banner": config.TestBanner},
		"ranker":   map[string]any{"dir": suffixed(prod.Ranker.Dir)},
		"backup": map[string]any{
			"work_dir": suffixed(prod.Backup.WorkDir),
			"targets":  map[string]any{"local": string(target)},
		},
	}
	body, err := yaml.Marshal(profile)
	if err != nil {
		return "", err
	}
	head := "# Test profile, written by `crewplan testinstance create` from production's\n" +
		"# configuration: a separate instance for trying things out on a copy of\n" +
		"# production's database. Its places are production's with _test added.\n" +
		"# `crewplan testinstance cleanup --config` removes this file.\n\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("write the test profile: %w", err)
	}
	_, err = f.WriteString(head + string(body))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write the test profile: %w", err)
	}
	return path, nil
}

// backupDir returns the folder of production's first backup-local target,
// or data/backups.
func backupDir(prod *config.Config) string {
	targets, _ := prod.Backup.BackupTargets()
	for _, t := range targets {
		var c struct {
			Dir string `json:"dir"`
		}
		if t.Plugin == "backup-local" && json.Unmarshal(t.Config, &c) == nil && c.Dir != "" {
			return c.Dir
		}
	}
	return "data/backups"
}

// suffixed adds "_test" to a path, before its extension: data/crewplan.db
// gives data/crewplan_test.db, data/models gives data/models_test.
func suffixed(path string) string {
	if path == "" {
		return ""
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "_test" + ext
}
