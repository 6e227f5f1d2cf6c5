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
// check costs. Scoring 50 candidates × 35 features on a 2-core machine
// (BenchmarkScore* in this package) took, with the embedded gbdt evaluator
// and 100 trees of depth 4, about 205 µs on the fast runtime, 1.2 ms on
// the guarded one (5.7×) and 48 µs natively; with the logreg evaluator
// 18 µs, 138 µs (7.8×) and 5.4 µs. The fast runtime has no check: a
// deadline there is noticed only after the call returns, and a module that
// never returns keeps its goroutine, its instance and a core busy for
// good.
//
// # Which modules run fast
//
// A module runs on the fast runtime if and only if the SHA-256 of its code
// is trusted (Options.TrustedCode). A module's code is the module without
// its "crewplan.params" and "crewplan.card" sections (CodeSHA256,
// Model.CodeSHA256). By default the one trusted code is that of the
// evaluator embedded in package evaluator: crewplan's gradient-boosted
// trees, whose Load refuses any parameters it has not validated so that
// evaluation always terminates (every child after its parent, at most 16
// splits deep). A trained model is that evaluator with new
// parameters, so it has the evaluator's code hash and runs fast. Any other
// module runs guarded: a foreign model, an evaluator built from other
// sources or by another toolchain, even the embedded one with one more
// custom section.
//
// # One compiled module per evaluator
//
// Load compiles a module's code, not the file, and hands the parameters to
// each instance through crewplan_ranker_load. Models with the same code
// share one compiled module in the Runtime (counted, closed with the last
// of them) and one entry in the compilation cache on disk, which never
// evicts: some MiB per evaluator build, not per trained model. A model
// loaded while another of its code is loaded (an activation or rollback
// in the Registry, which loads the new model before it closes the old)
// neither compiles nor reads the cache.
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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
)

// Defaults for the zero fields of Options.
const (
	// DefaultMaxMemoryPages caps an instance's linear memory at 64 MiB.
	DefaultMaxMemoryPages = 1024
	// DefaultDeadline bounds one Score call.
	DefaultDeadline = 50 * time.Millisecond
	// DefaultRecycleAfter is how many Score calls an instance serves
	// before it is replaced by a fresh one.
	// A new instance costs a few milliseconds and some MiB of garbage; a
	// region's month run makes about 5,000 calls, and memory stays flat
	// over 100,000 (TestMemoryStaysFlat), so that is when one is renewed.
	DefaultRecycleAfter = 100000
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
	// TrustedCode lists the code hashes (see CodeSHA256: the hex SHA-256
	// of a module without its "crewplan.params" and "crewplan.card"
	// sections) of the modules that run on the fast runtime, without
	// deadline checks; every other module runs guarded. nil trusts the
	// embedded evaluator's code alone (evaluator.CodeSHA256); an empty,
	// non-nil slice trusts none. List only evaluators whose parameters are
	// validated so that a score call always ends.
	TrustedCode []string
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
	if o.TrustedCode == nil {
		o.TrustedCode = []string{evaluator.CodeSHA256()}
	}
	for _, h := range o.TrustedCode {
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			return o, fmt.Errorf("ranker options: trusted code %q: want a hex SHA-256 (64 hex digits)", h)
		}
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
	fast    wazero.Runtime  // trusted code: no termination checks
	guarded wazero.Runtime  // everything else: stopped at the deadline
	trusted map[string]bool // Options.TrustedCode, lowercase

	mu    sync.Mutex
	codes map[codeKey]*sharedCode // the compiled code of the loaded models
}

// codeKey names a compiled module: its code's hash, and the runtime it is
// compiled for (wazero compiles termination checks into guarded code).
type codeKey struct {
	sum  string
	fast bool
}

// sharedCode is a compiled module that the models of one code share.
type sharedCode struct {
	key   codeKey
	ready chan struct{} // closed once mod or err is set
	mod   wazero.CompiledModule
	err   error
	refs  int // models holding it, and loads waiting for it; under Runtime.mu
}

// compile returns the compiled module of code (whose hash is sum) for the
// fast or the guarded runtime: the one the Runtime holds, or a new one.
// Give it back with release.
func (rt *Runtime) compile(ctx context.Context, code []byte, sum string, fast bool) (*sharedCode, error) {
	key := codeKey{sum: sum, fast: fast}
	rt.mu.Lock()
	if c := rt.codes[key]; c != nil {
		c.refs++
		rt.mu.Unlock()
		select {
		case <-c.ready:
		case <-ctx.Done():
			_ = rt.release(ctx, c)
			return nil, ctx.Err()
		}
		if c.err != nil {
			_ = rt.release(ctx, c)
			return nil, c.err
		}
		return c, nil
	}
	c := &sharedCode{key: key, ready: make(chan struct{}), refs: 1}
	rt.codes[key] = c
	rt.mu.Unlock()

	wrt := rt.guarded
	if fast {
		wrt = rt.fast
	}
	c.mod, c.err = wrt.CompileModule(ctx, code)
	if c.err != nil {
		// Loads already waiting get the error; later ones try again.
		rt.mu.Lock()
		if rt.codes[key] == c {
			delete(rt.codes, key)
		}
		c.refs--
		rt.mu.Unlock()
	}
	close(c.ready)
	if c.err != nil {
		return nil, c.err
	}
	return c, nil
}

// release gives back a compiled module compile returned, closing it when
// no model holds it any more.
func (rt *Runtime) release(ctx context.Context, c *sharedCode) error {
	rt.mu.Lock()
	c.refs--
	last := c.refs == 0
	if last && rt.codes[c.key] == c {
		delete(rt.codes, c.key)
	}
	rt.mu.Unlock()
	if last && c.mod != nil {
		return c.mod.Close(ctx)
	}
	return nil
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
		trusted: make(map[string]bool, len(o.TrustedCode)),
		codes:   make(map[codeKey]*sharedCode),
	}
	for _, h := range o.TrustedCode {
		rt.trusted[strings.ToLower(h)] = true
	}
	for _, r := range []wazero.Runtime{rt.fast, rt.guarded} {
		if _, err := wasi_snapshot_preview1.Instantiate(ctx, r); err != nil {
			_ = rt.Close(ctx)
			return nil, fmt.Errorf("ranker runtime: instantiate wasi: %w", err)
		}
	}
	return rt, nil
}

// Trusts reports whether a module whose code has the hex SHA-256
// codeSHA256 (see CodeSHA256) runs on the fast runtime: whether it is one
// of Options.TrustedCode.
func (rt *Runtime) Trusts(codeSHA256 string) bool {
	return rt.trusted[strings.ToLower(codeSHA256)]
}

// Close closes every model loaded by rt, its instances, and the runtimes.
func (rt *Runtime) Close(ctx context.Context) error {
	return errors.Join(rt.fast.Close(ctx), rt.guarded.Close(ctx), rt.cache.Close(ctx))
}
