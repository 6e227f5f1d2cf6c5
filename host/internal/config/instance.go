package config

import (
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
// touch production (prod): the same database, the same port or the same
// backup work folder (Validate refuses sync on). Each problem names the
// key and what to do.
func (c *Config) CheckIsolation(prod *Config) error {
	var problems []Problem
	add := func(key, format string, args ...any) {
		problems = append(problems, Problem{Key: key, Source: c.Source(key), Message: fmt.Sprintf(format, args...)})
	}
	if sameDatabase(c.Database, prod.Database) {
		add("database.url", "%s is production's database: give the test instance a database of its own (a copy of production's)", redactURL(c.Database.URL))
	}
	if c.Server.Port == prod.Server.Port {
		add("server.port", "%d is production's port: give the test instance its own (8001)", c.Server.Port)
	}
	if samePath(c.Backup.WorkDir, prod.Backup.WorkDir) {
		add("backup.work_dir", "%s is production's: give the test instance its own", c.Backup.WorkDir)
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// sameDatabase reports whether two database configurations name one
// database.
func sameDatabase(a, b DatabaseConfig) bool {
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
