package logreg_test

import (
	"math"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/internal/wasmtest"
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	"github.com/crewplan/crewplan/sdk/ranker"
)

func load(t testing.TB, p logreg.Params) *logreg.Model {
	t.Helper()
	m := logreg.New()
	if err := m.Load(logreg.Encode(p)); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestScore(t *testing.T) {
	ln3 := float32(math.Log(3))
	m := load(t, logreg.Params{Name: "t", Version: "1", Features: []string{"a", "b"}, Weights: []float32{1, -1}})
	x := []float32{
		ln3, 0, // sigmoid(ln 3) = 3/4
		0, 0, // 1/2
		0, ln3, // 1/4
		800, 0, // saturates at 1
		0, 800, // saturates at 0
	}
	got, err := ranker.ScoreNative(m, x, 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0.75, 0.5, 0.25, 1, 0} {
		if math.Abs(float64(got[i])-want) > 1e-7 {
			t.Errorf("row %d: score %v, want %v", i+1, got[i], want)
		}
	}
	// The bias shifts every score: sigmoid(0 + ln 3).
	m = load(t, logreg.Params{Name: "t", Version: "1", Features: []string{"a"}, Weights: []float32{5}, Bias: ln3})
	if got, err := ranker.ScoreNative(m, []float32{0}, 1, 1); err != nil || math.Abs(float64(got[0])-0.75) > 1e-7 {
		t.Errorf("score with bias ln 3 = %v, %v; want 0.75", got, err)
	}
}

func TestMeta(t *testing.T) {
	m := load(t, validParams())
	got := string(m.Meta().Encode())
	want := "name=logreg-test\nversion=2026-12-05.1\nfeatures=hours_week,skill match\nkind=logreg\n"
	if got != want {
		t.Errorf("Meta().Encode() = %q, want %q", got, want)
	}
}

func TestLoadRefuses(t *testing.T) {
	wasmtest.CheckUnloaded(t, logreg.New())
	// A refused Load keeps the previous parameters.
	m := load(t, validParams())
	if err := m.Load([]byte("CPLR")); err == nil {
		t.Error("Load took 4 bytes")
	}
	if m.Meta().Name != "logreg-test" {
		t.Errorf("after a refused Load the model is %q", m.Meta().Name)
	}
}

func TestScoreRefusesShape(t *testing.T) {
	wasmtest.CheckRefusesShape(t, load(t, validParams()))
}

func TestScoreDoesNotAllocate(t *testing.T) {
	m := load(t, validParams())
	x := make([]float32, 2*100)
	out := make([]float32, 100)
	if n := testing.AllocsPerRun(100, func() { _ = m.Score(x, 100, 2, out) }); n != 0 {
		t.Errorf("Score allocates %v times per call, want 0", n)
	}
}

func BenchmarkScore(b *testing.B) {
	const rows, cols = 50, 35
	p := logreg.Params{Name: "bench", Version: "1", Features: make([]string, cols), Weights: make([]float32, cols)}
	for i := range cols {
		p.Features[i] = "f" + strings.Repeat("x", i)
		p.Weights[i] = float32(i%7) - 3
	}
	m := load(b, p)
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32(i%13) / 13
	}
	out := make([]float32, rows)
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Score(x, rows, cols, out); err != nil {
			b.Fatal(err)
		}
	}
}
