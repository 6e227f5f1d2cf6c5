// Package app wires crewplan together — configuration, logging, the store,
// the rule plugins, the ranking models, metrics and the web server — and
// owns their lifecycle:
// New(ctx, cfg) → Start(ctx) → Close().
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/web"
	"github.com/crewplan/crewplan/sdk/civil"
)

// App is a running crewplan host.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	logFile  io.Closer
	store    *store.Store
	registry *prometheus.Registry
	plugins  *pluginhost.Host
	rules    *rules.Engine
	ranker   *Ranker
	review   *runs.Review
	cron     *runs.Cron
	backups  *backup.Service
	schedule *backup.Schedule
	gate     *web.Gate
	http     *fiber.App
	ready    chan struct{}
	addr     net.Addr
}

// Options adjust New for tests and the CLI.
type Options struct {
	// Stderr receives the logs (with the log file); nil means os.Stderr.
	Stderr io.Writer
	// Logger replaces the logger built from the configuration.
	Logger *slog.Logger
	// Version is crewplan's version, recorded in backups.
	Version string
}

// New opens the store, starts the rule and backup-target plugins, migrates
// the store when database.auto_migrate is on (after a safety backup when
// the database is at an older schema: see BackupBeforeMigrate), loads the
// demo store into an empty database when demo.load_when_empty is on and
// builds the web server. It serves nothing yet: Start does.
func New(ctx context.Context, cfg *config.Config, opts Options) (_ *App, err error) {
	a := &App{cfg: cfg, ready: make(chan struct{})}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if opts.Logger != nil {
		a.log = opts.Logger
	} else {
		stderr := opts.Stderr
		if stderr == nil {
			stderr = os.Stderr
		}
		if a.log, a.logFile, err = NewLogger(cfg.Log, stderr); err != nil {
			return nil, err
		}
	}
	a.log = a.log.With(slog.String("profile", cfg.Profile))
	if cfg.Profile == config.ProfileTest {
		if err := checkTestInstance(cfg); err != nil {
			return nil, err
		}
	}
	if a.store, err = OpenStore(ctx, cfg.Database, a.log); err != nil {
		return nil, err
	}
	// The plugins and the backup service come before the migration, which
	// backs up a database at an older schema first.
	if err := a.startPlugins(ctx); err != nil {
		return nil, err
	}
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := a.openBackups(ctx, opts.Version); err != nil {
		return nil, err
	}
	if cfg.Database.AutoMigrate {
		if _, err := BackupBeforeMigrate(ctx, a.store, a.backups, a.log); err != nil {
			return nil, err
		}
		if _, err := a.store.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	if a.ranker, err = OpenRanker(ctx, cfg.Ranker, a.store, a.log); err != nil {
		return nil, err
	}
	if cfg.Demo.LoadWhenEmpty {
		if err := a.loadDemoIfEmpty(ctx); err != nil {
			return nil, err
		}
	}
	svc := &runs.Service{Store: a.store, Rules: a.rules, Log: a.log, BoundLater: true, Ranking: a.ranker.Service.ForRun}
	clock := runs.Clock(cfg.Location())
	a.review = &runs.Review{Service: svc, Now: clock}
	a.cron = &runs.Cron{Service: svc, Now: clock, Location: cfg.Location(), Log: a.log}
	a.http, err = web.New(web.Options{
		Store:        a.store,
		Log:          a.log,
		Registry:     a.registry,
		Banner:       banner(cfg),
		Instance:     instance(cfg),
		SessionTTL:   cfg.Auth.SessionTTL,
		CookieSecure: cfg.Auth.CookieSecure,
		ReadTimeout:  cfg.Server.ReadTimeout,
		WriteTimeout: cfg.Server.WriteTimeout,
		Location:     cfg.Location(),
		Rules:        a.rules,
		Plugins:      a.pluginStatus,
		Runs:         a.review,
		Cron:         a.cron,
		Ranker:       a.ranker.Service,
		Backups:      &web.Backups{Service: a.backups, Next: a.schedule.Next},
		Gate:         a.gate,
	})
	if err != nil {
		return nil, fmt.Errorf("build web server: %w", err)
	}
	return a, nil
}

// startPlugins starts the rule plugins — the built-in ones as child
// processes of this binary, the third-party binaries of plugins.dir pinned
// by their SHA-256 — and the rule engine over them.
func (a *App) startPlugins(ctx context.Context) error {
	h, err := pluginhost.New(pluginhost.Options{Log: a.log, StartTimeout: a.cfg.Plugins.StartTimeout, CallTimeout: a.cfg.Plugins.CallTimeout})
	if err != nil {
		return err
	}
	a.plugins = h
	specs, err := h.Specs(a.cfg.Plugins, a.cfg.Backup.PluginNames()...)
	if err != nil {
		return err
	}
	ps, err := h.Start(ctx, specs)
	if err != nil {
		return fmt.Errorf("start rule plugins: %w", err)
	}
	h.CheckHealth(a.cfg.Plugins.HealthInterval)
	named := make([]rules.Named, len(ps))
	for i, p := range ps {
		named[i] = rules.Named{Name: p.Name(), Rule: p}
	}
	a.rules = rules.NewEngine(named...)
	return nil
}

func (a *App) pluginStatus() []pluginhost.Status {
	ps := a.plugins.Plugins()
	out := make([]pluginhost.Status, len(ps))
	for i, p := range ps {
		out[i] = p.Status()
	}
	return out
}

// Rules returns the rule engine over the app's rule plugins.
func (a *App) Rules() *rules.Engine { return a.rules }

// OpenStore opens the configured database.
func OpenStore(ctx context.Context, cfg config.DatabaseConfig, log *slog.Logger) (*store.Store, error) {
	if store.DriverOf(cfg.URL) == store.DialectSQLite {
		// A restore killed before its swap leaves the file it was putting
		// in place: the database is the old one, whole.
		if err := store.CleanRestoreLeftovers(store.SQLitePath(cfg.URL)); err != nil {
			return nil, fmt.Errorf("remove what a stopped restore left: %w", err)
		}
	}
	return store.Open(ctx, store.Options{URL: cfg.URL, MaxReaders: cfg.MaxReaders, BusyTimeout: cfg.BusyTimeout}, log)
}

func (a *App) loadDemoIfEmpty(ctx context.Context) error {
	empty, err := a.store.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	now := time.Now().In(a.cfg.Location())
	res, err := demo.Load(ctx, a.store, now)
	if err != nil {
		return fmt.Errorf("load demo store: %w", err)
	}
	a.log.Info("demo store loaded into the empty database",
		slog.Int("employees", res.Counts.Employees), slog.Int("events", res.Counts.Events),
		slog.Int("posted", res.Counts.Posted), slog.Int("attendance", res.Counts.Attendance),
		slog.String("sign_in", res.Username+" / "+res.Password))
	m, card, err := a.ranker.TrainAndActivate(ctx, a.store, civil.DateOf(now))
	if err != nil {
		// The demo works without a model: the rules rank.
		a.log.Warn("demo ranking model not trained; the rules rank", slog.String("error", err.Error()))
		return nil
	}
	a.log.Info("demo ranking model trained and active", slog.Int64("model", m.ID), slog.String("version", m.Version),
		slog.Int("trees", card.Training.Trees), slog.Float64("held_out_p_at_3", card.Metrics.PAt3),
		slog.Float64("rules_p_at_3", card.Metrics.RulesPAt3))
	return nil
}

// Store returns the app's store.
func (a *App) Store() *store.Store { return a.store }

// Handler returns the web server, for in-process tests and benchmarks.
func (a *App) Handler() *fiber.App { return a.http }

// Ready is closed once the server accepts connections.
func (a *App) Ready() <-chan struct{} { return a.ready }

// Addr returns the address the server listens on, once Ready is closed.
func (a *App) Addr() net.Addr { return a.addr }

// Start serves HTTP on the configured address until ctx is done, then
// shuts down gracefully within server.shutdown_timeout.
func (a *App) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Server.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Server.Addr(), err)
	}
	return a.Serve(ctx, ln)
}

// Serve is Start on a listener the caller opened. It also starts the
// automatic runs, which Close stops.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.addr = ln.Addr()
	if a.review != nil {
		if n, err := a.review.Service.RecoverStale(ctx); err != nil {
			a.log.Error("look for runs a crash cut off", slog.Any("err", err))
		} else if n > 0 {
			a.log.Warn("runs cut off by a stop marked failed", slog.Int("runs", n))
		}
	}
	if a.cron != nil {
		if err := a.cron.Start(ctx); err != nil {
			a.log.Error("automatic runs not started", slog.Any("err", err))
		}
	}
	if a.schedule != nil {
		a.schedule.Start(ctx)
		if next := a.schedule.Next(); !next.IsZero() {
			a.log.Info("backups scheduled", slog.String("schedule", a.cfg.Backup.Schedule), slog.Time("next", next))
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.http.Listener(ln) }()
	close(a.ready)
	a.log.Info("crewplan serving", slog.String("url", "http://"+ln.Addr().String()), slog.String("database", store.RedactURL(a.cfg.Database.URL)))
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	a.log.Info("shutting down", slog.Duration("timeout", a.cfg.Server.ShutdownTimeout))
	if err := a.http.ShutdownWithTimeout(a.cfg.Server.ShutdownTimeout); err != nil {
		// Connections still open at the deadline (a browser's idle
		// preconnect, a slow client) are dropped as the process ends.
		a.log.Warn("shutdown deadline passed with connections open", slog.Any("err", err))
	}
	// Shutdown closes only a listener the server has started on; closing
	// it here also ends a Serve that had not started yet.
	_ = ln.Close()
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Close releases everything New opened: it waits (up to
// server.shutdown_timeout) for an automatic run and approvals under way,
// then stops the plugins and closes the store. It is safe to call more
// than once.
func (a *App) Close() error {
	var errs []error
	if a.cron != nil || a.review != nil || a.schedule != nil {
		wait := a.cfg.Server.ShutdownTimeout
		if wait <= 0 {
			wait = 30 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		if a.cron != nil {
			errs = append(errs, a.cron.Stop(ctx))
			a.cron = nil
		}
		if a.schedule != nil {
			errs = append(errs, a.schedule.Stop(ctx))
			a.schedule = nil
		}
		if a.review != nil {
			errs = append(errs, a.review.Close(ctx), a.review.Service.Close(ctx))
			a.review = nil
		}
		cancel()
	}
	if a.ranker != nil {
		errs = append(errs, a.ranker.Close(context.Background()))
		a.ranker = nil
	}
	if a.plugins != nil {
		a.plugins.Close()
		a.plugins = nil
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
		a.store = nil
	}
	if a.logFile != nil {
		errs = append(errs, a.logFile.Close())
		a.logFile = nil
	}
	return errors.Join(errs...)
}

// checkTestInstance refuses a test instance that would touch production:
// its database, its port or its backup work folder (see
// config.CheckIsolation).
func checkTestInstance(cfg *config.Config) error {
	prod, err := cfg.Production()
	if err != nil {
		return fmt.Errorf("test instance: cannot read production's configuration to check that this one is apart from it: %w", err)
	}
	if err := cfg.CheckIsolation(prod); err != nil {
		return fmt.Errorf("test instance refused, it would touch production: %w", err)
	}
	return nil
}

// banner is the banner of every page: the configured one, and on a test
// instance config.TestBanner when none is configured.
func banner(cfg *config.Config) string {
	if cfg.UI.Banner == "" && cfg.Profile == config.ProfileTest {
		return config.TestBanner
	}
	return cfg.UI.Banner
}

// instance is what a server's responses say it is: "test" on a test
// instance, "" (nothing) otherwise.
func instance(cfg *config.Config) string {
	if cfg.Profile == config.ProfileTest {
		return "test"
	}
	return ""
}
