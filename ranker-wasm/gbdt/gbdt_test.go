package gbdt_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/ranker-wasm/internal/wasmtest"
	"github.com/crewplan/crewplan/sdk/ranker"
)

func load(t testing.TB, p gbdt.Params) *gbdt.Model {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	m := gbdt.New()
	if err := m.Load(gbdt.Encode(p)); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestScore(t *testing.T) {
	ln3 := float32(math.Log(3))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	// One split at 1: left scores sigmoid(ln 3) = 3/4, right 1/4.
	m := load(t, gbdt.Params{Name: "t", Version: "1", Features: []string{"a"}, Trees: []gbdt.Tree{
		tree(split(0, 1, 1, 2), leaf(ln3), leaf(-ln3)),
	}})
	for _, tc := range []struct {
		x    float32
		want float64
	}{
		{0, 0.75},
		{0.99999994, 0.75}, // just below the threshold
		{1, 0.25},          // equal goes right
		{2, 0.25},
		{nan, 0.25}, // NaN goes right
		{-inf, 0.75},
		{inf, 0.25},
	} {
		got, err := ranker.ScoreNative(m, []float32{tc.x}, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(float64(got[0])-tc.want) > 1e-7 {
			t.Errorf("x = %v: score %v, want %v", tc.x, got[0], tc.want)
		}
	}

	// The base and every tree add up: sigmoid(-ln 3 + ln 3 + ln 3) for
	// a < 1 and b ≥ 5; the walk follows the feature each split names.
	m = load(t, gbdt.Params{Name: "t", Version: "1", Features: []string{"a", "b"}, Base: -ln3, Trees: []gbdt.Tree{
		tree(split(0, 1, 1, 2), leaf(ln3), leaf(0)),
		tree(split(1, 5, 2, 1), leaf(ln3), leaf(-ln3)), // the right child first
		tree(leaf(0)), // a lone leaf
	}})
	x := []float32{
		0, 5, // -ln3 + ln3 + ln3
		0, 4, // -ln3 + ln3 - ln3
		1, 5, // -ln3 + 0 + ln3
		1, nan, // NaN goes right: -ln3 + 0 + ln3
	}
	got, err := ranker.ScoreNative(m, x, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0.75, 0.25, 0.5, 0.5} {
		if math.Abs(float64(got[i])-want) > 1e-7 {
			t.Errorf("row %d: score %v, want %v", i+1, got[i], want)
		}
	}

	// Saturation: scores stay in [0, 1].
	m = load(t, gbdt.Params{Name: "t", Version: "1", Features: []string{"a"}, Trees: []gbdt.Tree{
		tree(split(0, 0, 1, 2), leaf(-math.MaxFloat32), leaf(math.MaxFloat32)),
	}})
	if got, err := ranker.ScoreNative(m, []float32{-1, 1}, 2, 1); err != nil || got[0] != 0 || got[1] != 1 {
		t.Errorf("saturated scores = %v, %v; want [0 1]", got, err)
	}
}

// TestScoreMatchesReference compares the flattened evaluator with the
// recursive one, bit for bit, on random trees in random node orders and
// random rows with NaN and infinities among the features.
func TestScoreMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const rows = 64
	for _, shape := range []struct {
		trees, depth, features int
		full                   bool
	}{
		{1, 0, 1, true},
		{1, 1, 1, true},
		{3, 2, 5, true},
		{50, 4, 35, false},
		{20, 10, 8, false},
		{100, 4, 35, true},
	} {
		p := randomParams(rng, shape.trees, shape.depth, shape.features, shape.full)
		m := load(t, p)
		k := shape.features
		x := make([]float32, rows*k)
		for i := range x {
			switch rng.IntN(20) {
			case 0:
				x[i] = float32(math.NaN())
			case 1:
				x[i] = float32(math.Inf(1 - 2*rng.IntN(2)))
			default:
				x[i] = rng.Float32()
			}
		}
		got, err := ranker.ScoreNative(m, x, rows, k)
		if err != nil {
			t.Fatal(err)
		}
		for r := range rows {
			if want := refScore(p, x[r*k:r*k+k]); math.Float32bits(got[r]) != math.Float32bits(want) {
				t.Errorf("%d trees of depth %d, row %d: score %v, the reference evaluator %v", shape.trees, shape.depth, r+1, got[r], want)
			}
		}
	}
}

func TestMeta(t *testing.T) {
	m := load(t, validParams())
	got := string(m.Meta().Encode())
	want := "name=gbdt-test\nversion=2026-12-05.1\nfeatures=hours_week,skill match\nkind=gbdt\ntrees=2\n"
	if got != want {
		t.Errorf("Meta().Encode() = %q, want %q", got, want)
	}
}

func TestLoadRefuses(t *testing.T) {
	wasmtest.CheckUnloaded(t, gbdt.New())
	// A refused Load keeps the previous parameters, trees included.
	m := load(t, validParams())
	x := []float32{20, 0.1}
	before, err := ranker.ScoreNative(m, x, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	bad := validParams()
	bad.Name = "other"
	bad.Trees[1].Left[1] = 0
	for _, raw := range [][]byte{[]byte("CPGB"), gbdt.Encode(bad)} {
		if err := m.Load(raw); err == nil {
			t.Errorf("Load took % x", raw)
		}
	}
	if m.Meta().Name != "gbdt-test" {
		t.Errorf("after a refused Load the model is %q", m.Meta().Name)
	}
	if after, err := ranker.ScoreNative(m, x, 1, 2); err != nil || after[0] != before[0] {
		t.Errorf("after a refused Load the model scores %v, %v; before %v", after, err, before)
	}
}

func TestScoreRefusesShape(t *testing.T) {
	wasmtest.CheckRefusesShape(t, load(t, validParams()))
}

func TestScoreDoesNotAllocate(t *testing.T) {
	m, x, out := benchModel(t)
	if n := testing.AllocsPerRun(100, func() { _ = m.Score(x, len(out), len(x)/len(out), out) }); n != 0 {
		t.Errorf("Score allocates %v times per call, want 0", n)
	}
}

// benchModel returns a model of 100 trees of depth 4 (31 nodes each)
// over 35 features, and 50 rows to score.
func benchModel(t testing.TB) (m *gbdt.Model, x, out []float32) {
	const trees, depth, rows, cols = 100, 4, 50, 35
	rng := rand.New(rand.NewPCG(7, 8))
	m = load(t, randomParams(rng, trees, depth, cols, true))
	x = make([]float32, rows*cols)
	for i := range x {
		x[i] = rng.Float32()
	}
	return m, x, make([]float32, rows)
}

// BenchmarkScore100x4 scores 50 rows with 100 trees of depth 4 over 35
// features, natively.
func BenchmarkScore100x4(b *testing.B) {
	m, x, out := benchModel(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Score(x, len(out), len(x)/len(out), out); err != nil {
			b.Fatal(err)
		}
	}
}
