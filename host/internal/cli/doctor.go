package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/store"
)

// minFreeBytes is the least free space doctor accepts on the database's
// and the backups' disks, besides twice the database.
const minFreeBytes = 1 << 30

func newDoctor(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the install and print what to fix",
		Long: `Check the install: the configuration is valid; the database answers and is
migrated; every rule plugin starts and passes its self-test; the active
ranking model loads; every backup target answers; the disks have room.
One line per check, ✓ or ✗ with what to fix. Exit 1 when a check fails.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := &doctor{out: e.stdout}
			d.run(cmd.Context(), e, cmd)
			if d.failed > 0 {
				return fmt.Errorf("%d check(s) failed", d.failed)
			}
			return nil
		},
	}
}

// doctor prints the checks and counts those that fail.
type doctor struct {
	out    io.Writer
	failed int
}

func (d *doctor) ok(what, format string, args ...any) {
	fmt.Fprintf(d.out, "✓ %s: %s\n", what, fmt.Sprintf(format, args...))
}

func (d *doctor) fail(what, format string, args ...any) {
	d.failed++
	fmt.Fprintf(d.out, "✗ %s: %s\n", what, fmt.Sprintf(format, args...))
}

func (d *doctor) run(ctx context.Context, e *env, cmd *cobra.Command) {
	cfg, err := e.loadConfig(cmd.Flags())
	if err != nil {
		d.fail("configuration", "%v", err)
		return
	}
	files := cfg.Files()
	if len(files) == 0 {
		files = []string{"built-in defaults"}
	}
	d.ok("configuration", "profile %s, from %v", cfg.Profile, files)

	log, closer, err := app.NewLogger(config.LogConfig{Level: "error", Format: "text"}, io.Discard)
	if err != nil {
		d.fail("logs", "%v", err)
		return
	}
	defer closer.Close()
	s := d.database(ctx, cfg)
	if s == nil {
		return
	}
	defer s.Close()
	d.disks(cfg, s)

	h, err := pluginhost.New(pluginhost.Options{Log: log, StartTimeout: cfg.Plugins.StartTimeout, CallTimeout: cfg.Plugins.CallTimeout})
	if err != nil {
		d.fail("plugins", "%v", err)
		return
	}
	defer h.Close()
	d.rules(ctx, cfg, h)
	d.model(ctx, cfg, s, log)
	d.backups(ctx, cfg, s, h, log)
}

// database opens the store and checks its schema; nil when it cannot.
func (d *doctor) database(ctx context.Context, cfg *config.Config) *store.Store {
	what := "database " + store.RedactURL(cfg.Database.URL)
	s, err := app.OpenStore(ctx, cfg.Database, nil)
	if err != nil {
		d.fail(what, "%v; check database.url and that the server runs", err)
		return nil
	}
	st, err := s.MigrationStatus(ctx)
	switch {
	case err != nil:
		d.fail(what, "read the schema version: %v", err)
	case st.Current > st.Latest:
		d.fail(what, "schema version %d is newer than this crewplan's %d: install the newer crewplan", st.Current, st.Latest)
	case !st.UpToDate():
		d.fail(what, "schema version %d, this crewplan needs %d: run `crewplan migrate`, which backs it up first", st.Current, st.Latest)
	default:
		d.ok(what, "answers, schema version %d", st.Current)
	}
	return s
}

// rules starts every rule plugin and runs its self-test.
func (d *doctor) rules(ctx context.Context, cfg *config.Config, h *pluginhost.Host) {
	specs, err := h.Specs(cfg.Plugins, cfg.Backup.PluginNames()...)
	if err != nil {
		d.fail("rule plugins", "%v", err)
		return
	}
	for _, spec := range specs {
		what := "rule plugin " + spec.Name
		p, err := h.StartRule(ctx, spec)
		if err != nil {
			d.fail(what, "%v", err)
			continue
		}
		if err := p.SelfTest(ctx); err != nil {
			d.fail(what, "self-test: %v", err)
			continue
		}
		info, _ := p.Info(ctx)
		d.ok(what, "version %s, self-test passed", info.Version)
	}
}

// model loads the active ranking model, if any.
func (d *doctor) model(ctx context.Context, cfg *config.Config, s *store.Store, log *slog.Logger) {
	r, err := app.OpenRanker(ctx, cfg.Ranker, s, log)
	if err != nil {
		d.fail("ranking models", "%v; check ranker.dir", err)
		return
	}
	defer r.Close(context.WithoutCancel(ctx))
	row, active, err := s.ActiveRankingModel(ctx)
	switch {
	case err != nil:
		d.fail("ranking model", "%v", err)
	case !active:
		d.ok("ranking model", "none active: the rules rank")
	case r.Registry.LoadFailure() != nil:
		d.fail("ranking model", "model %d (%s %s) is active but does not load: %v; activate another (`crewplan ranker activate`) or roll back",
			row.ID, row.Name, row.Version, r.Registry.LoadFailure())
	default:
		d.ok("ranking model", "model %d (%s %s) loads", row.ID, row.Name, row.Version)
	}
}

// backups starts every backup target's plugin and runs its self-test.
func (d *doctor) backups(ctx context.Context, cfg *config.Config, s *store.Store, h *pluginhost.Host, log *slog.Logger) {
	svc, err := app.OpenBackups(ctx, cfg, s, h, version, log)
	if svc == nil {
		d.fail("backups", "%v", err)
		return
	}
	if err != nil {
		for _, e := range unjoin(err) {
			d.fail("backups", "%v", e)
		}
	}
	if len(svc.Targets) == 0 && err == nil {
		d.fail("backups", "no backup target is configured (backup.targets): a store must not lose its schedule")
	}
	for _, t := range svc.Targets {
		what := "backup target " + t.Name
		tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := t.Target.(interface{ SelfTest(context.Context) error }).SelfTest(tctx)
		cancel()
		if err != nil {
			d.fail(what, "%v", err)
			continue
		}
		d.ok(what, "answers, and takes a test object")
	}
}

// unjoin returns the errors errors.Join joined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// disks checks the free space under the database (SQLite) and the backup
// work folder: at least minFreeBytes and twice the database.
func (d *doctor) disks(cfg *config.Config, s *store.Store) {
	var dbSize int64
	dirs := []string{cfg.Backup.WorkDir}
	if p := s.Path(); p != "" {
		dirs = append([]string{filepath.Dir(p)}, dirs...)
		dbSize = fileSize(p)
	}
	need := max(int64(minFreeBytes), 2*dbSize)
	for _, dir := range dirs {
		what := "disk " + dir
		free, err := freeBytes(dir)
		switch {
		case errors.Is(err, errFreeUnknown):
			d.ok(what, "free space not checked on this system")
		case err != nil:
			d.fail(what, "%v", err)
		case free < uint64(need):
			d.fail(what, "%s free, want at least %s (twice the database, and 1 GiB): make room", bytesText(int64(free)), bytesText(need))
		default:
			d.ok(what, "%s free", bytesText(int64(free)))
		}
	}
}

// errFreeUnknown means free space cannot be read on this system.
var errFreeUnknown = errors.New("free space unknown")

// fileSize returns the size of the file at path, 0 when it has none.
func fileSize(path string) int64 {
	if fi, err := os.Stat(path); err == nil {
		return fi.Size()
	}
	return 0
}

// nearestDir returns dir, or its nearest parent that exists.
func nearestDir(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
