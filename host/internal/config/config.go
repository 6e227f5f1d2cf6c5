// Package config loads crewplan's configuration into one typed Config.
//
// Settings come in layers, each overriding the ones before it: defaults
// written in Go, <dir>/base.yaml, <dir>/<profile>.yaml, CREWPLAN_*
// environment variables ("__" separates a section from its key, as in
// CREWPLAN_SERVER__PORT) and finally the command-line flags the user set.
// Load remembers which layer set each key (see Config.Source), refuses
// keys it does not know, and validates the result.
package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Profile names. A profile selects <dir>/<profile>.yaml.
const (
	ProfileProduction = "production"
	ProfileTest       = "test"
	ProfileDev        = "dev"
)

// Profiles returns the names of the profiles crewplan knows, the default
// first.
func Profiles() []string {
	return []string{ProfileProduction, ProfileTest, ProfileDev}
}

// Config is crewplan's whole configuration. Fields tagged secret are
// replaced by Redacted; secret:"url" hides only a URL's password.
type Config struct {
	// Profile is the profile Load chose; no file, variable or flag sets it
	// directly (use CREWPLAN_PROFILE or LoadOptions.Profile).
	Profile  string         `koanf:"profile" settable:"false"`
	Server   ServerConfig   `koanf:"server"`
	Database DatabaseConfig `koanf:"database"`
	Log      LogConfig      `koanf:"log"`
	// Timezone is the IANA name of the store's time zone, or "Local".
	Timezone string        `koanf:"timezone"`
	Sync     SyncConfig    `koanf:"sync"`
	Auth     AuthConfig    `koanf:"auth"`
	UI       UIConfig      `koanf:"ui"`
	Demo     DemoConfig    `koanf:"demo"`
	Plugins  PluginsConfig `koanf:"plugins"`
	Ranker   RankerConfig  `koanf:"ranker"`
	Backup   BackupConfig  `koanf:"backup"`

	sources  map[string]string // leaf key → layer that last set it
	files    []string          // the files Load read, in order
	location *time.Location    // cached by Validate
}

// ServerConfig is the HTTP server's configuration.
type ServerConfig struct {
	Host            string        `koanf:"host"`
	Port            int           `koanf:"port"`
	ReadTimeout     time.Duration `koanf:"read_timeout"`
	WriteTimeout    time.Duration `koanf:"write_timeout"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
}

// Addr returns the host:port the server listens on.
func (s ServerConfig) Addr() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// DatabaseConfig says which database to use and how.
type DatabaseConfig struct {
	// URL is a SQLite file path, optionally prefixed "sqlite:" or "file:",
	// or a postgres:// or postgresql:// URL.
	URL string `koanf:"url" secret:"url"`
	// MaxReaders is the size of the SQLite reader pool or of the
	// PostgreSQL connection pool.
	MaxReaders int `koanf:"max_readers"`
	// BusyTimeout is how long a SQLite connection waits for a lock.
	BusyTimeout time.Duration `koanf:"busy_timeout"`
	// AutoMigrate makes serve run the migrations at start.
	AutoMigrate bool `koanf:"auto_migrate"`
}

// Database drivers returned by DatabaseConfig.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Driver returns DriverPostgres for a postgres:// or postgresql:// URL and
// DriverSQLite for anything else.
func (d DatabaseConfig) Driver() string {
	if strings.HasPrefix(d.URL, "postgres://") || strings.HasPrefix(d.URL, "postgresql://") {
		return DriverPostgres
	}
	return DriverSQLite
}

// Path returns the SQLite file path: the URL without its "sqlite:" or
// "file:" prefix and without any "?query". It returns "" for PostgreSQL.
func (d DatabaseConfig) Path() string {
	if d.Driver() != DriverSQLite {
		return ""
	}
	p := strings.TrimPrefix(d.URL, "sqlite:")
	p = strings.TrimPrefix(p, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// LogConfig is the logger's configuration.
type LogConfig struct {
	// Level is debug, info, warn or error.
	Level string `koanf:"level"`
	// Format is text or json.
	Format string `koanf:"format"`
	// File, when set, receives the logs as well as stderr.
	File string `koanf:"file"`
}

// SyncConfig is the configuration of the push to the external planning
// system.
type SyncConfig struct {
	Enabled  bool          `koanf:"enabled"`
	BaseURL  string        `koanf:"base_url" secret:"url"`
	Username string        `koanf:"username"`
	Password string        `koanf:"password" secret:"true"`
	Timeout  time.Duration `koanf:"timeout"`
}

// AuthConfig is the configuration of sign-in sessions.
type AuthConfig struct {
	SessionTTL   time.Duration `koanf:"session_ttl"`
	CookieSecure bool          `koanf:"cookie_secure"`
}

// UIConfig is the configuration of the web pages.
type UIConfig struct {
	// Banner is shown on every page when not empty.
	Banner string `koanf:"banner"`
}

// DemoConfig is the configuration of the demo data.
type DemoConfig struct {
	// LoadWhenEmpty makes serve load the demo store into an empty database.
	LoadWhenEmpty bool `koanf:"load_when_empty"`
}

// PluginsConfig says how the host runs plugins, and which third-party
// plugin binaries it runs beside the built-in ones.
type PluginsConfig struct {
	// Dir is the folder of third-party plugin binaries; "" means none.
	// Every file in it must be pinned in SHA256.
	Dir string `koanf:"dir"`
	// SHA256 pins each third-party binary of Dir, by file name, to the
	// SHA-256 (hex) it must have; a binary that does not match is refused.
	SHA256 map[string]string `koanf:"sha256"`
	// Config holds each plugin's configuration section as JSON, by plugin
	// name (built-in or third-party); a plugin without one gets "{}".
	Config map[string]string `koanf:"config"`
	// StartTimeout bounds a plugin's start and handshake.
	StartTimeout time.Duration `koanf:"start_timeout"`
	// CallTimeout bounds one call to a plugin; a plugin that takes longer
	// is taken for hung and restarted.
	CallTimeout time.Duration `koanf:"call_timeout"`
	// HealthInterval is how often the host pings each plugin and restarts
	// one that does not answer.
	HealthInterval time.Duration `koanf:"health_interval"`
}

// RankerConfig is the configuration of the ranking models.
type RankerConfig struct {
	// Dir holds the model registry's module files and the compilation
	// cache of the WebAssembly runtime.
	Dir string `koanf:"dir"`
	// ConfidenceThreshold: a decision whose first choice the active model
	// scores under it (a probability, 0 to 1) is left to the rule-based
	// ranking. 0 never leaves one for that reason.
	ConfidenceThreshold float64 `koanf:"confidence_threshold"`
	// Shadow makes the active model score every placement while the rules
	// decide; each run's record says how often the two agreed. A value
	// stored with `crewplan ranker shadow on|off` wins over this one.
	Shadow bool `koanf:"shadow"`
	// Deadline bounds one scoring call of a model.
	Deadline time.Duration `koanf:"deadline"`
	// MaxMemoryMB caps a model instance's memory.
	MaxMemoryMB int `koanf:"max_memory_mb"`
}

// Default returns the configuration crewplan uses when no file, variable
// or flag says otherwise. Its Profile is empty.
func Default() Config {
	return Config{
		Server: ServerConfig{
			Host:            "127.0.0.1",
			Port:            8000,
			ReadTimeout:     15 * time.Second,
			WriteTimeout:    30 * time.Second,
			ShutdownTimeout: 10 * time.Second,
		},
		Database: DatabaseConfig{
			URL:         "data/crewplan.db",
			MaxReaders:  4,
			BusyTimeout: 5 * time.Second,
			AutoMigrate: true,
		},
		Log:      LogConfig{Level: "info", Format: "text"},
		Timezone: "Local",
		Sync:     SyncConfig{Timeout: 10 * time.Second},
		Auth:     AuthConfig{SessionTTL: 12 * time.Hour},
		Plugins:  PluginsConfig{StartTimeout: 10 * time.Second, CallTimeout: 60 * time.Second, HealthInterval: 10 * time.Second},
		Ranker:   RankerConfig{Dir: "data/models", ConfidenceThreshold: 0.5, Deadline: 50 * time.Millisecond, MaxMemoryMB: 64},
		Backup: BackupConfig{
			Schedule:      "0 0 * * *",
			WorkDir:       "data/backup-work",
			Targets:       map[string]string{"local": `{"plugin": "backup-local", "config": {"dir": "data/backups", "create": true}}`},
			RetentionDays: 7,
		},
	}
}

// Source returns where the value of a key (such as "server.port") came
// from: "default", a file path such as "configs/test.yaml", an environment
// variable such as "env CREWPLAN_SERVER__PORT" or a flag such as
// "flag --port". The profile's source is "option" when it came from
// LoadOptions.Profile. Source returns "" for a key Load did not set, and
// for every key of a Config that Load did not build.
func (c *Config) Source(key string) string {
	return c.sources[key]
}

// Location returns the time zone Timezone names. Call it on a validated
// Config only (Load validates): it panics when Timezone does not load,
// which Validate would have reported.
func (c *Config) Location() *time.Location {
	if c.location != nil && c.location.String() == c.Timezone {
		return c.location
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		panic(fmt.Sprintf("config: Location called on an unvalidated config: %v", err))
	}
	return loc
}
