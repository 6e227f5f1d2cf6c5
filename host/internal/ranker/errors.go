package ranker

import (
	"context"
	"errors"
	"strings"

	"github.com/tetratelabs/wazero/sys"
)

// The reasons a Score call fails, as ScoreError.Reason reports them. The
// first six are the module's fault; the scheduler counts them when it falls
// back to the rule-based ranking.
const (
	// ReasonTrap: the module trapped (a panic, an out-of-bounds access,
	// unreachable code) or exited, or handed back a pointer outside its
	// memory.
	ReasonTrap = "trap"
	// ReasonTimeout: the call passed its deadline, or the caller's
	// context was cancelled.
	ReasonTimeout = "timeout"
	// ReasonMemory: the module hit the memory cap (Options.MaxMemoryPages).
	ReasonMemory = "memory"
	// ReasonNaN: a score was NaN or infinite.
	ReasonNaN = "nan"
	// ReasonWrongLength: the module returned a number of scores other
	// than the number of rows.
	ReasonWrongLength = "wrong_length"
	// ReasonError: the module reported an error (its text is in the
	// message).
	ReasonError = "error"

	// ReasonInput: the caller passed a matrix the model cannot take (wrong
	// shape, too many rows). No instance was used.
	ReasonInput = "input"
	// ReasonClosed: the model was closed.
	ReasonClosed = "closed"
)

// ErrClosed is wrapped by the errors of a closed Model.
var ErrClosed = errors.New("model closed")

// ErrInvalidModel is matched (errors.Is) by every error of Runtime.Load
// that is the module's fault: bytes that are not a WebAssembly module, a
// module that does not compile, breaks the ABI, refuses its parameters,
// describes itself wrongly, fails its smoke call or takes longer than
// Options.LoadTimeout. Registry.Add and Registry.Activate pass it on. An
// error because the caller's context ended does not match it.
var ErrInvalidModel = errors.New("invalid ranking model")

// invalidModel marks a Load error as ErrInvalidModel without changing its
// message, which already says what is wrong.
type invalidModel struct{ err error }

func (e *invalidModel) Error() string        { return e.err.Error() }
func (e *invalidModel) Unwrap() error        { return e.err }
func (e *invalidModel) Is(target error) bool { return target == ErrInvalidModel }

// ScoreError is the error Model.Score returns: why the model could not
// score, as a Reason, with the details in its message.
type ScoreError struct {
	model  string // "model logreg 1"
	reason string
	err    error
}

// Error says which model failed, why, and what it or the runtime said.
func (e *ScoreError) Error() string {
	return e.model + ": score: " + e.reason + ": " + e.err.Error()
}

// Reason is one of the Reason constants.
func (e *ScoreError) Reason() string { return e.reason }

// Unwrap returns the underlying error (a wazero trap, sys.ExitError, a
// context error, ErrClosed, ...).
func (e *ScoreError) Unwrap() error { return e.err }

// classify names the reason of a failed call into an instance: ctx is the
// call's context, err what wazero returned.
func classify(ctx context.Context, inst *instance, err error) string {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded, sys.ExitCodeContextCanceled:
			return ReasonTimeout
		}
	}
	if ctx.Err() != nil {
		return ReasonTimeout
	}
	if inst != nil && inst.outOfMemory() {
		return ReasonMemory
	}
	return ReasonTrap
}

// outOfMemory reports whether the instance ran out of linear memory: the
// Go runtime says so on stderr before it traps (unreachable); another
// guest would trap with its memory at the cap.
func (in *instance) outOfMemory() bool {
	if strings.Contains(in.stderr.String(), "out of memory") {
		return true
	}
	if in.mod.IsClosed() {
		return false
	}
	return in.pages() >= in.maxPages
}
