package ranker_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// The benchmarks score one staffing decision: 50 candidates × 35 features
// through the logistic-regression evaluator, on the fast runtime (trusted
// modules), the guarded one (all others) and natively (the same
// ranker.Model in Go, through sdk/ranker.ScoreNative). Compare with
//
//	go test -run '^$' -bench Score -count 6 ./host/internal/ranker | go tool benchstat -
const benchRows, benchCols = 50, 35

// benchParams returns the parameters of a 35-feature logistic regression.
func benchParams() []byte {
	rng := rand.New(rand.NewPCG(35, 50))
	p := logreg.Params{Name: "bench", Version: "1", Bias: -0.5}
	for i := range benchCols {
		p.Features = append(p.Features, fmt.Sprintf("f%02d", i+1))
		p.Weights = append(p.Weights, rng.Float32()*2-1)
	}
	return logreg.Encode(p)
}

// benchMatrix returns a 50×35 feature matrix.
func benchMatrix() []float32 {
	rng := rand.New(rand.NewPCG(50, 35))
	x := make([]float32, benchRows*benchCols)
	for i := range x {
		x[i] = rng.Float32()*2 - 1
	}
	return x
}

func BenchmarkScoreFast(b *testing.B)    { benchmarkScore(b, true) }
func BenchmarkScoreGuarded(b *testing.B) { benchmarkScore(b, false) }

func benchmarkScore(b *testing.B, trusted bool) {
	rt := newRuntime(b, ranker.Options{})
	m := load(b, rt, withParams(b, benchParams()), trusted)
	x := benchMatrix()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Score(ctx, x, benchRows, benchCols); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScoreNative(b *testing.B) {
	m := logreg.New()
	if err := m.Load(benchParams()); err != nil {
		b.Fatal(err)
	}
	x := benchMatrix()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := abi.ScoreNative(m, x, benchRows, benchCols); err != nil {
			b.Fatal(err)
		}
	}
}
