package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/pflag"
	yaml "go.yaml.in/yaml/v3"

	"github.com/crewplan/crewplan/host/internal/config"
)

// repoConfigs is the repository's configs folder, seen from this package.
const repoConfigs = "../../../configs"

// writeDir writes files (name → content) into a new folder and returns it.
func writeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// flagSet returns the flags a crewplan command might have, parsed from args.
func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("crewplan", pflag.ContinueOnError)
	config.AddFlags(fs)
	fs.String("profile", "", "not a config key")
	fs.Bool("verbose", false, "not a config key")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestLoadLayerOrder(t *testing.T) {
	tests := []struct {
		name       string
		base, prod string
		environ    []string
		args       []string
		wantPort   int
		wantSource string // "base" and "prod" stand for the files' paths
	}{
		{name: "default", wantPort: 8000, wantSource: "default"},
		{name: "base over default", base: "server: {port: 8100}", wantPort: 8100, wantSource: "base"},
		{
			name: "profile over base",
			base: "server: {port: 8100}", prod: "server: {port: 8200}",
			wantPort: 8200, wantSource: "prod",
		},
		{
			name: "env over profile",
			base: "server: {port: 8100}", prod: "server: {port: 8200}",
			environ:  []string{"CREWPLAN_SERVER__PORT=8300"},
			wantPort: 8300, wantSource: "env CREWPLAN_SERVER__PORT",
		},
		{
			name: "flag over env",
			base: "server: {port: 8100}", prod: "server: {port: 8200}",
			environ:  []string{"CREWPLAN_SERVER__PORT=8300"},
			args:     []string{"--port", "8400"},
			wantPort: 8400, wantSource: "flag --port",
		},
		{
			name:     "unset flag leaves env",
			environ:  []string{"CREWPLAN_SERVER__PORT=8300"},
			args:     []string{"--host", "0.0.0.0", "--profile", "production"},
			wantPort: 8300, wantSource: "env CREWPLAN_SERVER__PORT",
		},
		{
			name:     "dotted key in a file",
			prod:     "server.port: 8500",
			wantPort: 8500, wantSource: "prod",
		},
		{
			name:     "empty section keeps lower layers",
			base:     "server: {port: 8100}",
			prod:     "server:\n  # port: 1\n",
			wantPort: 8100, wantSource: "base",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"base.yaml": tt.base, "production.yaml": tt.prod})
			cfg, err := config.Load(config.LoadOptions{
				Dir:     dir,
				Environ: append([]string{}, tt.environ...),
				Flags:   flagSet(t, tt.args...),
			})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.Server.Port != tt.wantPort {
				t.Errorf("server.port = %d, want %d", cfg.Server.Port, tt.wantPort)
			}
			want := map[string]string{
				"base": filepath.Join(dir, "base.yaml"),
				"prod": filepath.Join(dir, "production.yaml"),
			}[tt.wantSource]
			if want == "" {
				want = tt.wantSource
			}
			if got := cfg.Source("server.port"); got != want {
				t.Errorf("Source(server.port) = %q, want %q", got, want)
			}
			if got := cfg.Source("log.level"); got != "default" {
				t.Errorf("Source(log.level) = %q, want default", got)
			}
			if got := cfg.Source("profile"); got != "default" {
				t.Errorf("Source(profile) = %q, want default", got)
			}
		})
	}
}

func TestLoadTypesFromEachLayer(t *testing.T) {
	want := config.Default()
	want.Profile = "dev"
	want.Server.Host = "0.0.0.0"
	want.Server.Port = 9000
	want.Server.ReadTimeout = time.Minute
	want.Server.WriteTimeout = 90 * time.Second
	want.Database.URL = "postgres://crew:pw@db:5432/crewplan"
	want.Database.MaxReaders = 8
	want.Database.AutoMigrate = false
	want.Log = config.LogConfig{Level: "warn", Format: "json", File: "x.log"}
	want.Timezone = "Europe/Paris"
	want.Sync = config.SyncConfig{
		Enabled: true, BaseURL: "https://planning.example.com", Username: "12345",
		Password: "0123", Timeout: 20 * time.Second,
	}
	want.Auth.CookieSecure = true
	want.UI.Banner = "hello"
	want.Demo.LoadWhenEmpty = true

	dir := writeDir(t, map[string]string{
		"base.yaml": `
server:
  read_timeout: 1m
database:
  max_readers: 8
  auto_migrate: false
sync:
  username: "12345"
  password: "0123"
`,
		"dev.yaml": `
timezone: Europe/Paris
log: {level: debug, format: json}
ui: {banner: hello}
`,
	})
	cfg, err := config.Load(config.LoadOptions{
		Dir:     dir,
		Profile: "dev",
		Environ: []string{
			"CREWPLAN_SERVER__WRITE_TIMEOUT=90s",
			"CREWPLAN_SYNC__ENABLED=true",
			"CREWPLAN_SYNC__BASE_URL=https://planning.example.com",
			"CREWPLAN_SYNC__TIMEOUT=20s",
			"CREWPLAN_AUTH__COOKIE_SECURE=1",
			"CREWPLAN_DEMO__LOAD_WHEN_EMPTY=TRUE",
		},
		Flags: flagSet(t, "--host=0.0.0.0", "--port=9000", "--db=postgres://crew:pw@db:5432/crewplan",
			"--log-level=warn", "--log-file=x.log"),
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(want, *cfg, cmpopts.IgnoreUnexported(config.Config{})); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	if got := cfg.Source("database.url"); got != "flag --db" {
		t.Errorf("Source(database.url) = %q, want flag --db", got)
	}
	if got := cfg.Source("profile"); got != "option" {
		t.Errorf("Source(profile) = %q, want option", got)
	}
}

func TestLoadRepoConfigs(t *testing.T) {
	tests := []struct {
		profile  string
		port     int
		db       string
		logFile  string
		logLevel string
		banner   string
	}{
		{"production", 8000, "data/crewplan.db", "logs/crewplan.log", "info", ""},
		{"test", 8001, "data/crewplan_test.db", "logs/crewplan_test.log", "info",
			"TEST INSTANCE — changes here do not reach production"},
		{"dev", 8000, "data/crewplan_dev.db", "logs/crewplan_dev.log", "debug", ""},
	}
	if len(tests) != len(config.Profiles()) {
		t.Fatalf("test covers %d profiles, Profiles() has %d", len(tests), len(config.Profiles()))
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			cfg, err := config.Load(config.LoadOptions{Dir: repoConfigs, Profile: tt.profile, Environ: []string{}})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := []any{cfg.Profile, cfg.Server.Port, cfg.Database.URL, cfg.Log.File, cfg.Log.Level, cfg.UI.Banner, cfg.Sync.Enabled}
			want := []any{tt.profile, tt.port, tt.db, tt.logFile, tt.logLevel, tt.banner, false}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("profile, port, db, log file, log level, banner, sync (-want +got):\n%s", diff)
			}
			if got, want := cfg.Source("server.port"), filepath.Join(repoConfigs, tt.profile+".yaml"); got != want {
				t.Errorf("Source(server.port) = %q, want %q", got, want)
			}
			if got, want := cfg.Source("server.host"), filepath.Join(repoConfigs, "base.yaml"); got != want {
				t.Errorf("Source(server.host) = %q, want %q", got, want)
			}
			if cfg.Database.Driver() != config.DriverSQLite || cfg.Database.Path() != tt.db {
				t.Errorf("Driver, Path = %q, %q; want sqlite, %q", cfg.Database.Driver(), cfg.Database.Path(), tt.db)
			}
			if cfg.Location() == nil {
				t.Error("Location() = nil")
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const valid = "server: {port: 8000}\n"
	tests := []struct {
		name    string
		files   map[string]string // "" content for a file that must not exist is left out
		profile string
		environ []string
		want    []string // substrings of the error; "DIR" stands for the folder
		notWant []string
	}{
		{
			name:    "unknown profile",
			files:   map[string]string{"base.yaml": valid},
			profile: "staging",
			want:    []string{`unknown profile "staging" (from option); use one of production, test, dev`},
		},
		{
			name:    "unknown profile from env",
			files:   map[string]string{"base.yaml": valid},
			environ: []string{"CREWPLAN_PROFILE=prod"},
			want:    []string{`unknown profile "prod" (from env CREWPLAN_PROFILE)`},
		},
		{
			name:  "missing base.yaml",
			files: map[string]string{"production.yaml": valid},
			want:  []string{"config file DIR/base.yaml: not found"},
		},
		{
			name:    "missing profile file",
			files:   map[string]string{"base.yaml": valid, "production.yaml": valid},
			profile: "test",
			want:    []string{"config file DIR/test.yaml: not found (profile test needs this file"},
		},
		{
			name:  "malformed YAML",
			files: map[string]string{"base.yaml": "server:\n  port: 8000\n bad: [\n", "production.yaml": ""},
			want:  []string{"config file DIR/base.yaml: yaml: line"},
		},
		{
			name:  "top level is a list",
			files: map[string]string{"base.yaml": "", "production.yaml": "- server\n"},
			want:  []string{`config file DIR/production.yaml: the top level must be keys such as "server:"`},
		},
		{
			name:  "unknown key",
			files: map[string]string{"base.yaml": "sever:\n  port: 8000\n", "production.yaml": ""},
			want:  []string{`config file DIR/base.yaml: unknown key "sever" (did you mean "server"?)`},
		},
		{
			name:  "unknown nested key",
			files: map[string]string{"base.yaml": "", "production.yaml": "database:\n  ulr: x.db\n"},
			want:  []string{`config file DIR/production.yaml: unknown key "database.ulr" (did you mean "database.url"?)`},
		},
		{
			name:  "profile is not a file key",
			files: map[string]string{"base.yaml": "profile: test\n", "production.yaml": ""},
			want:  []string{`config file DIR/base.yaml: unknown key "profile" (choose the profile with CREWPLAN_PROFILE`},
		},
		{
			name:  "section given a value",
			files: map[string]string{"base.yaml": "server: 8000\n", "production.yaml": ""},
			want:  []string{`config file DIR/base.yaml: "server" is a section`},
		},
		{
			name:  "key without a value",
			files: map[string]string{"base.yaml": "log:\n  file:\n", "production.yaml": ""},
			want:  []string{`config file DIR/base.yaml: key "log.file" has no value`},
		},
		{
			name:  "key set twice",
			files: map[string]string{"base.yaml": "server.port: 1\nserver: {port: 2}\n", "production.yaml": ""},
			want:  []string{`config file DIR/base.yaml: key "server.port" is set twice`},
		},
		{
			name:    "unknown env var",
			files:   map[string]string{"base.yaml": "", "production.yaml": ""},
			environ: []string{"CREWPLAN_SERVER_PORT=8001"},
			want:    []string{"env CREWPLAN_SERVER_PORT: not a crewplan setting (did you mean CREWPLAN_SERVER__PORT?"},
		},
		{
			name:    "env var with a typo",
			files:   map[string]string{"base.yaml": "", "production.yaml": ""},
			environ: []string{"CREWPLAN_LOG__LEVLE=debug"},
			want:    []string{"env CREWPLAN_LOG__LEVLE: not a crewplan setting (did you mean CREWPLAN_LOG__LEVEL?)"},
		},
		{
			name:    "env var naming a section",
			files:   map[string]string{"base.yaml": "", "production.yaml": ""},
			environ: []string{"CREWPLAN_SERVER=x"},
			want:    []string{"env CREWPLAN_SERVER: not a crewplan setting"},
		},
		{
			name:    "port not a number",
			files:   map[string]string{"base.yaml": "", "production.yaml": ""},
			environ: []string{"CREWPLAN_SERVER__PORT=abc"},
			want:    []string{`server.port: "abc" is not a whole number (set in env CREWPLAN_SERVER__PORT)`},
		},
		{
			name:  "duration not a duration",
			files: map[string]string{"base.yaml": "server:\n  read_timeout: soon\n", "production.yaml": ""},
			want:  []string{`server.read_timeout: "soon" is not a duration (write it like 30s, 5m or 12h) (set in DIR/base.yaml)`},
		},
		{
			name:    "duration from env",
			files:   map[string]string{"base.yaml": "", "production.yaml": ""},
			environ: []string{"CREWPLAN_AUTH__SESSION_TTL=soon"},
			want:    []string{`auth.session_ttl: "soon" is not a duration`, "(set in env CREWPLAN_AUTH__SESSION_TTL)"},
		},
		{
			name:  "duration without a unit",
			files: map[string]string{"base.yaml": "sync:\n  timeout: 15\n", "production.yaml": ""},
			want:  []string{"sync.timeout: 15 has no unit (write it like 15s, 15m or 15h)"},
		},
		{
			name:  "bool not a bool",
			files: map[string]string{"base.yaml": "database: {auto_migrate: maybe}\n", "production.yaml": ""},
			want:  []string{`database.auto_migrate: "maybe" is not true or false`},
		},
		{
			name:    "secret as a YAML number is refused without showing it",
			files:   map[string]string{"base.yaml": "sync:\n  password: 987654\n", "production.yaml": ""},
			want:    []string{"sync.password: expects text but got a number; put the value in quotes"},
			notWant: []string{"987654"},
		},
		{
			name:    "every problem at once",
			files:   map[string]string{"base.yaml": "sever: {}\n", "production.yaml": "log: {levle: debug}\n"},
			environ: []string{"CREWPLAN_NOPE=1", "CREWPLAN_SERVER__PORT=x"},
			want: []string{
				`DIR/base.yaml: unknown key "sever"`,
				`DIR/production.yaml: unknown key "log.levle"`,
				"env CREWPLAN_NOPE: not a crewplan setting",
				`server.port: "x" is not a whole number`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, tt.files)
			cfg, err := config.Load(config.LoadOptions{
				Dir: dir, Profile: tt.profile, Environ: append([]string{}, tt.environ...),
			})
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want an error", cfg)
			}
			if cfg != nil {
				t.Errorf("Load returned a config with its error")
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ncontains %s", err, w)
				}
			}
		})
	}
}

func TestLoadIgnoresNonConfigEnv(t *testing.T) {
	dir := writeDir(t, map[string]string{"base.yaml": "", "test.yaml": "server: {port: 8001}\n"})
	cfg, err := config.Load(config.LoadOptions{Environ: []string{
		"HOME=/home/crew",
		"CREWPLAN_PROFILE=test",
		"CREWPLAN_CONFIG_DIR=" + dir,
		"CREWPLAN_TEST_POSTGRES_URL=postgres://localhost/test",
		"CREWPLAN_PLUGIN_MAXDAYS_LIMIT=5",
		"crewplan_server__port=1", // not the prefix: not ours
	}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Profile != "test" || cfg.Server.Port != 8001 {
		t.Errorf("profile, port = %q, %d; want test, 8001", cfg.Profile, cfg.Server.Port)
	}
	if got := cfg.Source("profile"); got != "env CREWPLAN_PROFILE" {
		t.Errorf("Source(profile) = %q, want env CREWPLAN_PROFILE", got)
	}
}

func TestLoadValidationProblems(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"base.yaml": "log: {level: verbose}\n",
		"test.yaml": "database: {max_readers: 0}\nsync: {enabled: true, base_url: https://planning.example.com}\n",
	})
	_, err := config.Load(config.LoadOptions{
		Dir: dir, Profile: "test",
		Environ: []string{"CREWPLAN_SERVER__PORT=70000"},
		Flags:   flagSet(t, "--log-format", "xml"),
	})
	var verr *config.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Load error = %v, want a *ValidationError", err)
	}
	base, test := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "test.yaml")
	want := []config.Problem{
		{Key: "server.port", Source: "env CREWPLAN_SERVER__PORT", Message: "70000 is not a port number (1-65535)"},
		{Key: "database.max_readers", Source: test, Message: "0 is outside 1-64"},
		{Key: "log.level", Source: base, Message: `"verbose" is not a log level; use one of debug, info, warn, error`},
		{Key: "log.format", Source: "flag --log-format", Message: `"xml" is not a log format; use one of text, json`},
		{Key: "sync.enabled", Source: test,
			Message: "a test instance never pushes to the external planning system; set sync.enabled to false"},
	}
	if diff := cmp.Diff(want, verr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	firstLine, _, _ := strings.Cut(verr.Error(), "\n")
	if wantLine := "server.port: 70000 is not a port number (1-65535) (set in env CREWPLAN_SERVER__PORT)"; firstLine != wantLine {
		t.Errorf("first line = %q, want %q", firstLine, wantLine)
	}
	if n := strings.Count(verr.Error(), "\n") + 1; n != len(want) {
		t.Errorf("Error() has %d lines, want %d", n, len(want))
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		change   func(c *config.Config)
		wantKeys []string
	}{
		{name: "defaults", change: func(*config.Config) {}},
		{name: "port zero", change: func(c *config.Config) { c.Server.Port = 0 }, wantKeys: []string{"server.port"}},
		{name: "port too big", change: func(c *config.Config) { c.Server.Port = 65536 }, wantKeys: []string{"server.port"}},
		{
			name: "timeouts not positive",
			change: func(c *config.Config) {
				c.Server.ReadTimeout, c.Server.WriteTimeout, c.Server.ShutdownTimeout = 0, -time.Second, 0
				c.Database.BusyTimeout, c.Sync.Timeout, c.Auth.SessionTTL = 0, 0, 0
			},
			wantKeys: []string{"server.read_timeout", "server.write_timeout", "server.shutdown_timeout",
				"database.busy_timeout", "sync.timeout", "auth.session_ttl"},
		},
		{name: "empty database", change: func(c *config.Config) { c.Database.URL = "" }, wantKeys: []string{"database.url"}},
		{name: "sqlite prefix", change: func(c *config.Config) { c.Database.URL = "sqlite:data/x.db" }},
		{name: "file prefix absolute", change: func(c *config.Config) { c.Database.URL = "file:///var/lib/crewplan/x.db" }},
		{name: "sqlite with a host", change: func(c *config.Config) { c.Database.URL = "sqlite://data/x.db" }, wantKeys: []string{"database.url"}},
		{name: "sqlite options", change: func(c *config.Config) { c.Database.URL = "data/x.db?_pragma=foo" }, wantKeys: []string{"database.url"}},
		{name: "sqlite prefix only", change: func(c *config.Config) { c.Database.URL = "sqlite:" }, wantKeys: []string{"database.url"}},
		{name: "postgres", change: func(c *config.Config) { c.Database.URL = "postgresql://crew:pw@db/crewplan" }},
		{name: "bad postgres URL", change: func(c *config.Config) { c.Database.URL = "postgres://crew:pw@db:port/x" }, wantKeys: []string{"database.url"}},
		{name: "other database", change: func(c *config.Config) { c.Database.URL = "mysql://db/crewplan" }, wantKeys: []string{"database.url"}},
		{name: "readers", change: func(c *config.Config) { c.Database.MaxReaders = 65 }, wantKeys: []string{"database.max_readers"}},
		{name: "log level", change: func(c *config.Config) { c.Log.Level = "INFO" }, wantKeys: []string{"log.level"}},
		{name: "log format", change: func(c *config.Config) { c.Log.Format = "" }, wantKeys: []string{"log.format"}},
		{name: "time zone", change: func(c *config.Config) { c.Timezone = "Europe/Pariss" }, wantKeys: []string{"timezone"}},
		{name: "empty time zone", change: func(c *config.Config) { c.Timezone = "" }, wantKeys: []string{"timezone"}},
		{name: "UTC", change: func(c *config.Config) { c.Timezone = "UTC" }},
		{name: "sync without URL", change: func(c *config.Config) { c.Sync.Enabled = true }, wantKeys: []string{"sync.base_url"}},
		{
			name:     "sync with a non-http URL",
			change:   func(c *config.Config) { c.Sync.Enabled, c.Sync.BaseURL = true, "ftp://planning" },
			wantKeys: []string{"sync.base_url"},
		},
		{
			name:     "bad sync URL even when off",
			change:   func(c *config.Config) { c.Sync.BaseURL = "planning.example.com" },
			wantKeys: []string{"sync.base_url"},
		},
		{name: "sync on", change: func(c *config.Config) { c.Sync.Enabled, c.Sync.BaseURL = true, "https://planning.example.com" }},
		{
			name: "test profile with sync on",
			change: func(c *config.Config) {
				c.Profile, c.Sync.Enabled, c.Sync.BaseURL = "test", true, "https://planning.example.com"
			},
			wantKeys: []string{"sync.enabled"},
		},
		{name: "unknown profile", change: func(c *config.Config) { c.Profile = "" }, wantKeys: []string{"profile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.Profile = "production"
			tt.change(&c)
			err := c.Validate()
			var gotKeys []string
			if err != nil {
				var verr *config.ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("Validate error %T, want *ValidationError", err)
				}
				for _, p := range verr.Problems {
					gotKeys = append(gotKeys, p.Key)
				}
			}
			if diff := cmp.Diff(tt.wantKeys, gotKeys); diff != "" {
				t.Errorf("problem keys (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil && strings.Contains(err.Error(), "pw@") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	tests := []struct {
		name         string
		dbURL        string
		syncPassword string
		wantURL      string
		wantPassword string
	}{
		{
			name:         "postgres password and sync password",
			dbURL:        "postgres://crew:s3cret@db.example.com:5432/crewplan?sslmode=require",
			syncPassword: "hunter2",
			wantURL:      "postgres://crew:********@db.example.com:5432/crewplan?sslmode=require",
			wantPassword: "********",
		},
		{
			name:    "password in the query",
			dbURL:   "postgresql://db.example.com/crewplan?password=s3cret&user=crew",
			wantURL: "postgresql://db.example.com/crewplan?password=********&user=crew",
		},
		{
			name:    "postgres without a password",
			dbURL:   "postgres://crew@db.example.com/crewplan",
			wantURL: "postgres://crew@db.example.com/crewplan",
		},
		{
			name:    "sqlite path",
			dbURL:   "sqlite:data/crew:s3cret@x.db",
			wantURL: "sqlite:data/crew:s3cret@x.db",
		},
		{
			name:    "special characters",
			dbURL:   "postgres://cr%40w:s3c%2Fret@db/crewplan",
			wantURL: "postgres://cr%40w:********@db/crewplan",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.Profile = "production"
			c.Database.URL = tt.dbURL
			c.Sync.Password = tt.syncPassword
			out, err := c.Redacted()
			if err != nil {
				t.Fatalf("Redacted: %v", err)
			}
			if !strings.Contains(tt.wantURL, "s3cret") && strings.Contains(string(out), "s3cret") {
				t.Errorf("output shows a password:\n%s", out)
			}
			if tt.syncPassword != "" && strings.Contains(string(out), tt.syncPassword) {
				t.Errorf("output shows the sync password:\n%s", out)
			}
			var got struct {
				Profile string
				Server  struct {
					Port        int
					ReadTimeout string `yaml:"read_timeout"`
				}
				Database struct{ URL string }
				Auth     struct {
					SessionTTL string `yaml:"session_ttl"`
				}
				Sync struct{ Password string }
			}
			if err := yaml.Unmarshal(out, &got); err != nil {
				t.Fatalf("output is not YAML: %v\n%s", err, out)
			}
			gotFields := []any{got.Profile, got.Server.Port, got.Server.ReadTimeout, got.Auth.SessionTTL, got.Database.URL, got.Sync.Password}
			wantFields := []any{"production", 8000, "15s", "12h", tt.wantURL, tt.wantPassword}
			if diff := cmp.Diff(wantFields, gotFields); diff != "" {
				t.Errorf("profile, port, read timeout, session ttl, url, password (-want +got):\n%s\n%s", diff, out)
			}
		})
	}
}

func TestRedactedNamesSources(t *testing.T) {
	dir := writeDir(t, map[string]string{"base.yaml": "", "production.yaml": ""})
	cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{"CREWPLAN_SERVER__PORT=8002"}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	out, err := cfg.Redacted()
	if err != nil {
		t.Fatalf("Redacted: %v", err)
	}
	for _, want := range []string{"port: 8002 # env CREWPLAN_SERVER__PORT", "level: info # default"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
}

func TestDatabaseDriverPath(t *testing.T) {
	tests := []struct {
		url, driver, path string
	}{
		{"data/crewplan.db", "sqlite", "data/crewplan.db"},
		{"sqlite:data/crewplan.db", "sqlite", "data/crewplan.db"},
		{"file:/var/lib/crewplan.db", "sqlite", "/var/lib/crewplan.db"},
		{"postgres://db/crewplan", "postgres", ""},
		{"postgresql://db/crewplan", "postgres", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			d := config.DatabaseConfig{URL: tt.url}
			if d.Driver() != tt.driver || d.Path() != tt.path {
				t.Errorf("Driver, Path = %q, %q; want %q, %q", d.Driver(), d.Path(), tt.driver, tt.path)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	if got := config.EnvName("database.max_readers"); got != "CREWPLAN_DATABASE__MAX_READERS" {
		t.Errorf("EnvName = %q", got)
	}
}

func FuzzLoadYAML(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(repoConfigs, "base.yaml")); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "~", "- a", "{", "server: {port: 1}", "server: 5", "log:\n  file:\n",
		"sync: {password: 1e3}", "a: &a [*a]", "{[1]: 2}", "server: {1: 2}",
		"server.port: 1\nserver: {port: 2}", "timezone: 2001-12-14",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, base []byte) {
		dir := writeDir(t, map[string]string{"base.yaml": string(base), "production.yaml": ""})
		cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{}})
		if err != nil {
			if cfg != nil {
				t.Error("Load returned a config with its error")
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("Load returned a config that does not validate: %v", err)
		}
		if _, err := cfg.Redacted(); err != nil {
			t.Errorf("Redacted: %v", err)
		}
	})
}
