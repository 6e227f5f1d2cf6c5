package train

import (
	"context"
	"fmt"

	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Scorer scores a row-major feature matrix, one score per row: a model
// loaded in the wasm runtime (*ranker.Model), or Native.
type Scorer interface {
	Score(ctx context.Context, x []float32, rows, cols int) ([]float32, error)
}

// Evaluate scores the queries of the days from from on with s and the
// rule-based ranking, and compares them (see package metrics). It returns
// the number of queries too.
func Evaluate(ctx context.Context, d *Data, from civil.Date, s Scorer) (*metrics.Report, int, error) {
	qs := d.Queries(from, 0)
	if len(qs) == 0 {
		return nil, 0, fmt.Errorf("%w: no held-out decision from %s on has two candidates with a known day", ErrTooLittle, from)
	}
	model := make([]metrics.Query, len(qs))
	rules := make([]metrics.Query, len(qs))
	for i, q := range qs {
		n := len(q.Employees)
		scores, err := s.Score(ctx, q.X, n, features.Count)
		if err != nil {
			return nil, 0, fmt.Errorf("event %d on %s: %w", q.Event, q.Date, err)
		}
		model[i] = metrics.Query{Scores: make([]float64, n), Labels: q.Relevant}
		rules[i] = metrics.Query{Scores: make([]float64, n), Labels: q.Relevant}
		for j := range n {
			model[i].Scores[j] = float64(scores[j])
			rules[i].Scores[j] = float64(-j) // the rule-based order
		}
	}
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		return nil, 0, err
	}
	return r, len(qs), nil
}

// Native returns a Scorer evaluating p in Go with the evaluator the wasm
// module is built from.
func Native(p gbdt.Params) (Scorer, error) {
	m := gbdt.New()
	if err := m.Load(gbdt.Encode(p)); err != nil {
		return nil, fmt.Errorf("native evaluator: %w", err)
	}
	return native{m}, nil
}

type native struct{ m *gbdt.Model }

func (n native) Score(_ context.Context, x []float32, rows, cols int) ([]float32, error) {
	out := make([]float32, rows)
	return out, n.m.Score(x, rows, cols, out)
}
