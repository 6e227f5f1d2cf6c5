package config

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// TestInstanceHeader is the header every response of a test instance
// carries, with the value "test".
const TestInstanceHeader = "X-Crewplan-Instance"

// TestBanner is the banner of a test instance whose configuration sets
// none.
const TestBanner = "TEST INSTANCE — changes here do not reach production"

// Production loads the production profile's configuration from the files
// this one came from (the same folder), without the environment and flags
// of this process, which are the test instance's: what production runs
// with.
func (c *Config) Production() (*Config, error) {
	files := c.Files()
	if len(files) == 0 {
		return nil, fmt.Errorf("the %s profile's configuration came from no file: cannot find production's", c.Profile)
	}
	return Load(LoadOptions{Dir: filepath.Dir(files[0]), Profile: ProfileProduction, Environ: []string{}})
}

// CheckIsolation reports what makes a test instance (c, the test profile)
// touch production (prod): the same database, port, log file, models
// folder, backup work folder or backup target (Validate refuses sync on). Each problem names the
// key and what to do.
func (c *Config) CheckIsolation(prod *Config) error {
	var problems []Problem
	add := func(key, format string, args ...any) {
		problems = append(problems, Problem{Key: key, Source: c.Source(key), Message: fmt.Sprintf(format, args...)})
	}
	if SameDatabase(c.Database, prod.Database) {
		add("database.url", "%s is production's database: give the test instance a database of its own (a copy of production's)", redactURL(c.Database.URL))
	}
	if c.Server.Port == prod.Server.Port {
		add("server.port", "%d is production's port: give the test instance its own (8001)", c.Server.Port)
	}
	if samePath(c.Backup.WorkDir, prod.Backup.WorkDir) {
		add("backup.work_dir", "%s is production's: give the test instance its own", c.Backup.WorkDir)
	}
	if c.Log.File != "" && samePath(c.Log.File, prod.Log.File) {
		add("log.file", "%s is production's log: give the test instance its own (logs/crewplan_test.log)", c.Log.File)
	}
	if samePath(c.Ranker.Dir, prod.Ranker.Dir) {
		add("ranker.dir", "%s is production's models folder: give the test instance its own (data/models_test)", c.Ranker.Dir)
	}
	for _, name := range sameTargets(c.Backup, prod.Backup) {
		add("backup.targets."+name, "is one of production's backup targets, whose backups the test instance's retention would remove: give the test instance a folder or prefix of its own")
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// SameDatabase reports whether two database configurations name one
// database: SQLite paths that resolve to the same file, or PostgreSQL URLs
// that are the same but for their scheme's spelling.
func SameDatabase(a, b DatabaseConfig) bool {
	if a.Driver() != b.Driver() {
		return false
	}
	if a.Driver() == DriverPostgres {
		norm := func(u string) string { return strings.Replace(u, "postgresql://", "postgres://", 1) }
		return norm(a.URL) == norm(b.URL)
	}
	return samePath(a.Path(), b.Path())
}

// samePath reports whether two paths name one file, relative ones from
// the working directory.
func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// sameTargets returns the names of c's backup targets that are also one of
// prod's: the same plugin with the same configuration, or for
// backup-local, the same folder.
func sameTargets(c, prod BackupConfig) []string {
	mine, err1 := c.BackupTargets()
	theirs, err2 := prod.BackupTargets()
	if err1 != nil || err2 != nil {
		return nil // Validate reported them
	}
	var out []string
	for _, t := range mine {
		for _, p := range theirs {
			if t.Plugin == p.Plugin && sameTargetConfig(t, p) {
				out = append(out, t.Name)
				break
			}
		}
	}
	return out
}

// sameTargetConfig reports whether two targets of one plugin store in the
// same place.
func sameTargetConfig(a, b BackupTarget) bool {
	if a.Plugin == "backup-local" {
		var da, db struct {
			Dir string `json:"dir"`
		}
		if json.Unmarshal(a.Config, &da) == nil && json.Unmarshal(b.Config, &db) == nil && da.Dir != "" {
			return samePath(da.Dir, db.Dir)
		}
	}
	var va, vb any
	if json.Unmarshal(a.Config, &va) != nil || json.Unmarshal(b.Config, &vb) != nil {
		return string(a.Config) == string(b.Config)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}
