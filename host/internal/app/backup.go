package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"filippo.io/age"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/store"
)

// BackupIdentityEnv names the variable holding an age identity
// (AGE-SECRET-KEY-1...) that decrypts configuration archives when backups
// are verified or restored; without it an encrypted archive is checked by
// its checksums only.
const BackupIdentityEnv = "CREWPLAN_BACKUP_AGE_IDENTITY"

// OpenBackups starts the plugin of every configured backup target on h
// and returns the backup service over s. A target whose plugin does not
// start is left out and named in the error, which comes back with the
// service of the others (nil only when the configuration is wrong).
func OpenBackups(ctx context.Context, cfg *config.Config, s *store.Store, h *pluginhost.Host, version string, log *slog.Logger) (*backup.Service, error) {
	targets, err := cfg.Backup.BackupTargets()
	if err != nil {
		return nil, fmt.Errorf("backup.targets: %w", err)
	}
	svc := &backup.Service{
		Store: s, DatabaseURL: cfg.Database.URL, WorkDir: cfg.Backup.WorkDir, AppVersion: version,
		Recipient: cfg.Backup.AgeRecipient, Log: log,
		ConfigFiles: func() ([]backup.File, error) { return configFiles(cfg) },
	}
	if v := os.Getenv(BackupIdentityEnv); v != "" {
		id, err := age.ParseX25519Identity(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", BackupIdentityEnv, err)
		}
		svc.Identities = []age.Identity{id}
	}
	var errs []error
	for _, t := range targets {
		spec, err := h.BackupSpec(cfg.Plugins, t)
		if err == nil {
			var p *pluginhost.BackupPlugin
			if p, err = h.StartBackup(ctx, spec); err == nil {
				r := t.Retention
				svc.Targets = append(svc.Targets, backup.Target{Name: t.Name, Target: p,
					Policy: backup.Policy{Days: r.Days, KeepLast: r.KeepLast, Daily: r.Daily, Weekly: r.Weekly, Monthly: r.Monthly}})
				continue
			}
		}
		errs = append(errs, fmt.Errorf("backup target %s: %w", t.Name, err))
	}
	return svc, errors.Join(errs...)
}

// configFiles returns what a backup archives of the configuration: the
// merged configuration with its secrets hidden (crewplan.yaml), and, when
// the archive is encrypted, the configuration files as they are.
func configFiles(cfg *config.Config) ([]backup.File, error) {
	redacted, err := cfg.Redacted()
	if err != nil {
		return nil, err
	}
	files := []backup.File{{Name: "crewplan.yaml", Data: redacted}}
	if cfg.Backup.AgeRecipient == "" {
		return files, nil
	}
	raw, err := backup.ReadFiles(cfg.Files()...)
	if err != nil {
		return nil, err
	}
	for _, f := range raw {
		f.Name = "files/" + f.Name
		files = append(files, f)
	}
	return files, nil
}
