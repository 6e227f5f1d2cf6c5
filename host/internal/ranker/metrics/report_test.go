package metrics_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
)

// ruleScores returns the rule scores for a query whose candidates the rules
// ranked in index order: minus the position.
func ruleScores(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = -float64(i)
	}
	return s
}

func TestEvaluateLift(t *testing.T) {
	labels := []bool{false, false, true, true, true}
	model := []metrics.Query{{Scores: []float64{0.1, 0.2, 0.9, 0.8, 0.7}, Labels: labels}}
	rules := []metrics.Query{{Scores: ruleScores(5), Labels: labels}}
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	// Model top 3: T T T → 1. Rules top 3: F F T → 1/3. Lift 3.
	if r.Model.PAt3 != 1 || math.Abs(r.Rules.PAt3-1.0/3) > eps {
		t.Errorf("P@3 model %v rules %v, want 1 and 1/3", r.Model.PAt3, r.Rules.PAt3)
	}
	if r.LiftPAt3 == nil || math.Abs(*r.LiftPAt3-3) > eps {
		t.Errorf("LiftPAt3 = %v, want 3", r.LiftPAt3)
	}
	// Rules NDCG@5: (1/log₂4 + 1/log₂5 + 1/log₂6) / (1 + 1/log₂3 + 1/log₂4).
	rulesNDCG := (1/math.Log2(4) + 1/math.Log2(5) + 1/math.Log2(6)) / (1 + 1/math.Log2(3) + 1/math.Log2(4))
	if r.Model.NDCGAt5 != 1 || math.Abs(r.Rules.NDCGAt5-rulesNDCG) > eps {
		t.Errorf("NDCG@5 model %v rules %v, want 1 and %v", r.Model.NDCGAt5, r.Rules.NDCGAt5, rulesNDCG)
	}
	if r.LiftNDCGAt5 == nil || math.Abs(*r.LiftNDCGAt5-1/rulesNDCG) > eps {
		t.Errorf("LiftNDCGAt5 = %v, want %v", r.LiftNDCGAt5, 1/rulesNDCG)
	}
	// Model separates perfectly; rules put both negatives first.
	if r.Model.AUC != 1 || r.Rules.AUC != 0 {
		t.Errorf("AUC model %v rules %v, want 1 and 0", r.Model.AUC, r.Rules.AUC)
	}
	if r.Queries != 1 || r.QueriesWithPositive != 1 || r.Examples != 5 || r.Positives != 3 {
		t.Errorf("counts %d queries, %d with a positive, %d examples, %d positives; want 1, 1, 5, 3",
			r.Queries, r.QueriesWithPositive, r.Examples, r.Positives)
	}
	// P@k for k beyond the query's 5 candidates is the base rate 3/5.
	wantCurve := []float64{1, 1, 1, 0.75, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6}
	if diff := cmp.Diff(wantCurve, r.Model.PrecisionCurve); diff != "" {
		t.Errorf("model precision curve (-want +got):\n%s", diff)
	}
	if len(r.Rules.PrecisionCurve) != metrics.CurveK || r.Rules.PrecisionCurve[metrics.PrecisionK-1] != r.Rules.PAt3 {
		t.Errorf("rules precision curve %v does not hold P@3 %v", r.Rules.PrecisionCurve, r.Rules.PAt3)
	}
}

func TestEvaluateLiftUndefined(t *testing.T) {
	labels := []bool{false, false, false, true}
	model := []metrics.Query{{Scores: []float64{0, 0, 0, 1}, Labels: labels}}
	rules := []metrics.Query{{Scores: ruleScores(4), Labels: labels}}
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rules.PAt3 != 0 || r.LiftPAt3 != nil {
		t.Errorf("rules P@3 %v, lift %v; want 0 and nil", r.Rules.PAt3, r.LiftPAt3)
	}
	if r.LiftNDCGAt5 == nil {
		t.Error("LiftNDCGAt5 is nil, but the rules' NDCG@5 is not 0")
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"lift_p_at_3":null`) {
		t.Errorf("JSON %s lacks \"lift_p_at_3\":null", b)
	}
}

func TestEvaluatePooledRuleAUC(t *testing.T) {
	// Two queries; the rules' positions pool across them: see the
	// "pooled rule positions" AUC case.
	model := []metrics.Query{
		{Scores: []float64{0.2, 0.9, 0.1}, Labels: []bool{false, true, false}},
		{Scores: []float64{0.8}, Labels: []bool{true}},
	}
	rules := []metrics.Query{
		{Scores: ruleScores(3), Labels: model[0].Labels},
		{Scores: ruleScores(1), Labels: model[1].Labels},
	}
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rules.AUC != 0.625 || r.Model.AUC != 1 {
		t.Errorf("AUC rules %v model %v, want 0.625 and 1", r.Rules.AUC, r.Model.AUC)
	}
}

func TestEvaluateJSON(t *testing.T) {
	model, rules := syntheticQueries(rand.New(rand.NewPCG(7, 8)), 60)
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"queries"`, `"queries_with_positive"`, `"examples"`, `"positives"`, `"model"`, `"rules"`,
		`"auc"`, `"p_at_3"`, `"ndcg_at_5"`, `"precision_curve"`, `"roc"`, `"x"`, `"y"`, `"lift_p_at_3"`, `"lift_ndcg_at_5"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks key %s: %s", key, b)
		}
	}
	var back metrics.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, &back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

func TestEvaluateThinsROC(t *testing.T) {
	model, rules := syntheticQueries(rand.New(rand.NewPCG(9, 10)), 400)
	r, err := metrics.Evaluate(model, rules)
	if err != nil {
		t.Fatal(err)
	}
	var scores []float64
	var labels []bool
	for _, q := range model {
		scores = append(scores, q.Scores...)
		labels = append(labels, q.Labels...)
	}
	full, err := metrics.ROC(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) <= metrics.MaxROCPoints {
		t.Fatalf("test data gives only %d ROC points; need more than %d", len(full), metrics.MaxROCPoints)
	}
	got := r.Model.ROC
	if len(got) != metrics.MaxROCPoints {
		t.Fatalf("thinned ROC has %d points, want %d", len(got), metrics.MaxROCPoints)
	}
	if got[0] != full[0] || got[len(got)-1] != full[len(full)-1] {
		t.Errorf("thinned ROC runs %v to %v, want %v to %v", got[0], got[len(got)-1], full[0], full[len(full)-1])
	}
	prev := -1
	for _, p := range got {
		i := slices.Index(full, p)
		if i <= prev {
			t.Fatalf("thinned point %v is not a later point of the full curve", p)
		}
		prev = i
	}
	if a := trapezoid(got); math.Abs(a-r.Model.AUC) > 0.01 {
		t.Errorf("area under thinned ROC %v, AUC %v: too far apart to draw", a, r.Model.AUC)
	}
	// The rules' curve has one point per position, so it stays exact.
	if len(r.Rules.ROC) > 20 {
		t.Errorf("rules ROC has %d points, want one per distinct position", len(r.Rules.ROC))
	}
}

func TestEvaluateErrors(t *testing.T) {
	q := func(scores []float64, labels ...bool) metrics.Query {
		return metrics.Query{Scores: scores, Labels: labels}
	}
	good := q([]float64{0.9, 0.1}, true, false)
	tests := []struct {
		name    string
		model   []metrics.Query
		rules   []metrics.Query
		want    error
		mention string
	}{
		{"query counts differ", []metrics.Query{good, good}, []metrics.Query{good}, metrics.ErrQueryMismatch, "2 model queries, 1 rule queries"},
		{"candidate counts differ", []metrics.Query{good, good}, []metrics.Query{good, q(ruleScores(3), true, false, false)}, metrics.ErrQueryMismatch, "query 1: 2 model candidates, 3 rule candidates"},
		{"labels differ", []metrics.Query{good}, []metrics.Query{q(ruleScores(2), false, true)}, metrics.ErrQueryMismatch, "query 0 candidate 0: model label true, rule label false"},
		{"model scores short", []metrics.Query{q([]float64{1}, true, false)}, []metrics.Query{q(ruleScores(2), true, false)}, metrics.ErrLengthMismatch, "evaluate model: query 0: 1 scores, 2 labels"},
		{"NaN rule score", []metrics.Query{good, good}, []metrics.Query{good, q([]float64{0, math.NaN()}, true, false)}, metrics.ErrNaN, "evaluate rules: query 1: candidate 1"},
		{"no positives", []metrics.Query{q([]float64{1, 2}, false, false)}, []metrics.Query{q(ruleScores(2), false, false)}, metrics.ErrNoPositives, "evaluate model: auc"},
		{"no negatives", []metrics.Query{q([]float64{1, 2}, true, true)}, []metrics.Query{q(ruleScores(2), true, true)}, metrics.ErrNoNegatives, "evaluate model: auc"},
		{"no queries", nil, nil, metrics.ErrNoPositives, "evaluate model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := metrics.Evaluate(tt.model, tt.rules)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Evaluate = %v, %v; want error %v", r, err, tt.want)
			}
			if r != nil {
				t.Errorf("Evaluate returned a report with error %v", err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if strings.Contains(err.Error(), "failed to") {
				t.Errorf("error %q says \"failed to\"", err)
			}
		})
	}
}

// syntheticQueries returns n queries of 3 to 12 candidates, with model
// scores that follow each candidate's hidden quality closely and a rule
// ranking that follows it loosely.
func syntheticQueries(r *rand.Rand, n int) (model, rules []metrics.Query) {
	for range n {
		size := 3 + r.IntN(10)
		quality := make([]float64, size)
		labels := make([]bool, size)
		modelScores := make([]float64, size)
		ruleKey := make([]float64, size)
		for i := range size {
			quality[i] = r.NormFloat64()
			labels[i] = r.Float64() < 1/(1+math.Exp(-(2*quality[i]-1)))
			modelScores[i] = 1 / (1 + math.Exp(-(quality[i] + 0.6*r.NormFloat64())))
			ruleKey[i] = quality[i] + 1.5*r.NormFloat64()
		}
		// Rule scores are minus the position in the rule order.
		order := make([]int, size)
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return -cmpFloat(ruleKey[a], ruleKey[b]) })
		ruleScores := make([]float64, size)
		for pos, i := range order {
			ruleScores[i] = -float64(pos)
		}
		model = append(model, metrics.Query{Scores: modelScores, Labels: labels})
		rules = append(rules, metrics.Query{Scores: ruleScores, Labels: labels})
	}
	return model, rules
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
