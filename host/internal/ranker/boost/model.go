package boost

import (
	"fmt"
	"math"
	"slices"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

// Model is what Train returns: the trees, and how training went.
type Model struct {
	Base   float32     // the margin before any tree: the log-odds of the mean label
	Trees  []gbdt.Tree // the trees kept, in order
	Gain   []float64   // per feature: the split gain of the trees kept
	Rounds []Round     // per round trained, including any after Best
	Best   int         // the number of trees kept: all, or the best round's with early stopping
}

// Round is the mean log loss, weighted, after one round of training.
type Round struct {
	TrainLoss float64 // on the training rows (of positive weight)
	ValidLoss float64 // on the validation rows; NaN without them
}

// Importance returns each feature's share of the split gain, summing to
// 1; all zeros if no tree splits.
func (m *Model) Importance() []float64 {
	out := make([]float64, len(m.Gain))
	total := 0.0
	for _, g := range m.Gain {
		total += g
	}
	if total > 0 {
		for i, g := range m.Gain {
			out[i] = g / total
		}
	}
	return out
}

// Predict returns the probability of label 1 for row, computed as the
// evaluator does: the base plus each tree's float32 output, summed in
// float64 in tree order, through the sigmoid. The evaluator's score is
// float32(m.Predict(row)). It panics unless row has one value per
// feature (len(m.Gain)).
func (m *Model) Predict(row []float32) float64 {
	if len(row) != len(m.Gain) {
		panic(fmt.Sprintf("boost: Predict: a row of %d values for a model of %d features", len(row), len(m.Gain)))
	}
	z := float64(m.Base)
	for _, t := range m.Trees {
		z += float64(output(t, row))
	}
	return sigmoid(z)
}

// Params returns the model as the evaluator's parameters under name and
// version, with features naming the columns, or what Params.Validate
// finds wrong with them. The trees are copied.
func (m *Model) Params(name, version string, features []string) (gbdt.Params, error) {
	if len(features) != len(m.Gain) {
		return gbdt.Params{}, fmt.Errorf("boost: params: %d feature names for a model of %d features", len(features), len(m.Gain))
	}
	p := gbdt.Params{
		Name:     name,
		Version:  version,
		Features: slices.Clone(features),
		Base:     m.Base,
		Trees:    make([]gbdt.Tree, len(m.Trees)),
	}
	for i, t := range m.Trees {
		p.Trees[i] = gbdt.Tree{
			Feature: slices.Clone(t.Feature),
			Value:   slices.Clone(t.Value),
			Left:    slices.Clone(t.Left),
			Right:   slices.Clone(t.Right),
		}
	}
	if err := p.Validate(); err != nil {
		return gbdt.Params{}, fmt.Errorf("boost: params: %w", err)
	}
	return p, nil
}

// output is t's leaf value for row: left where row[feature] < threshold,
// right otherwise (NaN included).
func output(t gbdt.Tree, row []float32) float32 {
	i := 0
	for t.Feature[i] != gbdt.Leaf {
		if row[t.Feature[i]] < t.Value[i] {
			i = int(t.Left[i])
		} else {
			i = int(t.Right[i])
		}
	}
	return t.Value[i]
}

// sigmoid is 1/(1+e^-z), computed as the evaluator computes it.
func sigmoid(z float64) float64 { return gbdt.Sigmoid(z) }

// lossProb returns the log loss −log p(y) of label y at margin z and
// the probability sigmoid(z), bit for bit as sigmoid computes it, from
// one exponential: with e = exp(−|z|), the loss is log(1+e), plus |z| when
// z is on the wrong side for y.
func lossProb(z, y float64) (loss, p float64) {
	e := gbdt.ExpNonPositive(-math.Abs(z))
	if z >= 0 {
		p = 1 / (1 + e)
	} else {
		p = e / (1 + e)
	}
	loss = math.Log1p(e)
	if (y == 1) == (z < 0) {
		loss += math.Abs(z)
	}
	return loss, p
}
