// Package ranker runs crewplan's ranking models: WebAssembly modules that
// speak the ABI of sdk/ranker (version 1), under wazero.
//
// A Runtime compiles and instantiates modules; Load validates a module
// before anything can use it and returns a Model; Model.Score scores a
// feature matrix on a pool of instances, under a deadline, and turns every
// way a module can misbehave into an error with a Reason the scheduler
// counts when it falls back to the rule-based ranking.
//
// # Fast and guarded
//
// A Runtime holds two wazero runtimes with the same compiler engine,
// compilation cache and memory cap. The guarded one is built with
// WithCloseOnContextDone(true): wazero checks for a done context at every
// loop header, so a module that loops forever is stopped at the deadline
// and closed. Go-compiled guests loop in nearly every function, so that
// check costs. Scoring 50 candidates × 35 features with the logreg
// evaluator on a 2-core machine (BenchmarkScoreFast, BenchmarkScoreGuarded
// and BenchmarkScoreNative in this package) took about 31 µs on the fast
// runtime, 220 µs on the guarded one (7×) and 9.5 µs natively. The fast
// runtime has no check: a deadline there is noticed only after the call
// returns, and a module that never returns keeps its goroutine, its
// instance and a core busy for good.
//
// Load therefore runs a module on the fast runtime only when the caller
// passes trusted: the project's own evaluators, whose parameter blobs are
// validated so that evaluation always terminates (a later step decides
// trust by the evaluator's SHA-256, see Model.SHA256). Every other module
// runs guarded.
//
// # Failure reasons
//
// Every error from Model.Score is a *ScoreError whose Reason is one of
// ReasonTrap, ReasonTimeout, ReasonMemory, ReasonNaN, ReasonWrongLength and
// ReasonError (the module's fault: the instance that produced it is closed
// and replaced on a later call), or ReasonInput and ReasonClosed (the
// caller's: bad arguments or a closed model; no instance is harmed).
package ranker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Defaults for the zero fields of Options.
const (
	// DefaultMaxMemoryPages caps an instance's linear memory at 64 MiB.
	DefaultMaxMemoryPages = 1024
	// DefaultDeadline bounds one Score call.
	DefaultDeadline = 50 * time.Millisecond
	// DefaultRecycleAfter is how many Score calls an instance serves
	// before it is replaced by a fresh one.
	DefaultRecycleAfter = 10000
	// DefaultGCEvery is how many Score calls pass between two calls of
	// the guest's garbage collector (crewplan_ranker_gc).
	DefaultGCEvery = 1000
	// DefaultLoadTimeout bounds instantiating an instance and handing it
	// its parameters, and Load's validation calls.
	DefaultLoadTimeout = 10 * time.Second
)

// minGoPages is the least linear memory a Go-compiled guest starts with
// (37 pages, measured); a smaller cap could run no Go model at all.
const minGoPages = 37

// Options configures a Runtime. The zero value of each field picks its
// default.
type Options struct {
	// CacheDir is the directory of wazero's compilation cache, shared by
	// every process that uses it: a module compiled once loads in tens of
	// milliseconds afterwards. Empty means an in-memory cache only. The
	// cache never evicts: each distinct module adds some MiB.
	CacheDir string
	// MaxMemoryPages caps each instance's linear memory, in 64 KiB pages
	// (default DefaultMaxMemoryPages). A module that reaches it fails with
	// ReasonMemory.
	MaxMemoryPages uint32
	// Deadline bounds one Score call (default DefaultDeadline). A guarded
	// module is stopped at the deadline; a trusted one is only found late
	// when it returns.
	Deadline time.Duration
	// PoolSize is how many instances of one model may score at once
	// (default GOMAXPROCS). Instances are created when first needed.
	PoolSize int
	// RecycleAfter is how many Score calls an instance serves before it
	// is replaced (default DefaultRecycleAfter).
	RecycleAfter int
	// RecyclePages replaces an instance whose linear memory has grown past
	// this many pages (default half of MaxMemoryPages).
	RecyclePages uint32
	// GCEvery is how many Score calls of an instance pass between calls of
	// its garbage collector (default DefaultGCEvery).
	GCEvery int
	// LoadTimeout bounds instantiation, parameter loading and Load's
	// validation (default DefaultLoadTimeout).
	LoadTimeout time.Duration
	// Logger receives a warning whenever an instance is discarded, and a
	// debug record when one is recycled; nil discards the log.
	Logger *slog.Logger
}

// withDefaults fills the zero fields of o and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.MaxMemoryPages == 0 {
		o.MaxMemoryPages = DefaultMaxMemoryPages
	}
	if o.MaxMemoryPages < minGoPages || o.MaxMemoryPages > 65536 {
		return o, fmt.Errorf("ranker options: max memory %d pages: want %d to 65536", o.MaxMemoryPages, minGoPages)
	}
	if o.Deadline == 0 {
		o.Deadline = DefaultDeadline
	}
	if o.PoolSize == 0 {
		o.PoolSize = runtime.GOMAXPROCS(0)
	}
	if o.RecycleAfter == 0 {
		o.RecycleAfter = DefaultRecycleAfter
	}
	if o.RecyclePages == 0 {
		o.RecyclePages = o.MaxMemoryPages / 2
	}
	if o.GCEvery == 0 {
		o.GCEvery = DefaultGCEvery
	}
	if o.LoadTimeout == 0 {
		o.LoadTimeout = DefaultLoadTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case o.Deadline < 0:
		return o, fmt.Errorf("ranker options: deadline %s: want a positive duration", o.Deadline)
	case o.PoolSize < 0:
		return o, fmt.Errorf("ranker options: pool size %d: want at least 1", o.PoolSize)
	case o.RecycleAfter < 0:
		return o, fmt.Errorf("ranker options: recycle after %d calls: want at least 1", o.RecycleAfter)
	case o.GCEvery < 0:
		return o, fmt.Errorf("ranker options: gc every %d calls: want at least 1", o.GCEvery)
	case o.LoadTimeout < 0:
		return o, fmt.Errorf("ranker options: load timeout %s: want a positive duration", o.LoadTimeout)
	}
	return o, nil
}

// Runtime compiles and runs ranking models. It is safe for concurrent use.
type Runtime struct {
	opts    Options
	cache   wazero.CompilationCache
	fast    wazero.Runtime // trusted modules: no termination checks
	guarded wazero.Runtime // everything else: stopped at the deadline
}

// NewRuntime creates a Runtime: the compilation cache (on disk in
// o.CacheDir when it is set) and the fast and guarded wazero runtimes,
// each with WASI preview 1 (no files, no arguments, no environment,
// deterministic clocks and randomness).
func NewRuntime(ctx context.Context, o Options) (*Runtime, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	var cache wazero.CompilationCache
	if o.CacheDir != "" {
		if cache, err = wazero.NewCompilationCacheWithDir(o.CacheDir); err != nil {
			return nil, fmt.Errorf("ranker compilation cache %s: %w", o.CacheDir, err)
		}
	} else {
		cache = wazero.NewCompilationCache()
	}
	// Both runtimes share the cache: wazero keys compiled code by the
	// module and by whether termination checks are compiled in.
	cfg := wazero.NewRuntimeConfigCompiler().
		WithCompilationCache(cache).
		WithMemoryLimitPages(o.MaxMemoryPages)
	rt := &Runtime{
		opts:    o,
		cache:   cache,
		fast:    wazero.NewRuntimeWithConfig(ctx, cfg),
		guarded: wazero.NewRuntimeWithConfig(ctx, cfg.WithCloseOnContextDone(true)),
	}
	for _, r := range []wazero.Runtime{rt.fast, rt.guarded} {
		if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
			_ = rt.Close(ctx)
			return nil, fmt.Errorf("ranker runtime: instantiate wasi: %w", err)
		}
	}
	return rt, nil
}

// Close closes every model loaded by rt, its instances, and the runtimes.
func (rt *Runtime) Close(ctx context.Context) error {
	return errors.Join(rt.fast.Close(ctx), rt.guarded.Close(ctx), rt.cache.Close(ctx))
}
