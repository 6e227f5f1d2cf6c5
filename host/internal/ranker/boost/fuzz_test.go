package boost_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/boost"
)

// fuzzValues are the feature values fuzz data picks from: ties, NaN,
// infinities, signed zeros, extremes.
var fuzzValues = [16]float32{
	0, 1, 2, 3, -1, 0.5, 1e-3, 1e30,
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 7,
}

// fuzzCase decodes b into data and options: 5 bytes of options, then
// rows of cols bytes of features (fuzzValues by their low 4 bits) and one
// byte of label (bit 0) and weight (bits 1-2: 0, 0.5, 1 or 1e30).
func fuzzCase(b []byte) (boost.Data, boost.Options) {
	var head [5]byte
	copy(head[:], b)
	b = b[min(len(b), 5):]
	cols := 1 + int(head[0]%4)
	opt := boost.Options{
		Trees:          1 + int(head[1]%6),
		MaxDepth:       1 + int(head[2]%7),
		Bins:           2 + int(head[3]%8),
		MinChildWeight: []float64{1e-9, 0.01, 0.5, 1}[head[4]%4],
		Lambda:         []float64{1e-9, 0.1, 1, 10}[head[4]>>2%4],
		LearningRate:   []float64{0.1, 1, 3, 1e6}[head[4]>>4%4],
		Subsample:      []float64{1, 0.5, 0.01, 1}[head[4]>>6],
		Seed:           uint64(head[0]),
	}
	d := boost.Data{Cols: cols}
	for len(b) >= cols+1 {
		for _, v := range b[:cols] {
			d.X = append(d.X, fuzzValues[v%16])
		}
		l := b[cols]
		d.Y = append(d.Y, float32(l&1))
		d.Weight = append(d.Weight, []float32{0, 0.5, 1, 1e30}[l>>1&3])
		b = b[cols+1:]
	}
	d.Rows = len(d.Y)
	return d, opt
}

// checkTrain trains on d with opt, valid data must give a model that
// validates, and the evaluator must score as Predict does.
func checkTrain(t *testing.T, d boost.Data, opt boost.Options) {
	t.Helper()
	m, err := boost.Train(t.Context(), d, nil, opt)
	if verr := d.Validate(); verr != nil {
		if err == nil {
			t.Fatalf("Train succeeds on data Validate refuses: %v", verr)
		}
		return
	}
	if err != nil {
		t.Fatalf("Train of valid data: %v", err)
	}
	if len(m.Trees) != m.Best || len(m.Rounds) != opt.Trees || len(m.Gain) != d.Cols {
		t.Fatalf("%d trees, best %d, %d rounds, %d gains: want %d trees and rounds, %d gains", len(m.Trees), m.Best, len(m.Rounds), len(m.Gain), opt.Trees, d.Cols)
	}
	for _, r := range m.Rounds {
		if math.IsNaN(r.TrainLoss) || r.TrainLoss < 0 || !math.IsNaN(r.ValidLoss) {
			t.Fatalf("round %+v: want a train loss ≥ 0 and no validation loss", r)
		}
	}
	sum := 0.0
	for _, v := range m.Importance() {
		if !(v >= 0) {
			t.Fatalf("importance %v: want shares ≥ 0", m.Importance())
		}
		sum += v
	}
	if sum != 0 && math.Abs(sum-1) > 1e-9 {
		t.Fatalf("importance %v sums to %v: want 1 or 0", m.Importance(), sum)
	}
	checkEvaluator(t, m, append(d.X, fuzzValues[:d.Cols]...), d.Cols) // Params validates in it
}

// TestTrainRandom checks small random cases, as FuzzTrain does with its
// seed corpus, the way the fuzzer would.
func TestTrainRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	trained := 0
	for range 500 {
		b := make([]byte, 5+rng.IntN(120))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		d, opt := fuzzCase(b)
		checkTrain(t, d, opt)
		if d.Validate() == nil {
			trained++
		}
	}
	if trained < 200 {
		t.Errorf("%d of 500 cases valid: want most, to test training", trained)
	}
}

func FuzzTrain(f *testing.F) {
	f.Add([]byte{0, 3, 2, 4, 0, 1, 0, 2, 1, 3, 2, 4, 3})
	f.Add([]byte{1, 5, 6, 7, 0xff, 8, 9, 3, 8, 0, 2, 1, 1, 5, 10, 11, 4, 12, 13, 6})
	f.Add([]byte{3, 1, 1, 0, 0x55, 8, 8, 8, 8, 3, 0, 0, 0, 0, 2, 9, 10, 11, 12, 5, 14, 15, 0, 1, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, opt := fuzzCase(b)
		checkTrain(t, d, opt)
	})
}

// TestTrainNoWeightOverflow checks the extremes of fuzzCase in one case:
// a weight of 1e30 beside ones of 0.5 with a tiny lambda.
func TestTrainNoWeightOverflow(t *testing.T) {
	d := boost.Data{X: []float32{0, 1, 2, 3}, Rows: 4, Cols: 1, Y: []float32{0, 1, 0, 1}, Weight: []float32{1e30, 0.5, 0.5, 1e30}}
	opt := boost.Options{Trees: 5, MaxDepth: 3, Lambda: 1e-9, MinChildWeight: 1e-9, LearningRate: 1e6}
	checkTrain(t, d, opt)
}
