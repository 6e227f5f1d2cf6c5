package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"filippo.io/age"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/web"
)

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
	if v := cfg.Backup.AgeIdentity; v != "" {
		id, err := age.ParseX25519Identity(v)
		if err != nil {
			return nil, fmt.Errorf("backup.age_identity: %w", err)
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

// BackupBeforeMigrate takes a safety backup of s with svc when s is at an
// older schema than this crewplan's (store.MigrationStatus.Older): call it
// before s.Migrate, so that an upgrade can be undone. It returns the
// backup, or nil when none was needed: a fresh database, one already at
// this crewplan's schema, or one a newer crewplan migrated (which Migrate
// refuses). A backup that reaches no target is an error saying what to
// do, and the caller must not migrate; one that reaches some targets is
// logged with those it missed.
func BackupBeforeMigrate(ctx context.Context, s *store.Store, svc *backup.Service, log *slog.Logger) (*backup.Made, error) {
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Older() {
		return nil, nil
	}
	made, err := svc.Now(ctx, backup.KindSafety, nil)
	var stored, missed []string
	if made != nil {
		for _, u := range made.Uploads {
			if u.Err == nil {
				stored = append(stored, u.Target)
			} else {
				missed = append(missed, u.Target)
			}
		}
	}
	if len(stored) == 0 {
		if err == nil {
			err = backup.ErrNoTarget // not reached: Now fails when no target holds the backup
		}
		return nil, fmt.Errorf("the database is at schema version %d and this crewplan needs %d, "+
			"but the backup before migrating failed, so nothing was migrated (%w); "+
			"fix backup.targets (crewplan doctor checks them), "+
			"or take a backup of your own and run crewplan migrate --no-backup", st.Current, st.Latest, err)
	}
	msg := fmt.Sprintf("backup before migrating schema %d → %d", st.Current, st.Latest)
	if len(missed) > 0 {
		log.Warn(msg+": not stored on every target", slog.String("id", made.Manifest.ID), slog.Any("missed", missed), slog.Any("err", err))
	}
	log.Info(msg, slog.String("id", made.Manifest.ID), slog.Any("targets", stored))
	return made, nil
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

// openBackups builds the app's backup service, its schedule and the gate a
// restore pauses the server with. A target whose plugin does not start is
// logged and left out: the server still serves, and backs up to the
// others.
func (a *App) openBackups(ctx context.Context, version string) error {
	svc, err := OpenBackups(ctx, a.cfg, a.store, a.plugins, version, a.log)
	if svc == nil {
		return err
	}
	if err != nil {
		a.log.Error("backup targets left out", slog.Any("err", err))
	}
	if svc.Metrics, err = backup.NewMetrics(a.registry); err != nil {
		return err
	}
	a.gate = web.NewGate()
	svc.Pause = a.pause
	a.backups = svc
	spec, err := config.ParseSchedule(a.cfg.Backup.Schedule)
	if err != nil {
		return err // not reached: the configuration was validated
	}
	a.schedule = &backup.Schedule{Spec: spec, Location: a.cfg.Location(), Runner: svc.Runner()}
	return nil
}

// pause stops the server serving, and the automatic runs and background
// work touching the database, for a restore's swap; resume starts them
// again, after marking failed the runs the restored database recorded as
// under way.
func (a *App) pause(ctx context.Context) (func(), error) {
	resume, err := a.gate.Pause(ctx)
	if err != nil {
		return nil, err
	}
	if a.cron != nil {
		a.cron.Hold()
	}
	if a.review != nil {
		a.review.Wait()
		_ = a.review.Service.WaitBounds(ctx)
	}
	return func() {
		if a.review != nil {
			rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if n, err := a.review.Service.RecoverStale(rctx); err != nil {
				a.log.Error("look for runs the restored database had under way", slog.Any("err", err))
			} else if n > 0 {
				a.log.Warn("runs under way in the restored backup marked failed", slog.Int("runs", n))
			}
			cancel()
		}
		if a.cron != nil {
			a.cron.Release()
		}
		resume()
	}, nil
}

// Backups returns the app's backup service.
func (a *App) Backups() *backup.Service { return a.backups }
