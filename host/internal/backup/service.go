package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/crewplan/crewplan/host/internal/store"
	sdkbackup "github.com/crewplan/crewplan/sdk/backup"
)

// Target is a configured backup target: its name, what holds it (a
// plugin process), and how long it keeps backups.
type Target struct {
	Name   string
	Target sdkbackup.Target
	Policy Policy
}

// Service is the host's backups: it makes them one at a time, lists what
// the targets hold, verifies, prunes and restores. Its methods are safe
// for concurrent use; a backup and a restore never run at once.
type Service struct {
	Store *store.Store
	// DatabaseURL is the store's URL, for pg_dump and pg_restore.
	DatabaseURL string
	Targets     []Target
	// WorkDir is where backups are made and restores unpacked.
	WorkDir    string
	AppVersion string
	// Host names this machine in backup ids; os.Hostname when empty.
	Host string
	// Recipient, when set, encrypts the configuration archive (age).
	Recipient string
	// Identities decrypt configuration archives when verifying them.
	Identities []age.Identity
	// ConfigFiles returns the files of the configuration archive.
	ConfigFiles func() ([]File, error)
	// Pause, when set, stops the host serving until resume is called:
	// Restore calls it from the safety backup to the end, so that nothing
	// written after the safety backup is lost and nothing is served from
	// a database half restored. The CLI, which serves nothing, leaves it
	// nil.
	Pause func(ctx context.Context) (resume func(), err error)
	// Metrics, when set, gets each backup's outcome.
	Metrics *Metrics
	Log     *slog.Logger
	// Hook, when set, is called at each step of a restore (the Restore*
	// steps, and the swap's store.ReplaceStep ones); the fault tests kill
	// the process there.
	Hook func(step string)

	runnerOnce sync.Once
	runner     *Runner
}

// The steps of a restore, for Hook.
const (
	RestoreFetched  = "fetched"  // downloaded and verified into the work folder
	RestoreSafety   = "safety"   // the safety backup of the current database stored
	RestoreUnpacked = "unpacked" // the database file is next to the live one
	RestoreSwapped  = "swapped"  // the restored database is in place and open
)

func (s *Service) log() *slog.Logger { return logger(s.Log) }

func (s *Service) hook(step string) {
	if s.Hook != nil {
		s.Hook(step)
	}
}

// Runner returns the service's runner, for a Schedule: the one that
// makes every backup and restore of the service, one at a time.
func (s *Service) Runner() *Runner {
	s.runnerOnce.Do(func() {
		s.runner = &Runner{WorkDir: s.WorkDir, Metrics: s.Metrics, Log: s.Log,
			Backup: func(ctx context.Context, kind Kind) (Done, error) { return s.make(ctx, kind, nil) }}
	})
	return s.runner
}

// Made is what Now made: the backup, and each target's outcome.
type Made struct {
	Manifest *Manifest
	Uploads  []Upload
}

// Now makes a backup of kind at once and stores it on every target,
// reporting progress. It fails with ErrRunning when one is running, and
// with an error naming each target that did not get it (the others still
// hold it: Made says which).
func (s *Service) Now(ctx context.Context, kind Kind, progress func(Progress)) (*Made, error) {
	var made *Made
	_, err := s.Runner().Do(ctx, kind, func(ctx context.Context) (Done, error) {
		var err error
		made, err = s.create(ctx, kind, progress)
		return doneOf(made), err
	})
	return made, err
}

// make is the runner's scheduled backup; after it, each target is pruned
// by its retention (see Prune), whatever became of the backup: a target
// keeps its newest verified backup anyway.
func (s *Service) make(ctx context.Context, kind Kind, progress func(Progress)) (Done, error) {
	made, err := s.create(ctx, kind, progress)
	for _, p := range s.Prune(ctx, time.Now(), false) {
		if p.Err != nil {
			s.log().Error("prune after the scheduled backup failed", slog.String("target", p.Target), slog.Any("err", p.Err))
		}
	}
	return doneOf(made), err
}

func doneOf(m *Made) Done {
	if m == nil || m.Manifest == nil {
		return Done{}
	}
	return Done{ID: m.Manifest.ID, Size: m.Manifest.Size()}
}

// create makes one backup: Create over the configured targets.
func (s *Service) create(ctx context.Context, kind Kind, progress func(Progress)) (*Made, error) {
	if len(s.Targets) == 0 {
		return nil, fmt.Errorf("backup: %w: no target is configured (backup.targets)", ErrNoTarget)
	}
	var files []File
	if s.ConfigFiles != nil {
		var err error
		if files, err = s.ConfigFiles(); err != nil {
			return nil, fmt.Errorf("backup: configuration archive: %w", err)
		}
	}
	targets := make(map[string]sdkbackup.Target, len(s.Targets))
	for _, t := range s.Targets {
		targets[t.Name] = t.Target
	}
	if err := os.MkdirAll(s.WorkDir, 0o750); err != nil {
		return nil, fmt.Errorf("backup: work folder: %w", err)
	}
	res, err := Create(ctx, s.Store, Options{Kind: kind, AppVersion: s.AppVersion, Host: s.Host, DatabaseURL: s.DatabaseURL,
		Config: files, Recipient: s.Recipient, Targets: targets, TempDir: s.WorkDir, Progress: progress, Log: s.Log})
	if res == nil {
		return nil, err
	}
	made := &Made{Manifest: res.Manifest, Uploads: res.Uploads}
	if err == nil {
		err = res.Err()
	}
	return made, err
}

// Listed is a backup as the targets hold it.
type Listed struct {
	*Manifest
	// Targets are the targets that hold it whole, by name.
	Targets []string `json:"targets"`
}

// TargetError is a target that could not be read, and why.
type TargetError struct {
	Target string `json:"target"`
	Err    error  `json:"-"`
	// Message is Err's text, for JSON.
	Message string `json:"error"`
}

// List returns the finished backups of every target, newest first, each
// once with the targets that hold it, and the targets that could not be
// read (the others are listed anyway).
func (s *Service) List(ctx context.Context) ([]Listed, []TargetError) {
	byID := map[string]*Listed{}
	var errs []TargetError
	for _, t := range s.Targets {
		l, err := List(ctx, t.Target)
		if err != nil {
			errs = append(errs, TargetError{Target: t.Name, Err: err, Message: err.Error()})
			continue
		}
		for _, m := range l.Backups {
			if b, ok := byID[m.ID]; ok {
				b.Targets = append(b.Targets, t.Name)
				continue
			}
			byID[m.ID] = &Listed{Manifest: m, Targets: []string{t.Name}}
		}
	}
	out := make([]Listed, 0, len(byID))
	for _, b := range byID {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b Listed) int { return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID)) })
	return out, errs
}

// Checked is one target's verification of a backup.
type Checked struct {
	Target string `json:"target"`
	// Err is why the target's copy does not verify; nil when it does.
	Err     error  `json:"-"`
	Message string `json:"error,omitempty"`
}

// ErrNoBackup means no target holds a backup of that id.
var ErrNoBackup = errors.New("no such backup")

// Verify downloads backup id from every target that holds it and verifies
// each copy (checksums, decompression, integrity and row counts). It
// fails with ErrNoBackup when no target has it, and with an error when a
// copy does not verify.
func (s *Service) Verify(ctx context.Context, id string, progress func(Progress)) ([]Checked, error) {
	var out []Checked
	var bad []error
	for _, t := range s.Targets {
		if _, err := getManifest(ctx, t.Target, id); errors.Is(err, sdkbackup.ErrNotFound) {
			continue
		}
		dir, err := os.MkdirTemp(s.workDir(), "verify-")
		if err != nil {
			return nil, err
		}
		_, err = Fetch(ctx, t.Target, id, dir, VerifyOptions{Identities: s.Identities, Progress: progress})
		os.RemoveAll(dir)
		c := Checked{Target: t.Name, Err: err}
		if err != nil {
			c.Message = err.Error()
			bad = append(bad, fmt.Errorf("target %s: %w", t.Name, err))
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("backup %s: %w on any target", id, ErrNoBackup)
	}
	return out, errors.Join(bad...)
}

func (s *Service) workDir() string {
	_ = os.MkdirAll(s.WorkDir, 0o750)
	return s.WorkDir
}

// Pruned is what Prune did, or would do, on one target.
type Pruned struct {
	Target  string   `json:"target"`
	Kept    []Kept   `json:"kept"`
	Removed []string `json:"removed"`
	// Err is why the target could not be pruned, or failed part way.
	Err     error  `json:"-"`
	Message string `json:"error,omitempty"`
}

// Prune removes from every target the backups its retention no longer
// keeps (see Plan), as of now; with dryRun it only says what it would
// remove. A backup goes manifest first, so that what is left of a
// backup removed part way never counts.
func (s *Service) Prune(ctx context.Context, now time.Time, dryRun bool) []Pruned {
	var out []Pruned
	for _, t := range s.Targets {
		p := Pruned{Target: t.Name}
		p.Err = s.prune(ctx, t, now, dryRun, &p)
		if p.Err != nil {
			p.Message = p.Err.Error()
		}
		out = append(out, p)
	}
	return out
}

func (s *Service) prune(ctx context.Context, t Target, now time.Time, dryRun bool, p *Pruned) error {
	l, err := List(ctx, t.Target)
	if err != nil {
		return err
	}
	var held []Held
	for _, m := range l.Backups {
		held = append(held, Held{ID: m.ID, Created: m.Created, Kind: m.Kind, Verified: !m.Verified.IsZero()})
	}
	for _, sk := range l.Skipped {
		created, err := ParseID(sk.ID)
		if err != nil {
			continue // not one of ours: leave it alone
		}
		held = append(held, Held{ID: sk.ID, Created: created, Kind: KindManual})
	}
	keep, remove := Plan(held, now, t.Policy)
	p.Kept = keep
	for _, h := range remove {
		if !dryRun {
			if err := removeBackup(ctx, t.Target, h.ID); err != nil {
				return fmt.Errorf("remove %s: %w", h.ID, err)
			}
			s.log().Info("backup pruned", slog.String("target", t.Name), slog.String("id", h.ID))
		}
		p.Removed = append(p.Removed, h.ID)
	}
	return nil
}

// removeBackup deletes backup id from t: its manifest first.
func removeBackup(ctx context.Context, t sdkbackup.Target, id string) error {
	if err := t.Delete(ctx, ObjectName(id, ManifestName)); err != nil {
		return err
	}
	objs, err := t.List(ctx, id+"/")
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := t.Delete(ctx, o.Name); err != nil {
			return err
		}
	}
	return nil
}

// RestoreOptions say how to restore.
type RestoreOptions struct {
	// Confirm must be the backup's id: a restore replaces the whole
	// database.
	Confirm string
	// Progress, when set, is told how the download advances.
	Progress func(Progress)
}

// Restored is what Restore did.
type Restored struct {
	// Backup is the manifest of the backup now in place.
	Backup *Manifest `json:"backup"`
	// From is the target it was read from.
	From string `json:"from"`
	// Safety is the safety backup of the database it replaced.
	Safety *Manifest `json:"safety"`
	// Migrated is the schema version the database was brought to.
	Migrated int64 `json:"migrated_to"`
}

// ErrNotConfirmed means a restore was asked for without its confirmation.
var ErrNotConfirmed = errors.New("restore not confirmed")

// Restore puts backup id in place of the database, after a safety backup
// of the current one. It reads the backup from the first target whose
// copy verifies, refuses one made by a newer schema than this build knows
// or of another database kind, stores the safety backup (on at least one
// target, else it stops), swaps the database in (SQLite: one rename;
// PostgreSQL: pg_restore in one transaction), checks it against the
// backup's manifest, and migrates it to this build's schema. The host is
// paused (Pause) from the safety backup to the end.
func (s *Service) Restore(ctx context.Context, id string, opts RestoreOptions) (*Restored, error) {
	if opts.Confirm != id {
		return nil, fmt.Errorf("restore %s: %w: give the backup's id a second time to confirm", id, ErrNotConfirmed)
	}
	var out *Restored
	_, err := s.Runner().Do(ctx, KindSafety, func(ctx context.Context) (Done, error) {
		var err error
		out, err = s.restore(ctx, id, opts)
		if out != nil && out.Safety != nil {
			return doneOf(&Made{Manifest: out.Safety}), err
		}
		return Done{}, err
	})
	return out, err
}

func (s *Service) restore(ctx context.Context, id string, opts RestoreOptions) (*Restored, error) {
	st, err := s.Store.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.workDir(), "restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := &Restored{}
	var tried []error
	for _, t := range s.Targets {
		m, err := Fetch(ctx, t.Target, id, dir, VerifyOptions{Identities: s.Identities, Progress: opts.Progress})
		if err == nil {
			out.Backup, out.From = m, t.Name
			break
		}
		if !errors.Is(err, sdkbackup.ErrNotFound) {
			tried = append(tried, fmt.Errorf("target %s: %w", t.Name, err))
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	if out.Backup == nil {
		if len(tried) == 0 {
			return nil, fmt.Errorf("restore %s: %w on any target", id, ErrNoBackup)
		}
		return nil, fmt.Errorf("restore %s: no target has a copy that verifies: %w", id, errors.Join(tried...))
	}
	m := out.Backup
	switch {
	case m.Dialect != s.Store.Dialect():
		return nil, fmt.Errorf("restore %s: it is a %s backup; this database is %s", id, m.Dialect, s.Store.Dialect())
	case m.SchemaVersion > st.Latest:
		return nil, fmt.Errorf("restore %s: %w: the backup is at schema version %d, this crewplan knows up to %d: upgrade crewplan first", id, store.ErrSchemaTooNew, m.SchemaVersion, st.Latest)
	}
	s.hook(RestoreFetched)

	// The host pauses before the safety backup, so that nothing written
	// after it is lost by the swap.
	if s.Pause != nil {
		resume, err := s.Pause(ctx)
		if err != nil {
			return nil, fmt.Errorf("restore %s: pause the host: %w", id, err)
		}
		defer resume()
	}
	safety, err := s.create(ctx, KindSafety, nil)
	if safety == nil || safety.Manifest == nil {
		return nil, fmt.Errorf("restore %s: the safety backup of the current database failed, so nothing was restored: %w", id, err)
	}
	out.Safety = safety.Manifest
	if err != nil {
		s.log().Warn("the safety backup did not reach every target", slog.String("id", safety.Manifest.ID), slog.Any("err", err))
	}
	s.hook(RestoreSafety)

	db, _ := m.File(RoleDatabase)
	switch m.Dialect {
	case store.DialectSQLite:
		next := s.Store.Path() + store.RestoreSuffix
		_ = os.Remove(next)
		if err := decompressCheck(ctx, dir, db, next); err != nil {
			_ = os.Remove(next)
			return out, fmt.Errorf("restore %s: %w", id, err)
		}
		if err := syncFile(next); err != nil {
			_ = os.Remove(next)
			return out, fmt.Errorf("restore %s: %w", id, err)
		}
		s.hook(RestoreUnpacked)
		if err := s.Store.ReplaceSQLite(ctx, next, func(step store.ReplaceStep) { s.hook(string(step)) }); err != nil {
			_ = os.Remove(next)
			if rerr := s.Store.Ping(ctx); rerr != nil {
				_ = s.Store.Reopen(ctx)
			}
			return out, fmt.Errorf("restore %s: %w", id, err)
		}
	case store.DialectPostgres:
		dump := filepath.Join(dir, "restore.pgdump")
		if err := decompressCheck(ctx, dir, db, dump); err != nil {
			return out, fmt.Errorf("restore %s: %w", id, err)
		}
		if err := pgRestore(ctx, dump, s.DatabaseURL); err != nil {
			return out, fmt.Errorf("restore %s: %w (the database was left as it was: pg_restore runs in one transaction)", id, err)
		}
	}
	s.hook(RestoreSwapped)
	if err := s.checkLive(ctx, m); err != nil {
		return out, fmt.Errorf("restore %s: the restored database does not match its backup: %w; the safety backup %s holds the database as it was", id, err, out.Safety.ID)
	}
	ms, err := s.Store.Migrate(ctx)
	if err != nil {
		return out, fmt.Errorf("restore %s: migrate: %w", id, err)
	}
	out.Migrated = ms.Current
	s.log().Info("backup restored", slog.String("id", id), slog.String("from", out.From), slog.String("safety", out.Safety.ID), slog.Int64("schema", ms.Current))
	return out, nil
}

// checkLive compares the live database's row counts with the manifest's.
func (s *Service) checkLive(ctx context.Context, m *Manifest) error {
	rows, err := s.Store.TableCounts(ctx)
	if err != nil {
		return err
	}
	return compareRows(rows, m.Rows)
}

// syncFile flushes a file to the disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
