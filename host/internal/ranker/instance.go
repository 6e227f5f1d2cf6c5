package ranker

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tetratelabs/wazero/api"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// maxErrorText bounds what the host reads of a guest's error message.
const maxErrorText = 1024

// instance is one live instance of a model's module with its exports. It
// is used by one goroutine at a time: it sits in its Model's pool between
// calls.
type instance struct {
	mod      api.Module
	mem      api.Memory
	abi      api.Function
	meta     api.Function
	alloc    api.Function
	load     api.Function
	score    api.Function
	errText  api.Function
	gc       api.Function
	stack    [3]uint64 // parameters and results of CallWithStack
	stderr   *headBuffer
	maxPages uint32
	calls    int // Score calls served
	// The buffer the last alloc handed out for scoring, kept for the next
	// score calls that fit (the ABI keeps it valid until the next alloc):
	// its pointer and size; size 0 when there is none.
	scorePtr  uint32
	scoreSize int
}

// minScoreBuffer is the least buffer run asks for: a few decisions' rows.
const minScoreBuffer = 16 << 10

// callError is a failed call into an instance, with its reason.
type callError struct {
	reason string
	err    error
}

func (e *callError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// failf makes a callError of a reason and a message.
func failf(reason, format string, args ...any) *callError {
	return &callError{reason: reason, err: fmt.Errorf(format, args...)}
}

// call calls f with params and returns its first result (0 when it has
// none). A failure is classified, and carries what the guest wrote to
// stderr.
func (in *instance) call(ctx context.Context, name string, f api.Function, params ...uint64) (uint64, *callError) {
	in.stderr.Reset()
	copy(in.stack[:], params)
	if err := f.CallWithStack(ctx, in.stack[:]); err != nil {
		return 0, &callError{reason: classify(ctx, in, err), err: &guestFault{
			msg: name + ": " + firstLine(err.Error()) + in.stderr.summary(),
			err: err,
		}}
	}
	return in.stack[0], nil
}

// guestFault is what wazero said about a failed call, shortened to its
// first line (a trap's wasm stack trace follows it) and followed by what
// the guest wrote to stderr.
type guestFault struct {
	msg string
	err error
}

func (e *guestFault) Error() string { return e.msg }
func (e *guestFault) Unwrap() error { return e.err }

// firstLine returns s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// pages is the size of the instance's linear memory in pages.
func (in *instance) pages() uint32 {
	p, _ := in.mem.Grow(0)
	return p
}

// input asks the guest for a buffer of n bytes and returns a writable view
// of it in guest memory, and its pointer.
func (in *instance) input(ctx context.Context, n int) (uint32, []byte, *callError) {
	in.scoreSize = 0 // an alloc ends the last buffer
	ptr, cerr := in.call(ctx, ranker.ExportAlloc, in.alloc, uint64(n))
	if cerr != nil {
		return 0, nil, cerr
	}
	if ptr == 0 {
		return 0, nil, failf(ReasonError, "%s(%d) returned no buffer%s", ranker.ExportAlloc, n, in.guestError(ctx))
	}
	view, ok := in.mem.Read(uint32(ptr), uint32(n))
	if !ok {
		return 0, nil, failf(ReasonTrap, "%s(%d) returned %#x, outside the %d-byte memory", ranker.ExportAlloc, n, ptr, in.mem.Size())
	}
	return uint32(ptr), view, nil
}

// output returns a view of the guest memory a packed pointer and length
// designate.
func (in *instance) output(export string, packed uint64) ([]byte, *callError) {
	ptr, n := ranker.Unpack(packed)
	view, ok := in.mem.Read(ptr, n)
	if !ok {
		return nil, failf(ReasonTrap, "%s returned %d bytes at %#x, outside the %d-byte memory", export, n, ptr, in.mem.Size())
	}
	return view, nil
}

// guestError returns the guest's last error message as ": message", or ""
// when it has none or cannot say.
func (in *instance) guestError(ctx context.Context) string {
	packed, cerr := in.call(ctx, ranker.ExportError, in.errText)
	if cerr != nil {
		return ""
	}
	b, cerr := in.output(ranker.ExportError, packed)
	if cerr != nil || len(b) == 0 {
		return ""
	}
	return ": " + cleanText(b, maxErrorText)
}

// loadParams hands the instance its parameters.
func (in *instance) loadParams(ctx context.Context, params []byte) *callError {
	ptr, view, cerr := in.input(ctx, len(params))
	if cerr != nil {
		return cerr
	}
	copy(view, params)
	rc, cerr := in.call(ctx, ranker.ExportLoad, in.load, uint64(ptr), uint64(len(params)))
	if cerr != nil {
		return cerr
	}
	if int32(rc) != 0 {
		return failf(ReasonError, "parameters refused (%s returned %d)%s", ranker.ExportLoad, int32(rc), in.guestError(ctx))
	}
	return nil
}

// readMeta reads and parses the instance's metadata.
func (in *instance) readMeta(ctx context.Context) (ranker.Meta, *callError) {
	packed, cerr := in.call(ctx, ranker.ExportMeta, in.meta)
	if cerr != nil {
		return ranker.Meta{}, cerr
	}
	b, cerr := in.output(ranker.ExportMeta, packed)
	if cerr != nil {
		return ranker.Meta{}, cerr
	}
	meta, err := ranker.ParseMeta(bytes.Clone(b))
	if err != nil {
		return meta, &callError{reason: ReasonError, err: err}
	}
	return meta, nil
}

// run scores x (rows×cols, row-major), checks the scores (rows of them,
// all finite) and appends them to dst.
func (in *instance) run(ctx context.Context, dst, x []float32, rows, cols int) ([]float32, *callError) {
	ptr, view, cerr := in.scoreInput(ctx, 4*len(x))
	if cerr != nil {
		return nil, cerr
	}
	if b := ranker.AppendFloats(view[:0], x); &b[0] != &view[0] {
		copy(view, b) // not reached: view has room for x
	}
	packed, cerr := in.call(ctx, ranker.ExportScore, in.score, uint64(ptr), uint64(rows), uint64(cols))
	if cerr != nil {
		return nil, cerr
	}
	if packed == 0 {
		return nil, failf(ReasonError, "%s failed%s", ranker.ExportScore, in.guestError(ctx))
	}
	b, cerr := in.output(ranker.ExportScore, packed)
	if cerr != nil {
		return nil, cerr
	}
	if len(b) != 4*rows {
		return nil, failf(ReasonWrongLength, "%d bytes of scores for %d rows: want %d, one float32 a row", len(b), rows, 4*rows)
	}
	// The length is right, so the only complaint left is a score that is
	// not a finite number.
	scores, err := ranker.AppendScores(dst, b, rows)
	if err != nil {
		return nil, &callError{reason: ReasonNaN, err: err}
	}
	return scores, nil
}

// scoreInput returns a writable view of n bytes of guest memory for a
// score call's matrix, and its pointer: in the buffer of the last score
// call when they fit, which saves a call into the guest; else in a new
// one of at least minScoreBuffer bytes, a power of two, so that the
// buffer is asked for again only while the calls grow.
func (in *instance) scoreInput(ctx context.Context, n int) (uint32, []byte, *callError) {
	if n <= in.scoreSize {
		if view, ok := in.mem.Read(in.scorePtr, uint32(n)); ok {
			return in.scorePtr, view, nil
		}
	}
	size := minScoreBuffer
	for size < n {
		size *= 2
	}
	ptr, view, cerr := in.input(ctx, size)
	if cerr != nil {
		return 0, nil, cerr
	}
	in.scorePtr, in.scoreSize = ptr, size
	return ptr, view[:n], nil
}

// close closes the instance's module; closing twice is harmless.
func (in *instance) close(ctx context.Context) {
	_ = in.mod.Close(ctx)
}

// headBuffer keeps the first bytes written to it since the last Reset: the
// start of a guest's stderr, where a Go guest says why it died.
type headBuffer struct {
	buf []byte
}

const headBufferSize = 4096

// Write keeps what fits and discards the rest, never failing.
func (h *headBuffer) Write(p []byte) (int, error) {
	if room := headBufferSize - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// Reset forgets what was written.
func (h *headBuffer) Reset() { h.buf = h.buf[:0] }

// String returns what was kept.
func (h *headBuffer) String() string { return string(h.buf) }

// summary returns the first lines the guest wrote, as " (guest stderr:
// ...)", or "" when it wrote nothing.
func (h *headBuffer) summary() string {
	text := strings.TrimSpace(string(h.buf))
	if text == "" {
		return ""
	}
	// The first lines say what happened; a blank line or a goroutine's
	// traceback ends them.
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "goroutine ") || len(lines) == 3 {
			break
		}
		lines = append(lines, line)
	}
	return " (guest stderr: " + cleanText([]byte(strings.Join(lines, "; ")), 300) + ")"
}

// cleanText makes guest text fit for an error message: valid UTF-8, no
// control characters, at most max bytes.
func cleanText(b []byte, max int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
