package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Problem is one thing wrong with a configuration value.
type Problem struct {
	// Key is the value's key, such as "server.port".
	Key string
	// Source is where the value came from, as Config.Source says.
	Source string
	// Message says what is wrong and, when it helps, what to do.
	Message string
}

// Error returns the problem on one line:
// "server.port: 70000 is not a port number (1-65535) (set in env CREWPLAN_SERVER__PORT)".
func (p *Problem) Error() string {
	switch p.Source {
	case "":
		return fmt.Sprintf("%s: %s", p.Key, p.Message)
	case sourceDefault:
		return fmt.Sprintf("%s: %s (default)", p.Key, p.Message)
	}
	return fmt.Sprintf("%s: %s (set in %s)", p.Key, p.Message, p.Source)
}

// ValidationError lists every problem Validate found.
type ValidationError struct {
	Problems []Problem
}

// Error returns the problems, one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i := range e.Problems {
		lines[i] = e.Problems[i].Error()
	}
	return strings.Join(lines, "\n")
}

// Validate checks every value and returns a *ValidationError listing all
// the problems it found, or nil. On success it also caches the time zone
// Location returns.
func (c *Config) Validate() error {
	var problems []Problem
	add := func(key, format string, args ...any) {
		problems = append(problems, Problem{Key: key, Source: c.Source(key), Message: fmt.Sprintf(format, args...)})
	}
	positive := func(key string, d time.Duration) {
		if d <= 0 {
			add(key, "%s must be longer than zero", d)
		}
	}

	if !slices.Contains(Profiles(), c.Profile) {
		add("profile", "unknown profile %q; use one of %s", c.Profile, strings.Join(Profiles(), ", "))
	}

	if c.Server.Port < 1 || c.Server.Port > 65535 {
		add("server.port", "%d is not a port number (1-65535)", c.Server.Port)
	}
	positive("server.read_timeout", c.Server.ReadTimeout)
	positive("server.write_timeout", c.Server.WriteTimeout)
	positive("server.shutdown_timeout", c.Server.ShutdownTimeout)

	if msg := checkDatabaseURL(c.Database); msg != "" {
		add("database.url", "%s", msg)
	}
	if c.Database.MaxReaders < 1 || c.Database.MaxReaders > 64 {
		add("database.max_readers", "%d is outside 1-64", c.Database.MaxReaders)
	}
	positive("database.busy_timeout", c.Database.BusyTimeout)

	if levels := []string{"debug", "info", "warn", "error"}; !slices.Contains(levels, c.Log.Level) {
		add("log.level", "%q is not a log level; use one of %s", c.Log.Level, strings.Join(levels, ", "))
	}
	if formats := []string{"text", "json"}; !slices.Contains(formats, c.Log.Format) {
		add("log.format", "%q is not a log format; use one of %s", c.Log.Format, strings.Join(formats, ", "))
	}

	c.location = nil
	switch loc, err := time.LoadLocation(c.Timezone); {
	case c.Timezone == "":
		add("timezone", "no time zone given; write an IANA name such as Europe/Paris, or Local")
	case err != nil:
		add("timezone", "%q is not a known IANA time zone (such as Europe/Paris, or Local)", c.Timezone)
	default:
		c.location = loc
	}

	if c.Sync.BaseURL != "" {
		if msg := checkHTTPURL(c.Sync.BaseURL); msg != "" {
			add("sync.base_url", "%s", msg)
		}
	} else if c.Sync.Enabled {
		add("sync.base_url", "required when sync.enabled is true: write the planning system's address, such as https://planning.example.com")
	}
	if c.Sync.Enabled && c.Profile == ProfileTest {
		add("sync.enabled", "a test instance never pushes to the external planning system; set sync.enabled to false")
	}
	positive("sync.timeout", c.Sync.Timeout)

	positive("auth.session_ttl", c.Auth.SessionTTL)

	if c.Ranker.Dir == "" {
		add("ranker.dir", "is required: the folder for ranking model files, such as data/models")
	}
	if t := c.Ranker.ConfidenceThreshold; !(t >= 0 && t <= 1) {
		add("ranker.confidence_threshold", "%v is not a probability from 0 to 1", t)
	}
	positive("ranker.deadline", c.Ranker.Deadline)
	if m := c.Ranker.MaxMemoryMB; m < 4 || m > 4096 {
		add("ranker.max_memory_mb", "%d: want 4 to 4096", m)
	}

	c.validateBackup(add)

	positive("plugins.start_timeout", c.Plugins.StartTimeout)
	positive("plugins.call_timeout", c.Plugins.CallTimeout)
	positive("plugins.health_interval", c.Plugins.HealthInterval)
	if len(c.Plugins.SHA256) > 0 && c.Plugins.Dir == "" {
		add("plugins.sha256", "pins plugins but plugins.dir names no folder to find them in")
	}
	for _, name := range slices.Sorted(maps.Keys(c.Plugins.SHA256)) {
		if !pluginName.MatchString(name) {
			add("plugins.sha256", "%q is not a plugin file name (lowercase letters, digits and dashes)", name)
		}
		if sum := c.Plugins.SHA256[name]; !sha256Hex.MatchString(sum) {
			add("plugins.sha256", "%s: %q is not a SHA-256 (64 hex digits; sha256sum prints it)", name, sum)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Plugins.Config)) {
		var obj map[string]any
		if err := json.Unmarshal([]byte(c.Plugins.Config[name]), &obj); err != nil {
			add("plugins.config", "%s: not a JSON object: %v", name, err)
		}
	}

	if len(problems) > 0 {
		c.location = nil
		return &ValidationError{Problems: problems}
	}
	return nil
}

var (
	pluginName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	sha256Hex  = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// checkDatabaseURL returns what is wrong with d.URL, or "". The message
// never shows the URL, which may hold a password.
func checkDatabaseURL(d DatabaseConfig) string {
	if strings.TrimSpace(d.URL) == "" {
		return "no database given; write a SQLite file path such as data/crewplan.db, or a postgres:// URL"
	}
	if d.Driver() == DriverPostgres {
		if _, err := url.Parse(d.URL); err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // url.Error repeats the URL, password included
			}
			return fmt.Sprintf("not a valid postgres URL: %v", err)
		}
		return ""
	}
	if scheme, _, ok := strings.Cut(d.URL, "://"); ok && isScheme(scheme) && scheme != "sqlite" && scheme != "file" {
		return fmt.Sprintf("%s:// is not a supported database; give a SQLite file path or a postgres:// URL", scheme)
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(d.URL, "sqlite:"), "file:")
	switch path := d.Path(); {
	case strings.Contains(rest, "?"):
		return "SQLite options after \"?\" are not supported: crewplan sets them itself (see database.busy_timeout)"
	case strings.TrimSpace(path) == "":
		return "no file path after the prefix; write it like sqlite:data/crewplan.db"
	case strings.HasPrefix(path, "//") && !strings.HasPrefix(path, "///"):
		return "a SQLite path cannot name a host; write sqlite:relative/file.db or sqlite:///absolute/file.db"
	}
	return ""
}

// isScheme reports whether s looks like a URL scheme.
func isScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// checkHTTPURL returns what is wrong with an http(s) URL, or "".
func checkHTTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "not an http(s) URL, such as https://planning.example.com"
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL, such as https://planning.example.com", redactURL(raw))
	}
	return ""
}
