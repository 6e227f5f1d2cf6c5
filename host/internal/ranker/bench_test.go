package ranker_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// The benchmarks score one staffing decision: 50 candidates × 35 features
// through the logistic-regression evaluator and through the default model
// shape of the embedded gbdt evaluator (100 trees of depth 4), on the fast
// runtime (trusted code), the guarded one (all other code) and natively
// (the same model in Go), and time loading a model from a filled and from
// an empty compilation cache. Compare with
//
//	go test -run '^$' -bench 'Score|Compile' -count 6 ./host/internal/ranker | go tool benchstat -
const benchRows, benchCols = 50, 35

// The default model shape: gbdtTrees trees of depth gbdtDepth over
// benchCols features.
const gbdtTrees, gbdtDepth = 100, 4

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
	benchScoreLoop(b, m)
}

// benchScoreLoop scores the benchmark matrix with m, b.N times.
func benchScoreLoop(b *testing.B, m *ranker.Model) {
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

// gbdtParams returns deterministic random trees of the default model
// shape: full binary trees of gbdtDepth splits from root to leaf, node i's
// children at 2i+1 and 2i+2, thresholds in the range of benchMatrix.
func gbdtParams(tb testing.TB) gbdt.Params {
	tb.Helper()
	rng := rand.New(rand.NewPCG(100, 4))
	p := gbdt.Params{Name: "bench-gbdt", Version: "1", Base: -0.25}
	for i := range benchCols {
		p.Features = append(p.Features, fmt.Sprintf("f%02d", i+1))
	}
	const splits, nodes = 1<<gbdtDepth - 1, 1<<(gbdtDepth+1) - 1
	for range gbdtTrees {
		var t gbdt.Tree
		for i := range nodes {
			if i < splits {
				t.Feature = append(t.Feature, int16(rng.IntN(benchCols)))
				t.Value = append(t.Value, rng.Float32()*2-1)
				t.Left = append(t.Left, uint16(2*i+1))
				t.Right = append(t.Right, uint16(2*i+2))
			} else {
				t.Feature = append(t.Feature, gbdt.Leaf)
				t.Value = append(t.Value, (rng.Float32()*2-1)/10)
				t.Left = append(t.Left, 0)
				t.Right = append(t.Right, 0)
			}
		}
		p.Trees = append(p.Trees, t)
	}
	if err := p.Validate(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// gbdtModule returns the embedded evaluator with gbdtParams.
func gbdtModule(tb testing.TB) []byte {
	tb.Helper()
	wasm, err := evaluator.Module(gbdtParams(tb), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return wasm
}

func BenchmarkScoreGBDTFast(b *testing.B)    { benchmarkScoreGBDT(b, true) }
func BenchmarkScoreGBDTGuarded(b *testing.B) { benchmarkScoreGBDT(b, false) }

func benchmarkScoreGBDT(b *testing.B, fast bool) {
	rt := newRuntime(b, ranker.Options{})
	var m *ranker.Model
	if fast {
		// By the trust rule: the embedded evaluator's code is trusted.
		if m = loadTrust(b, rt, gbdtModule(b)); !m.Trusted() {
			b.Fatal("the embedded evaluator is not trusted")
		}
	} else {
		m = load(b, rt, gbdtModule(b), false)
	}
	benchScoreLoop(b, m)
}

// BenchmarkScoreGBDTNative scores the same trees and matrix with
// gbdt.Model.Score in Go: the wasm/native ratio from one run.
func BenchmarkScoreGBDTNative(b *testing.B) {
	m := gbdt.New()
	if err := m.Load(gbdt.Encode(gbdtParams(b))); err != nil {
		b.Fatal(err)
	}
	x := benchMatrix()
	out := make([]float32, benchRows)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Score(x, benchRows, benchCols, out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileCached loads a gbdt model on a fresh Runtime whose
// compilation cache directory already holds the evaluator: what a restart
// costs. The Runtime is made and closed outside the timer.
func BenchmarkCompileCached(b *testing.B) {
	benchmarkCompile(b, b.TempDir())
}

// BenchmarkCompileCold loads a gbdt model on a fresh Runtime with an empty
// compilation cache directory: the first start after an install or an
// upgrade of the evaluator.
func BenchmarkCompileCold(b *testing.B) {
	benchmarkCompile(b, "")
}

// benchmarkCompile times Runtime.Load of a gbdt model on a fresh Runtime:
// on the cache directory dir, filled before the timer starts, or on a new
// empty one per iteration when dir is "".
func benchmarkCompile(b *testing.B, dir string) {
	wasm := gbdtModule(b)
	ctx := context.Background()
	loadIn := func(dir string) {
		rt, err := ranker.NewRuntime(ctx, ranker.Options{CacheDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		defer rt.Close(ctx)
		b.StartTimer()
		m, err := rt.Load(ctx, wasm)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if !m.Trusted() {
			b.Fatal("the embedded evaluator is not trusted")
		}
	}
	b.StopTimer()
	if dir != "" {
		loadIn(dir) // fills the cache
	}
	b.ResetTimer()
	for range b.N {
		if dir != "" {
			loadIn(dir)
			continue
		}
		cold, err := os.MkdirTemp("", "ranker-bench-cache-")
		if err != nil {
			b.Fatal(err)
		}
		loadIn(cold)
		os.RemoveAll(cold)
	}
}

// BenchmarkCompileShared loads a second gbdt model, with other
// parameters, into a Runtime where one of the same code is loaded: an
// activation or a rollback. The compiled module is shared: no compile, no
// cache read, only an instance to start and validate.
func BenchmarkCompileShared(b *testing.B) {
	rt := newRuntime(b, ranker.Options{})
	loadTrust(b, rt, gbdtModule(b))
	p := gbdtParams(b)
	p.Version = "2"
	wasm, err := evaluator.Module(p, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		m, err := rt.Load(ctx, wasm)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		m.Close(ctx)
		b.StartTimer()
	}
}
