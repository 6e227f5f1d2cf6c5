package ranker_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/ranker"
)

// TestMisbehaviour makes the misbehave guest fail in each way it can and
// checks the reason Score reports, and that the model scores again
// afterwards on a fresh instance.
func TestMisbehaviour(t *testing.T) {
	t.Parallel()
	// One instance, so that the call after a failure needs a new one; a
	// short deadline for the endless loop; a cap the hoarder reaches soon.
	rt := newRuntime(t, ranker.Options{MaxMemoryPages: 512, Deadline: 250 * time.Millisecond, PoolSize: 1})
	slow := newRuntime(t, ranker.Options{MaxMemoryPages: 512, Deadline: 5 * time.Second, PoolSize: 1})
	type test struct {
		name    string
		mode    float32
		reason  string
		trusted bool
		rt      *ranker.Runtime
	}
	tests := []test{
		{name: "endless loop", mode: 1, reason: ranker.ReasonTimeout, rt: rt},
		// Go's runtime throws "out of memory" when memory.grow fails at
		// the cap: a trap (wasm unreachable) that stderr explains.
		{name: "unbounded allocation", mode: 2, reason: ranker.ReasonMemory, rt: slow},
		{name: "error", mode: 3, reason: ranker.ReasonError, rt: rt},
		{name: "panic", mode: 4, reason: ranker.ReasonTrap, rt: rt},
		{name: "nan", mode: 5, reason: ranker.ReasonNaN, rt: rt},
		{name: "inf", mode: 6, reason: ranker.ReasonNaN, rt: rt},
		{name: "wrong length", mode: 7, reason: ranker.ReasonWrongLength, rt: rt},
		{name: "pointer outside memory", mode: 8, reason: ranker.ReasonTrap, rt: rt},
		// The same on the fast runtime (a compile more, slow under -race).
		{name: "unbounded allocation trusted", mode: 2, reason: ranker.ReasonMemory, trusted: true, rt: slow},
		{name: "panic trusted", mode: 4, reason: ranker.ReasonTrap, trusted: true, rt: rt},
	}
	wasm := guest(t, "misbehave")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			m := load(t, tt.rt, wasm, tt.trusted)
			start := time.Now()
			_, err := m.Score(ctx, modeRows(tt.mode, 4), 4, 2)
			var se *ranker.ScoreError
			if !errors.As(err, &se) {
				t.Fatalf("Score: %v, want a *ScoreError", err)
			}
			t.Logf("after %s: %v", time.Since(start).Round(time.Millisecond), err)
			if se.Reason() != tt.reason {
				t.Errorf("reason %q, want %q", se.Reason(), tt.reason)
			}
			got, err := m.Score(ctx, modeRows(0, 3), 3, 2)
			if err != nil {
				t.Fatalf("Score after the failure: %v", err)
			}
			if want := []float32{1, 2, 3}; !slices.Equal(got, want) {
				t.Errorf("Score after the failure = %v, want %v", got, want)
			}
		})
	}
}
