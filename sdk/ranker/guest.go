package ranker

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// Register makes m the module's model: the exports call it. Call it once,
// from the main package's init. It panics when m is nil or a model is
// already registered (a module holds one model).
func Register(m Model) {
	if m == nil {
		panic("ranker: Register(nil)")
	}
	if instance.model != nil {
		panic("ranker: Register called twice: a module holds one model")
	}
	instance.model = m
}

// instance is the module's state; the exports (export_wasm.go) call it.
var instance guest

// minAlloc is the smallest buffer alloc keeps, so that small requests do
// not each grow it.
const minAlloc = 4096

var errNoModel = errors.New("no model registered: call ranker.Register from the main package's init")

// guest is the state behind the exports of one module instance: the
// model, the one buffer alloc hands out, the slices score reuses and the
// last error. Everything crosses as byte slices and pointers into the
// buffer are resolved by offset, so the logic runs natively in tests; the
// exports only turn slices into guest pointers. Not safe for concurrent
// use (a wasm instance is single-threaded).
type guest struct {
	model Model
	// addr is the guest address of a slice's first byte; set by the wasm
	// build, faked by native tests.
	addr func([]byte) uint32
	// floats views bytes in the wire form as float32s without copying,
	// where the machine's own layout is the wire form (little-endian
	// wasm), or returns nil; nil in native builds, which copy.
	floats func([]byte) []float32

	loaded   bool   // Load was called, by load or lazily with nil
	loadErr  error  // why the last Load failed; nil when it succeeded
	features int    // len(Meta().Features) after the last good Load
	metaText []byte // Meta().Encode() after the last good Load

	buf     []byte    // the buffer alloc hands out; the host writes inputs here
	x       []float32 // the decoded feature matrix, reused
	scores  []float32 // the model's scores, reused
	out     []byte    // the encoded scores, reused; the host reads them
	errText []byte    // the last error message
}

// alloc makes the buffer at least size bytes long and returns its guest
// address, or 0 for a size below 0 or above MaxAlloc. The buffer only
// grows, by powers of two from minAlloc, so alloc allocates only while
// the requests grow.
func (g *guest) alloc(size int32) uint32 {
	if size < 0 || size > MaxAlloc {
		return 0
	}
	if int(size) > len(g.buf) || g.buf == nil {
		n := minAlloc
		for n < int(size) {
			n *= 2
		}
		g.buf = make([]byte, n)
	}
	return g.addr(g.buf)
}

// region returns the n bytes at guest address ptr, which must lie inside
// the buffer alloc handed out.
func (g *guest) region(ptr uint32, n int64) ([]byte, error) {
	off := int64(ptr) - int64(g.addr(g.buf))
	if len(g.buf) == 0 || off < 0 || n < 0 || off > int64(len(g.buf)) || n > int64(len(g.buf))-off {
		return nil, fmt.Errorf("%d bytes at %#x are not inside the %d-byte buffer from %s", n, ptr, len(g.buf), ExportAlloc)
	}
	return g.buf[off : off+n : off+n], nil
}

// load copies the n parameter bytes at ptr and hands them to the model;
// 0 on success, 1 when it refused them (errText says why). n = 0 hands
// the model nil, as for a file without parameters.
func (g *guest) load(ptr uint32, n int32) int32 {
	g.errText = g.errText[:0]
	var params []byte
	if n != 0 {
		in, err := g.region(ptr, int64(n))
		if err != nil {
			g.fail(fmt.Errorf("load: %w", err))
			return 1
		}
		params = bytes.Clone(in)
	}
	if err := g.loadModel(params); err != nil {
		g.fail(err)
		return 1
	}
	return 0
}

// loadModel calls the model's Load and then reads, checks and keeps its
// Meta: the model is ready only when both succeed.
func (g *guest) loadModel(params []byte) (err error) {
	g.loaded, g.features, g.metaText = true, 0, nil
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("load: model panicked: %v", r)
		}
		g.loadErr = err
	}()
	if g.model == nil {
		return errNoModel
	}
	if err := g.model.Load(params); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	m := g.model.Meta()
	if err := m.ValidateText(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	g.features, g.metaText = len(m.Features), m.Encode()
	return nil
}

// ready loads the model without parameters when the host did not call
// load, and reports why the model cannot score.
func (g *guest) ready() error {
	if !g.loaded {
		_ = g.loadModel(nil) // kept in loadErr
	}
	if g.loadErr != nil {
		return fmt.Errorf("the model has no usable parameters: %w", g.loadErr)
	}
	return nil
}

// meta returns the model's metadata text, or nil when the model has no
// usable parameters (errText says why).
func (g *guest) meta() []byte {
	g.errText = g.errText[:0]
	if err := g.ready(); err != nil {
		g.fail(fmt.Errorf("meta: %w", err))
		return nil
	}
	return g.metaText
}

// score scores the rows×cols matrix at ptr and returns the encoded
// scores, or nil on error (errText says why). It does not allocate once
// the reused slices have grown to the largest call.
func (g *guest) score(ptr uint32, rows, cols int32) []byte {
	g.errText = g.errText[:0]
	if err := g.ready(); err != nil {
		g.fail(fmt.Errorf("score: %w", err))
		return nil
	}
	r, c := int(rows), int(cols)
	if err := CheckShape(r, c, g.features); err != nil {
		g.fail(fmt.Errorf("score: %w", err))
		return nil
	}
	in, err := g.region(ptr, 4*int64(r)*int64(c))
	if err != nil {
		g.fail(fmt.Errorf("score: feature matrix: %w", err))
		return nil
	}
	// In wasm the matrix is read where the host wrote it and the scores
	// are written where the host reads them; elsewhere they are copied.
	x, scores := g.view(in), []float32(nil)
	if x == nil {
		g.x = slices.Grow(g.x[:0], r*c)[:r*c]
		decodeFloats(g.x, in)
		x = g.x
	}
	g.out = slices.Grow(g.out[:0], 4*r)[:4*r]
	if scores = g.view(g.out); scores == nil {
		g.scores = slices.Grow(g.scores[:0], r)[:r]
		scores = g.scores
	}
	clear(scores)
	if err := callScore(g.model, x, r, c, scores); err != nil {
		g.fail(err)
		return nil
	}
	if g.view(g.out) == nil {
		g.out = AppendFloats(g.out[:0], scores)
	}
	return g.out
}

// view returns b as float32s without copying, or nil where that cannot
// be done (see guest.floats).
func (g *guest) view(b []byte) []float32 {
	if g.floats == nil {
		return nil
	}
	return g.floats(b)
}

// fail keeps err's message for the error export, reusing its buffer.
func (g *guest) fail(err error) {
	g.errText = append(g.errText[:0], err.Error()...)
}
