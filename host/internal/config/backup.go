package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/robfig/cron/v3"
)

// BackupConfig is the configuration of backups (docs/backups.md).
type BackupConfig struct {
	// Schedule is when the host takes a backup by itself: a cron
	// expression of five fields (minute, hour, day of month, month, day
	// of week) in the store's time zone, or a descriptor such as @daily.
	// "off" never does.
	Schedule string `koanf:"schedule"`
	// WorkDir is the folder a backup is made in before it is verified and
	// uploaded; it needs room for about twice the database.
	WorkDir string `koanf:"work_dir"`
	// Targets are where every backup goes, by target name: each a JSON
	// object {"plugin": NAME, "config": {...}, "retention": {...}} naming a
	// backup-target plugin (built in: backup-local, backup-s3), its
	// configuration, and optionally its own retention.
	Targets map[string]string `koanf:"targets"`
	// RetentionDays keeps every verified backup younger than this many
	// days, on each target that does not say otherwise.
	RetentionDays int `koanf:"retention_days"`
	// KeepLast keeps the newest KeepLast verified backups however old;
	// Daily, Weekly and Monthly keep the newest verified backup of each of
	// that many last days, weeks and months. 0 turns each off.
	KeepLast int `koanf:"keep_last"`
	Daily    int `koanf:"daily"`
	Weekly   int `koanf:"weekly"`
	Monthly  int `koanf:"monthly"`
	// AgeRecipient, when set (an age X25519 recipient, "age1..."), makes
	// the configuration archive of each backup hold the configuration
	// files as they are, secrets included, encrypted to that recipient.
	// Empty: the archive holds the configuration with its secrets hidden.
	AgeRecipient string `koanf:"age_recipient"`
	// AgeIdentity is the age identity (AGE-SECRET-KEY-1...) that decrypts
	// the configuration archives when backups are verified or restored;
	// give it only where it is needed, in CREWPLAN_BACKUP__AGE_IDENTITY.
	// Without it an encrypted archive is checked by its checksums only.
	AgeIdentity string `koanf:"age_identity" secret:"true"`
}

// BackupTarget is one entry of BackupConfig.Targets.
type BackupTarget struct {
	// Name is the target's name: its key in backup.targets.
	Name string `json:"-"`
	// Plugin names the backup-target plugin, built in or third-party.
	Plugin string `json:"plugin"`
	// Config is the plugin's configuration for this target (a JSON
	// object; {} when absent).
	Config json.RawMessage `json:"config"`
	// Retention, when set, replaces the backup section's retention for
	// this target.
	Retention *BackupRetention `json:"retention"`
}

// BackupRetention is how long a target keeps its verified backups.
type BackupRetention struct {
	Days     int `json:"days"`
	KeepLast int `json:"keep_last"`
	Daily    int `json:"daily"`
	Weekly   int `json:"weekly"`
	Monthly  int `json:"monthly"`
}

// ScheduleOff is the Schedule that turns scheduled backups off.
const ScheduleOff = "off"

// Retention returns the section's retention, which targets without their
// own follow.
func (b BackupConfig) Retention() BackupRetention {
	return BackupRetention{Days: b.RetentionDays, KeepLast: b.KeepLast, Daily: b.Daily, Weekly: b.Weekly, Monthly: b.Monthly}
}

// ParseSchedule parses a backup schedule ("off" gives nil).
func ParseSchedule(spec string) (cron.Schedule, error) {
	if strings.TrimSpace(spec) == ScheduleOff {
		return nil, nil
	}
	return cron.ParseStandard(spec)
}

// BackupTargets returns the configured targets, sorted by name, each with
// its retention in force; an error names the first target that is wrong.
func (b BackupConfig) BackupTargets() ([]BackupTarget, error) {
	var out []BackupTarget
	for _, name := range slices.Sorted(maps.Keys(b.Targets)) {
		t, err := parseBackupTarget(name, b.Targets[name])
		if err != nil {
			return nil, err
		}
		if t.Retention == nil {
			r := b.Retention()
			t.Retention = &r
		}
		out = append(out, t)
	}
	return out, nil
}

// parseBackupTarget reads one target's JSON strictly.
func parseBackupTarget(name, raw string) (BackupTarget, error) {
	t := BackupTarget{Name: name}
	if !pluginName.MatchString(name) {
		return t, fmt.Errorf("%q is not a target name (lowercase letters, digits and dashes)", name)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, fmt.Errorf("%s: not a JSON object with plugin, config and retention: %v", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return t, fmt.Errorf("%s: trailing data after the JSON object", name)
	}
	if !pluginName.MatchString(t.Plugin) {
		return t, fmt.Errorf("%s: plugin %q is not a plugin name (lowercase letters, digits and dashes), such as backup-local", name, t.Plugin)
	}
	if c := bytes.TrimSpace(t.Config); len(c) == 0 || string(c) == "null" {
		t.Config = json.RawMessage("{}")
	} else if c[0] != '{' {
		return t, fmt.Errorf("%s: config is not a JSON object", name)
	}
	if r := t.Retention; r != nil {
		if err := r.validate(); err != nil {
			return t, fmt.Errorf("%s: retention: %w", name, err)
		}
	}
	return t, nil
}

func (r BackupRetention) validate() error {
	for _, f := range []struct {
		name string
		n    int
	}{{"days", r.Days}, {"keep_last", r.KeepLast}, {"daily", r.Daily}, {"weekly", r.Weekly}, {"monthly", r.Monthly}} {
		if f.n < 0 {
			return fmt.Errorf("%s is %d: want 0 or more", f.name, f.n)
		}
	}
	if r == (BackupRetention{}) {
		return errors.New("days, keep_last, daily, weekly and monthly are all 0: only the newest backup would be kept")
	}
	return nil
}

// validateBackup adds the backup section's problems.
func (c *Config) validateBackup(add func(key, format string, args ...any)) {
	b := c.Backup
	sched, err := ParseSchedule(b.Schedule)
	if err != nil {
		add("backup.schedule", "%q is not a cron expression (minute hour day month weekday, such as 0 0 * * *) or off: %v", b.Schedule, err)
	}
	if b.WorkDir == "" {
		add("backup.work_dir", "is required: the folder backups are made in, such as data/backup-work")
	}
	if err := b.Retention().validate(); err != nil {
		add("backup.retention_days", "%v", err)
	}
	targets, err := b.BackupTargets()
	switch {
	case err != nil:
		add("backup.targets", "%v", err)
	case len(targets) == 0 && sched != nil:
		add("backup.targets", "none: scheduled backups would have nowhere to go; add one, or set backup.schedule to off")
	}
	if r := b.AgeRecipient; r != "" && !strings.HasPrefix(r, "age1") {
		add("backup.age_recipient", "%q is not an age recipient (age1..., as age-keygen prints it)", r)
	}
	if id := b.AgeIdentity; id != "" && !strings.HasPrefix(id, "AGE-SECRET-KEY-1") {
		add("backup.age_identity", "is not an age identity (AGE-SECRET-KEY-1..., as age-keygen writes it)")
	}
}

// Files returns the configuration files this Config was loaded from, in
// the order they were read: base.yaml, then the profile's.
func (c *Config) Files() []string { return slices.Clone(c.files) }

// PluginNames returns the plugins the backup targets use (nothing when
// the targets do not parse: Validate reports that).
func (b BackupConfig) PluginNames() []string {
	ts, _ := b.BackupTargets()
	var out []string
	for _, t := range ts {
		if !slices.Contains(out, t.Plugin) {
			out = append(out, t.Plugin)
		}
	}
	return out
}
