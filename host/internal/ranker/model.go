package ranker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// smokeRows is how many rows of zeros Load scores to check a model.
const smokeRows = 3

// Model is a loaded, validated ranking model: its module's compiled code
// (shared with every model of the same code, see Runtime) and a pool of
// instances. It is safe for concurrent use.
type Model struct {
	rt        *Runtime
	wrt       wazero.Runtime // rt.fast or rt.guarded
	code      *sharedCode
	compiled  wazero.CompiledModule // code.mod
	trusted   bool
	sum       string // hex SHA-256 of the module file
	codeSum   string // hex SHA-256 of its code
	label     string // "model logreg 1", for errors
	params    []byte // the "crewplan.params" section
	hasParams bool
	card      []byte
	meta      ranker.Meta
	reads     []bool // see Reads

	// slots holds PoolSize entries: an idle instance, or nil for one to
	// create when needed. Taking an entry is the right to use it.
	slots       chan *instance
	done        chan struct{} // closed by Close
	closed      atomic.Bool
	closeOnce   sync.Once
	releaseOnce sync.Once // gives the code back to the Runtime
}

// codeSections are the custom sections that are not part of a model's
// code: what makes one trained model differ from another of the same
// evaluator.
var codeSections = []string{ranker.SectionParams, ranker.SectionCard}

// CodeSHA256 returns the hex SHA-256 of a module's code: the module without
// its "crewplan.params" and "crewplan.card" sections (see
// ranker.WithoutSections), the same for every model made from one
// evaluator build. It is what Options.TrustedCode lists and what
// Model.CodeSHA256 reports. It refuses bytes that are not a WebAssembly
// module.
func CodeSHA256(wasm []byte) (string, error) {
	_, sum, err := codeOf(wasm)
	return sum, err
}

// codeOf returns a module's code and its hex SHA-256.
func codeOf(wasm []byte) ([]byte, string, error) {
	code, err := ranker.WithoutSections(wasm, codeSections...)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(code)
	return code, hex.EncodeToString(sum[:]), nil
}

// wantExports are the functions a module must export, with their types.
var wantExports = []struct {
	name            string
	params, results []api.ValueType
}{
	{"_initialize", nil, nil},
	{ranker.ExportABI, nil, []api.ValueType{api.ValueTypeI32}},
	{ranker.ExportMeta, nil, []api.ValueType{api.ValueTypeI64}},
	{ranker.ExportAlloc, []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	{ranker.ExportLoad, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	{ranker.ExportScore, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI64}},
	{ranker.ExportError, nil, []api.ValueType{api.ValueTypeI64}},
	{ranker.ExportGC, nil, nil},
}

// Load validates a model's module and returns it, ready to score: the
// exports of ABI version 1 with their types, the ABI version, the
// parameters (the module's "crewplan.params" section, when it has one)
// accepted, metadata that parses, and a smoke call scoring a few rows of
// zeros to finite scores. Every error names the model and what was wrong
// with it, and matches ErrInvalidModel unless ctx ended.
//
// What Load compiles is the module's code (see CodeSHA256): the
// parameters reach an instance through crewplan_ranker_load, never as part
// of the compiled module, so every model of one evaluator build shares one
// compiled module in the Runtime and one entry in the compilation cache.
// The model runs on the fast runtime when its code hash is one of
// Options.TrustedCode, on the guarded one otherwise (see the package doc).
func (rt *Runtime) Load(ctx context.Context, wasm []byte) (*Model, error) {
	return rt.load(ctx, wasm, trustByCode)
}

// trust says how load picks a model's runtime.
type trust int

const (
	trustByCode  trust = iota // fast when the code hash is trusted
	forceFast                 // for tests
	forceGuarded              // for tests
)

// load is Load, with the runtime chosen by t.
func (rt *Runtime) load(ctx context.Context, wasm []byte, t trust) (*Model, error) {
	m, err := rt.loadModel(ctx, wasm, t)
	if err != nil && ctx.Err() == nil {
		return nil, &invalidModel{err: err}
	}
	return m, err
}

// loadModel is load, with errors not yet marked.
func (rt *Runtime) loadModel(ctx context.Context, wasm []byte, t trust) (*Model, error) {
	sum := sha256.Sum256(wasm)
	m := &Model{rt: rt, sum: hex.EncodeToString(sum[:])}
	m.label = "model sha256:" + m.sum[:12]

	var err error
	if m.card, _, err = ranker.Section(wasm, ranker.SectionCard); err != nil {
		return nil, fmt.Errorf("%s: %w", m.label, err)
	}
	m.card = bytes.Clone(m.card)
	m.label = cardLabel(m.card, m.label)
	if m.params, m.hasParams, err = ranker.Section(wasm, ranker.SectionParams); err != nil {
		return nil, fmt.Errorf("%s: %w", m.label, err)
	}
	m.params = bytes.Clone(m.params)
	code, codeSum, err := codeOf(wasm)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.label, err)
	}
	m.codeSum = codeSum
	switch t {
	case trustByCode:
		m.trusted = rt.trusted[codeSum]
	case forceFast:
		m.trusted = true
	}
	m.wrt = rt.guarded
	if m.trusted {
		m.wrt = rt.fast
	}

	if m.code, err = rt.compile(ctx, code, codeSum, m.trusted); err != nil {
		return nil, fmt.Errorf("%s: compile: %w", m.label, err)
	}
	m.compiled = m.code.mod
	if err := m.checkModule(); err != nil {
		_ = m.releaseCode(ctx)
		return nil, err
	}

	lctx, cancel := context.WithTimeout(ctx, rt.opts.LoadTimeout)
	defer cancel()
	inst, cerr := m.instantiate(lctx)
	if cerr == nil {
		cerr = m.validate(lctx, inst)
		if cerr != nil {
			inst.close(ctx)
		}
	}
	if cerr != nil {
		_ = m.releaseCode(ctx)
		return nil, fmt.Errorf("%s: %w", m.label, cerr.err)
	}

	m.reads = m.readsOf()
	m.slots = make(chan *instance, rt.opts.PoolSize)
	m.done = make(chan struct{})
	m.slots <- inst
	for range rt.opts.PoolSize - 1 {
		m.slots <- nil
	}
	return m, nil
}

// releaseCode gives the model's compiled code back to the Runtime, once.
func (m *Model) releaseCode(ctx context.Context) (err error) {
	m.releaseOnce.Do(func() { err = m.rt.release(ctx, m.code) })
	return err
}

// cardLabel names a model after its card's name and version, when the
// card is JSON that has them.
func cardLabel(card []byte, fallback string) string {
	var c struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if len(card) == 0 || json.Unmarshal(card, &c) != nil || c.Name == "" {
		return fallback
	}
	return strings.TrimSpace(cleanText([]byte("model "+c.Name+" "+c.Version), 100))
}

// checkModule checks the compiled module's exports and imports.
func (m *Model) checkModule() error {
	exports := m.compiled.ExportedFunctions()
	for _, want := range wantExports {
		def, ok := exports[want.name]
		if !ok {
			if want.name == "_initialize" {
				return fmt.Errorf("%s: no _initialize export: not a reactor (build with -buildmode=c-shared)", m.label)
			}
			return fmt.Errorf("%s: no %s export (ABI version %d needs it)", m.label, want.name, ranker.ABIVersion)
		}
		if !slices.Equal(def.ParamTypes(), want.params) || !slices.Equal(def.ResultTypes(), want.results) {
			return fmt.Errorf("%s: export %s has type %s, want %s", m.label, want.name,
				signature(def.ParamTypes(), def.ResultTypes()), signature(want.params, want.results))
		}
	}
	if _, ok := m.compiled.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf("%s: no memory export", m.label)
	}
	for _, def := range m.compiled.ImportedFunctions() {
		if mod, name, _ := def.Import(); mod != wasi_snapshot_preview1.ModuleName {
			return fmt.Errorf("%s: imports %s.%s: the host provides only %s", m.label, mod, name, wasi_snapshot_preview1.ModuleName)
		}
	}
	if len(m.compiled.ImportedMemories()) > 0 {
		return fmt.Errorf("%s: imports a memory: a model must define its own", m.label)
	}
	return nil
}

// signature writes a function type as "(i32, i32) -> i64".
func signature(params, results []api.ValueType) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return strings.Join(s, ", ")
	}
	return "(" + names(params) + ") -> (" + names(results) + ")"
}

// instantiate creates an instance, checks its ABI version and loads its
// parameters.
func (m *Model) instantiate(ctx context.Context) (*instance, *callError) {
	stderr := &headBuffer{}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions("_initialize").
		WithStderr(stderr)
	mod, err := m.wrt.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		// The module is closed already: classify from the error alone.
		reason := classify(ctx, nil, err)
		if strings.Contains(stderr.String(), "out of memory") {
			reason = ReasonMemory
		}
		return nil, &callError{reason: reason, err: &guestFault{
			msg: "instantiate: " + firstLine(err.Error()) + stderr.summary(),
			err: err,
		}}
	}
	in := &instance{
		mod:      mod,
		mem:      mod.Memory(),
		abi:      mod.ExportedFunction(ranker.ExportABI),
		meta:     mod.ExportedFunction(ranker.ExportMeta),
		alloc:    mod.ExportedFunction(ranker.ExportAlloc),
		load:     mod.ExportedFunction(ranker.ExportLoad),
		score:    mod.ExportedFunction(ranker.ExportScore),
		errText:  mod.ExportedFunction(ranker.ExportError),
		gc:       mod.ExportedFunction(ranker.ExportGC),
		stderr:   stderr,
		maxPages: m.rt.opts.MaxMemoryPages,
	}
	v, cerr := in.call(ctx, ranker.ExportABI, in.abi)
	if cerr == nil && int32(v) != ranker.ABIVersion {
		cerr = failf(ReasonError, "abi version %d, host speaks %d", int32(v), ranker.ABIVersion)
	}
	if cerr == nil && m.hasParams {
		cerr = in.loadParams(ctx, m.params)
	}
	for range warmGCs {
		if cerr == nil {
			_, cerr = in.call(ctx, ranker.ExportGC, in.gc)
		}
	}
	if cerr != nil {
		in.close(ctx)
		return nil, cerr
	}
	return in, nil
}

// warmGCs is how many times instantiate runs a new instance's garbage
// collector, after its parameters are loaded and before it serves a call.
// A Go guest's linear memory grows over its first two collections (the
// collector's own structures: 48 → 57 → 62 pages for the evaluators,
// measured) and then holds, so an instance starts at its steady size, with
// the garbage of loading its parameters collected; the collections every
// Options.GCEvery calls then find nothing to grow.
const warmGCs = 2

// validate reads the first instance's metadata and scores a few rows of
// zeros with it.
func (m *Model) validate(ctx context.Context, in *instance) *callError {
	meta, cerr := in.readMeta(ctx)
	if cerr != nil {
		return cerr
	}
	m.meta = meta
	m.label = "model " + meta.Name + " " + meta.Version
	cols := len(meta.Features)
	if _, cerr := in.run(ctx, nil, make([]float32, smokeRows*cols), smokeRows, cols); cerr != nil {
		return &callError{reason: cerr.reason, err: fmt.Errorf("smoke test on %d rows of zeros: %w", smokeRows, cerr.err)}
	}
	return nil
}

// Reads reports, per column of Meta().Features, whether the model's
// scores can depend on it; nil when the host cannot tell, and any column
// may. The host can tell for crewplan's own gbdt evaluator (the code of
// package evaluator, by its hash), whose parameters it decodes with the
// evaluator's own Go code: a column is read when a split of some tree
// tests it. Rows that agree on the columns read score alike, so a caller
// may score one of them for all. The caller must not modify the slice.
func (m *Model) Reads() []bool { return m.reads }

// readsOf is Reads, worked out once the model is valid.
func (m *Model) readsOf() []bool {
	if m.codeSum != evaluator.CodeSHA256() || !m.hasParams {
		return nil
	}
	p, err := gbdt.Decode(m.params)
	if err != nil || !slices.Equal(p.Features, m.meta.Features) {
		return nil // not reached: the evaluator accepted them and said so
	}
	return p.Reads()
}

// Meta returns what the model says about itself. The caller must not
// modify its slices and maps.
func (m *Model) Meta() ranker.Meta { return m.meta }

// SHA256 returns the hex SHA-256 of the model's module file.
func (m *Model) SHA256() string { return m.sum }

// CodeSHA256 returns the hex SHA-256 of the model's code: its module
// without the "crewplan.params" and "crewplan.card" sections (see the
// function CodeSHA256). Every model trained for one evaluator build has
// the same.
func (m *Model) CodeSHA256() string { return m.codeSum }

// Trusted reports whether the model runs on the fast runtime: its code
// hash is one of Options.TrustedCode.
func (m *Model) Trusted() bool { return m.trusted }

// Card returns the module's "crewplan.card" section (JSON), or nil.
func (m *Model) Card() []byte { return m.card }

// Score scores x, a rows×cols feature matrix in row-major order whose
// columns are the model's Meta().Features, and returns one finite score
// per row, higher is better. It runs on an idle instance of the model (it
// waits for one while all are busy), under Options.Deadline. Any failure
// is a *ScoreError with its Reason; when the module is at fault, the
// instance is closed and a fresh one replaces it on a later call.
func (m *Model) Score(ctx context.Context, x []float32, rows, cols int) ([]float32, error) {
	return m.AppendScores(ctx, nil, x, rows, cols)
}

// AppendScores is Score appending the scores to dst, so that a caller
// that passes dst[:0] of its own buffer scores without allocating. On
// error it returns nil.
func (m *Model) AppendScores(ctx context.Context, dst, x []float32, rows, cols int) ([]float32, error) {
	switch {
	case m.closed.Load():
		return nil, m.fail(ReasonClosed, ErrClosed)
	case rows == 0 && len(x) == 0:
		if dst == nil {
			return []float32{}, nil
		}
		return dst, nil
	}
	if err := ranker.CheckShape(rows, cols, len(m.meta.Features)); err != nil {
		return nil, m.fail(ReasonInput, err)
	}
	if len(x) != rows*cols {
		return nil, m.fail(ReasonInput, fmt.Errorf("%d values for %d rows × %d columns", len(x), rows, cols))
	}
	if err := ctx.Err(); err != nil {
		return nil, m.fail(ReasonTimeout, err)
	}

	var in *instance
	select {
	case in = <-m.slots:
	case <-ctx.Done():
		return nil, m.fail(ReasonTimeout, fmt.Errorf("waiting for an idle instance: %w", ctx.Err()))
	case <-m.done:
		return nil, m.fail(ReasonClosed, ErrClosed)
	}
	if m.closed.Load() {
		m.release(ctx, in)
		return nil, m.fail(ReasonClosed, ErrClosed)
	}
	if in == nil {
		ictx, cancel := context.WithTimeout(ctx, m.rt.opts.LoadTimeout)
		var cerr *callError
		in, cerr = m.instantiate(ictx)
		cancel()
		if cerr != nil {
			m.slots <- nil
			m.rt.opts.Logger.Warn("ranker instance failed to start", "model", m.label, "reason", cerr.reason, "err", cerr.err)
			return nil, m.fail(cerr.reason, cerr.err)
		}
	}

	scores, cerr := m.run(ctx, in, dst, x, rows, cols)
	if cerr != nil {
		m.discard(ctx, in, cerr)
		return nil, m.fail(cerr.reason, cerr.err)
	}
	in.calls++
	if in.calls%m.rt.opts.GCEvery == 0 {
		gctx, cancel := context.WithTimeout(ctx, m.rt.opts.Deadline)
		_, cerr := in.call(gctx, ranker.ExportGC, in.gc)
		cancel()
		if cerr != nil {
			m.discard(ctx, in, cerr)
			return scores, nil
		}
	}
	if pages := in.pages(); in.calls >= m.rt.opts.RecycleAfter || pages > m.rt.opts.RecyclePages {
		m.rt.opts.Logger.Debug("ranker instance recycled", "model", m.label, "calls", in.calls, "pages", pages)
		in.close(ctx)
		in = nil
	}
	m.release(ctx, in)
	return scores, nil
}

// run scores on in under the deadline. The guarded runtime stops the call
// at the deadline; on the fast one a late result is still a timeout, so
// that both keep the same promise to the caller.
func (m *Model) run(ctx context.Context, in *instance, dst, x []float32, rows, cols int) ([]float32, *callError) {
	deadline := m.rt.opts.Deadline
	if !m.trusted {
		cctx, cancel := context.WithTimeout(ctx, deadline)
		defer cancel()
		return in.run(cctx, dst, x, rows, cols)
	}
	start := time.Now()
	scores, cerr := in.run(ctx, dst, x, rows, cols)
	if took := time.Since(start); cerr == nil && took > deadline {
		return nil, failf(ReasonTimeout, "took %s, deadline %s", took.Round(time.Microsecond), deadline)
	}
	return scores, cerr
}

// discard closes an instance that failed and frees its slot.
func (m *Model) discard(ctx context.Context, in *instance, cerr *callError) {
	m.rt.opts.Logger.Warn("ranker instance discarded", "model", m.label, "reason", cerr.reason, "err", cerr.err)
	in.close(ctx)
	m.release(ctx, nil)
}

// release gives a slot back to the pool, closing its instance if the model
// was closed meanwhile.
func (m *Model) release(ctx context.Context, in *instance) {
	if in != nil && m.closed.Load() {
		in.close(ctx)
		in = nil
	}
	m.slots <- in
}

// fail makes a ScoreError of this model.
func (m *Model) fail(reason string, err error) *ScoreError {
	return &ScoreError{model: m.label, reason: reason, err: err}
}

// Close closes the model: later Score calls fail with ReasonClosed. It
// waits for the calls in flight (or for ctx) and closes every instance,
// and the compiled module unless another model of the same code still
// uses it.
func (m *Model) Close(ctx context.Context) error {
	m.closeOnce.Do(func() {
		m.closed.Store(true)
		close(m.done)
	})
	for range cap(m.slots) {
		select {
		case in := <-m.slots:
			if in != nil {
				in.close(ctx)
			}
		case <-ctx.Done():
			return fmt.Errorf("close %s: %w", m.label, ctx.Err())
		}
	}
	// Every slot is ours now; give them back empty so that a second Close
	// finds them.
	for range cap(m.slots) {
		m.slots <- nil
	}
	if err := m.releaseCode(ctx); err != nil {
		return fmt.Errorf("close %s: %w", m.label, err)
	}
	return nil
}
