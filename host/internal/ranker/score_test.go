package ranker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/ranker"
)

func TestNewRuntimeRefusesOptions(t *testing.T) {
	for _, o := range []ranker.Options{
		{MaxMemoryPages: 10},
		{MaxMemoryPages: 70000},
		{Deadline: -time.Second},
		{PoolSize: -1},
		{RecycleAfter: -1},
		{GCEvery: -1},
		{LoadTimeout: -time.Second},
	} {
		if rt, err := ranker.NewRuntime(context.Background(), o); err == nil {
			rt.Close(context.Background())
			t.Errorf("NewRuntime(%+v) succeeded", o)
		}
	}
}

func TestScoreRefusesInput(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t, ranker.Options{MaxMemoryPages: 512})
	m := load(t, rt, guest(t, "misbehave"), false)
	ctx := context.Background()
	if got, err := m.Score(ctx, nil, 0, 2); err != nil || len(got) != 0 {
		t.Errorf("Score of no rows = %v, %v; want no scores", got, err)
	}
	for _, tt := range []struct {
		x          []float32
		rows, cols int
	}{
		{make([]float32, 6), 2, 3},   // the model has 2 features
		{make([]float32, 5), 3, 2},   // too few values
		{make([]float32, 2), -1, -2}, // negative shape
		{make([]float32, 2*5000), 5000, 2},
	} {
		_, err := m.Score(ctx, tt.x, tt.rows, tt.cols)
		if reason := reasonOf(err); reason != ranker.ReasonInput {
			t.Errorf("Score(%d values, %d, %d): %v (reason %q), want reason %q", len(tt.x), tt.rows, tt.cols, err, reason, ranker.ReasonInput)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Score(cancelled, modeRows(0, 2), 2, 2); reasonOf(err) != ranker.ReasonTimeout || !errors.Is(err, context.Canceled) {
		t.Errorf("Score with a cancelled context: %v, want reason %q wrapping context.Canceled", err, ranker.ReasonTimeout)
	}
	// None of that harmed the model.
	if got, err := m.Score(ctx, modeRows(0, 2), 2, 2); err != nil || !slices.Equal(got, []float32{1, 2}) {
		t.Errorf("Score = %v, %v; want [1 2]", got, err)
	}
	// AppendScores appends to the caller's buffer, in place when it has
	// room; a smaller call after a larger one reuses the input buffer.
	buf := make([]float32, 1, 8)
	buf[0] = 9
	if got, err := m.AppendScores(ctx, buf, modeRows(0, 2), 2, 2); err != nil || !slices.Equal(got, []float32{9, 1, 2}) || &got[0] != &buf[0] {
		t.Errorf("AppendScores = %v, %v; want [9 1 2] in the buffer passed", got, err)
	}
	if got, err := m.AppendScores(ctx, buf[:0], modeRows(0, 1), 1, 2); err != nil || !slices.Equal(got, []float32{1}) {
		t.Errorf("AppendScores of one row = %v, %v; want [1]", got, err)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := m.Score(ctx, modeRows(0, 2), 2, 2); reasonOf(err) != ranker.ReasonClosed || !errors.Is(err, ranker.ErrClosed) {
		t.Errorf("Score after Close: %v, want reason %q wrapping ErrClosed", err, ranker.ReasonClosed)
	}
	if err := m.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRecycle checks that instances are recycled after RecycleAfter calls
// and that the guest's gc is called, without changing the scores.
func TestRecycle(t *testing.T) {
	t.Parallel()
	var log logRecords
	rt := newRuntime(t, ranker.Options{
		MaxMemoryPages: 512, PoolSize: 1, RecycleAfter: 4, GCEvery: 3,
		Deadline: time.Second, // not the 50 ms default: a busy -race run took longer and discarded the instance
		Logger:   slog.New(&log),
	})
	m := load(t, rt, guest(t, "misbehave"), false)
	for i := range 10 {
		got, err := m.Score(context.Background(), modeRows(0, 3), 3, 2)
		if err != nil || !slices.Equal(got, []float32{1, 2, 3}) {
			t.Fatalf("call %d: Score = %v, %v; want [1 2 3]", i, got, err)
		}
	}
	if got := log.count("ranker instance recycled"); got != 2 {
		t.Errorf("%d instances recycled in 10 calls, want 2 (after calls 4 and 8)", got)
	}
	if got := log.count("ranker instance discarded"); got != 0 {
		t.Errorf("%d instances discarded, want none", got)
	}
}

// TestConcurrentScore scores from more goroutines than the pool has
// instances, each call on its own data, and wants the scores sequential
// calls give.
func TestConcurrentScore(t *testing.T) {
	t.Parallel()
	wasm := fixtureModule(t)
	for _, trusted := range []bool{true, false} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			rt := newRuntime(t, ranker.Options{PoolSize: 3, Deadline: time.Second})
			m := load(t, rt, wasm, trusted)
			ctx := context.Background()
			const calls, rows, cols = 60, 20, 5
			input := func(i int) []float32 {
				rng := rand.New(rand.NewPCG(uint64(i), 1))
				x := make([]float32, rows*cols)
				for j := range x {
					x[j] = rng.Float32()*4 - 2
				}
				return x
			}
			want := make([][]float32, calls)
			for i := range calls {
				var err error
				if want[i], err = m.Score(ctx, input(i), rows, cols); err != nil {
					t.Fatal(err)
				}
			}
			got := make([][]float32, calls)
			errs := make([]error, calls)
			var wg sync.WaitGroup
			const goroutines = 6
			for g := range goroutines {
				wg.Go(func() {
					for i := g; i < calls; i += goroutines {
						got[i], errs[i] = m.Score(ctx, input(i), rows, cols)
					}
				})
			}
			wg.Wait()
			for i := range calls {
				if errs[i] != nil || !slices.Equal(got[i], want[i]) {
					t.Errorf("call %d: concurrent Score = %v, %v; sequential %v", i, got[i], errs[i], want[i])
				}
			}
		})
	}
}

// reasonOf returns the Reason of a *ScoreError, or "" for any other error.
func reasonOf(err error) string {
	var se *ranker.ScoreError
	if errors.As(err, &se) {
		return se.Reason()
	}
	return ""
}

// logRecords is a slog.Handler that keeps the messages it is handed.
type logRecords struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecords) WithGroup(string) slog.Handler            { return l }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}

func (l *logRecords) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.EqualFold(m, msg) {
			n++
		}
	}
	return n
}

// TestCloseWhileScoring closes a model under goroutines that score in a
// loop: each call either scores or fails with ReasonClosed, and Close
// waits for the calls in flight.
func TestCloseWhileScoring(t *testing.T) {
	t.Parallel()
	rt := newRuntime(t, ranker.Options{MaxMemoryPages: 512, PoolSize: 2})
	m := load(t, rt, guest(t, "misbehave"), false)
	ctx := context.Background()
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				got, err := m.Score(ctx, modeRows(0, 2), 2, 2)
				if i == 0 {
					started <- struct{}{}
				}
				if reasonOf(err) == ranker.ReasonClosed {
					return
				}
				if err != nil || !slices.Equal(got, []float32{1, 2}) {
					t.Errorf("Score = %v, %v; want [1 2]", got, err)
					return
				}
			}
		})
	}
	for range 4 {
		<-started
	}
	if err := m.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait()
}
