// Package web serves crewplan over HTTP with Fiber: the JSON API under
// /api, the server-rendered pages from package ui, and the /healthz,
// /readyz and /metrics endpoints.
//
// Handlers parse the request, validate it, call the store and render JSON
// or a page; they hold no SQL. Every error ends in the one error handler of
// errors.go, which maps the store's sentinels to status codes and never
// sends an internal error's text to the client.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/ranker/rank"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/ui"
)

// Options configure the web server New builds.
type Options struct {
	// Store is the database every handler reads and writes. Required.
	Store *store.Store
	// Log receives one line per request and the real text of internal
	// errors; nil discards.
	Log *slog.Logger
	// Registry is the app's Prometheus registry: New registers its HTTP
	// metrics on it and serves it at /metrics. Nil means a private one.
	Registry *prometheus.Registry
	// Banner is shown on every page when not empty (test instances).
	Banner string
	// Instance, when not empty, is sent in the X-Crewplan-Instance header
	// of every response ("test" on a test instance).
	Instance string
	// SessionTTL is how long a sign-in lasts; zero means 12 hours.
	SessionTTL time.Duration
	// CookieSecure marks the session cookie Secure (HTTPS only).
	CookieSecure bool
	// Ready reports whether the server can take traffic, for /readyz. Nil
	// means: the store answers a ping and its schema is up to date.
	Ready func(ctx context.Context) error
	// ReadTimeout and WriteTimeout bound reading a whole request and
	// writing a whole response; zero means 15 and 30 seconds.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// Location is the store's time zone, which decides what "today" is on
	// the pages; nil means time.Local.
	Location *time.Location
	// Rules is the rule engine every manual change and the verification
	// panel ask; without one, changes to the schedule are refused (503): a
	// change never goes through unchecked.
	Rules *rules.Engine
	// Plugins lists the running plugins for GET /api/plugins; nil lists
	// none.
	Plugins func() []pluginhost.Status
	// Runs starts scheduler runs and serves their review (/api/runs,
	// /api/proposals); nil answers those changes 503.
	Runs *runs.Review
	// Cron re-reads its schedule when the settings change; nil when
	// this server starts no automatic runs.
	Cron *runs.Cron
	// Ranker serves the ranking models (/api/ranker); nil answers 503.
	Ranker *rank.Service
	// Backups serves the backups (/api/backups); nil answers 503.
	Backups *Backups
	// Gate, when set, lets a restore stop the server serving while it
	// swaps the database (see Gate).
	Gate *Gate
}

// Defaults of the options left zero.
const (
	defaultSessionTTL   = 12 * time.Hour
	defaultReadTimeout  = 15 * time.Second
	defaultWriteTimeout = 30 * time.Second
	idleTimeout         = 2 * time.Minute
	bodyLimit           = 1 << 20
)

// server holds what the handlers share. It is read-only after New.
type server struct {
	store    *store.Store
	log      *slog.Logger
	registry *prometheus.Registry
	metrics  *httpMetrics
	banner   string
	instance string
	ttl      time.Duration
	secure   bool
	ready    func(ctx context.Context) error
	loc      *time.Location
	now      func() time.Time
	pages    map[string]*template.Template
	rules    *rules.Engine
	plugins  func() []pluginhost.Status
	runs     *runs.Review
	cron     *runs.Cron
	ranker   *rank.Service
	backup   *Backups
	gate     *Gate
}

// New builds the web server: routes, middleware and the error handler. It
// parses the embedded templates once, so a broken template fails New
// rather than a request. It starts nothing: the caller serves the app
// (app.Listener) and shuts it down.
func New(opts Options) (*fiber.App, error) {
	return newApp(opts, internals{})
}

// internals are what tests may replace: the templates (to inject a broken
// one) and the clock. Zero fields take the real ones.
type internals struct {
	templates fs.FS
	now       func() time.Time
}

// newApp is New with internals.
func newApp(opts Options, in internals) (*fiber.App, error) {
	if in.templates == nil {
		in.templates = ui.Templates
	}
	if in.now == nil {
		in.now = time.Now
	}
	if opts.Store == nil {
		return nil, errors.New("web: Options.Store is required")
	}
	s := &server{
		store:    opts.Store,
		log:      opts.Log,
		registry: opts.Registry,
		banner:   opts.Banner,
		instance: opts.Instance,
		ttl:      opts.SessionTTL,
		secure:   opts.CookieSecure,
		ready:    opts.Ready,
		loc:      opts.Location,
		now:      in.now,
		rules:    opts.Rules,
		plugins:  opts.Plugins,
		runs:     opts.Runs,
		cron:     opts.Cron,
		ranker:   opts.Ranker,
		backup:   opts.Backups,
		gate:     opts.Gate,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	if s.ttl <= 0 {
		s.ttl = defaultSessionTTL
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	var err error
	if s.pages, err = parsePages(in.templates); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if s.metrics, err = newHTTPMetrics(s.registry); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	readTimeout, writeTimeout := opts.ReadTimeout, opts.WriteTimeout
	if readTimeout <= 0 {
		readTimeout = defaultReadTimeout
	}
	if writeTimeout <= 0 {
		writeTimeout = defaultWriteTimeout
	}
	app := fiber.New(fiber.Config{
		AppName:               "crewplan",
		Immutable:             true, // values from the context outlive the handler
		DisableStartupMessage: true,
		ErrorHandler:          s.fiberErrorHandler,
		BodyLimit:             bodyLimit,
		ReadTimeout:           readTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		CaseSensitive:         true,
	})
	s.routes(app)
	return app, nil
}

// today returns the store-local date now.
func (s *server) today() time.Time { return s.now().In(s.loc) }

// created answers 201 with v as JSON and a Location header.
func created(c *fiber.Ctx, location string, v any) error {
	c.Location(location)
	return c.Status(http.StatusCreated).JSON(v)
}

// list is the JSON of a list without paging.
type list[T any] struct {
	Items []T `json:"items"`
}

// listOf wraps items, never as null.
func listOf[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}
