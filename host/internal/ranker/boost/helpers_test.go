package boost_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/boost"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

var nan32 = float32(math.NaN())

// logistic returns rows of cols normal features (a fraction missing of
// them NaN) labelled 1 with probability sigmoid(z) for the margin z of
// truth, and those margins.
func logistic(rng *rand.Rand, rows, cols int, missing float64) (boost.Data, []float64) {
	d := boost.Data{X: make([]float32, rows*cols), Rows: rows, Cols: cols, Y: make([]float32, rows)}
	z := make([]float64, rows)
	for i := range rows {
		row := d.X[i*cols : i*cols+cols]
		for j := range row {
			row[j] = float32(rng.NormFloat64())
		}
		z[i] = truth(row)
		for j := range row {
			if rng.Float64() < missing {
				row[j] = nan32
			}
		}
		if rng.Float64() < sigmoid(z[i]) {
			d.Y[i] = 1
		}
	}
	return d, z
}

// truth is the margin the labels of logistic follow: linear in the first
// features, with a step and an interaction.
func truth(row []float32) float64 {
	x := func(j int) float64 {
		if j < len(row) {
			return float64(row[j])
		}
		return 0
	}
	z := 1.2*x(0) - 0.8*x(1) + 0.5*x(2)*x(3)
	if x(4) > 0.3 {
		z += 1
	}
	return z - 0.3
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// auc is the area under the ROC curve of scores for labels y, ties
// counting half.
func auc(scores []float64, y []float32) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	// The sum of the positives' ranks, ties taking their mean rank.
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mean := float64(i+j+1) / 2 // ranks i+1..j
		for _, k := range idx[i:j] {
			if y[k] == 1 {
				rankSum += mean
				pos++
			}
		}
		i = j
	}
	neg := float64(len(y)) - pos
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// meanLogLoss is the weighted mean log loss of m's predictions on d.
func meanLogLoss(m *boost.Model, d boost.Data) float64 {
	var sum, total float64
	for i := range d.Rows {
		w := 1.0
		if d.Weight != nil {
			w = float64(d.Weight[i])
		}
		if w == 0 {
			continue
		}
		p := m.Predict(d.X[i*d.Cols : (i+1)*d.Cols])
		if d.Y[i] == 1 {
			sum -= w * math.Log(p)
		} else {
			sum -= w * math.Log1p(-p)
		}
		total += w
	}
	return sum / total
}

// evaluator loads m's parameters into the gbdt evaluator.
func evaluator(t testing.TB, m *boost.Model, cols int) *gbdt.Model {
	t.Helper()
	p, err := m.Params("boost-test", "1", featureNames(cols))
	if err != nil {
		t.Fatal(err)
	}
	e := gbdt.New()
	if err := e.Load(gbdt.Encode(p)); err != nil {
		t.Fatal(err)
	}
	return e
}

func featureNames(cols int) []string {
	names := make([]string, cols)
	for i := range names {
		names[i] = "f" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	return names
}

// checkEvaluator checks that the evaluator scores every row of x as
// float32(m.Predict(row)), bit for bit.
func checkEvaluator(t testing.TB, m *boost.Model, x []float32, cols int) {
	t.Helper()
	rows := len(x) / cols
	e := evaluator(t, m, cols)
	out := make([]float32, rows)
	if err := e.Score(x, rows, cols, out); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		row := x[i*cols : i*cols+cols]
		if p := m.Predict(row); float32(p) != out[i] || p < 0 || p > 1 {
			t.Fatalf("row %d %v: Predict = %v (float32 %v), the evaluator scores %v", i, row, p, float32(p), out[i])
		}
	}
}
