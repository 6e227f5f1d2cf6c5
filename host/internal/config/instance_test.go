package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/config"
)

// TestCheckIsolation: a test instance is refused when it shares
// production's database (written another way too), port, log file, models
// folder, backup work folder or backup target, each named with what to do; the repository's own test profile
// is apart.
func TestCheckIsolation(t *testing.T) {
	load := func(profile string, environ ...string) *config.Config {
		t.Helper()
		cfg, err := config.Load(config.LoadOptions{Dir: "../../../configs", Profile: profile, Environ: environ})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	prod := load(config.ProfileProduction)
	if err := load(config.ProfileTest).CheckIsolation(prod); err != nil {
		t.Errorf("the repository's test profile: %v", err)
	}
	got, err := load(config.ProfileTest).Production()
	if err != nil || got.Database.URL != prod.Database.URL || got.Profile != config.ProfileProduction {
		t.Errorf("Production() = %+v, %v", got, err)
	}
	for _, tt := range []struct {
		env, key string
	}{
		{"CREWPLAN_DATABASE__URL=data/crewplan.db", "database.url"},
		{"CREWPLAN_DATABASE__URL=sqlite:./data/../data/crewplan.db", "database.url"},
		{"CREWPLAN_SERVER__PORT=8000", "server.port"},
		{"CREWPLAN_BACKUP__WORK_DIR=data/backup-work", "backup.work_dir"},
		{"CREWPLAN_LOG__FILE=logs/../logs/crewplan.log", "log.file"},
		{"CREWPLAN_RANKER__DIR=data/models", "ranker.dir"},
		{`CREWPLAN_BACKUP__TARGETS__LOCAL={"plugin": "backup-local", "config": {"dir": "./data/backups"}}`, "backup.targets.local"},
	} {
		err := load(config.ProfileTest, tt.env).CheckIsolation(prod)
		var ve *config.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Key != tt.key || !strings.Contains(err.Error(), "production's") {
			t.Errorf("%s: %v", tt.env, err)
		}
	}
	// Two PostgreSQL URLs that name the same database.
	pg := load(config.ProfileProduction, "CREWPLAN_DATABASE__URL=postgresql://crewplan@db/crewplan")
	err = load(config.ProfileTest, "CREWPLAN_DATABASE__URL=postgres://crewplan@db/crewplan").CheckIsolation(pg)
	if err == nil || !strings.Contains(err.Error(), "database.url") {
		t.Errorf("the same PostgreSQL database: %v", err)
	}
	if load(config.ProfileTest, "CREWPLAN_DATABASE__URL=postgres://crewplan@db/crewplan_test").CheckIsolation(pg) != nil {
		t.Error("another PostgreSQL database was refused")
	}
}
