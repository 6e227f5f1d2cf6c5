package metrics

import "fmt"

// The cut-offs a Report uses.
const (
	// PrecisionK is the k of Summary.PAt3 and of Report.LiftPAt3.
	PrecisionK = 3
	// NDCGK is the k of Summary.NDCGAt5 and of Report.LiftNDCGAt5.
	NDCGK = 5
	// CurveK is the largest k of Summary.PrecisionCurve.
	CurveK = 10
	// MaxROCPoints is the most points Summary.ROC keeps.
	MaxROCPoints = 201
)

// Report is what `crewplan ranker eval` prints and a model card stores: the
// model's and the rule baseline's metrics over the same candidates, and the
// model's lift over the rules. Every metric is defined in the package doc.
type Report struct {
	// Queries is the number of queries (ranking decisions) evaluated,
	// including any without candidates.
	Queries int `json:"queries"`
	// QueriesWithPositive is the number of queries with at least one
	// relevant candidate: those NDCG averages over.
	QueriesWithPositive int `json:"queries_with_positive"`
	// Examples is the number of candidates over all queries.
	Examples int `json:"examples"`
	// Positives is the number of those candidates labelled true.
	Positives int `json:"positives"`
	// Model holds the model's metrics.
	Model Summary `json:"model"`
	// Rules holds the rule baseline's metrics.
	Rules Summary `json:"rules"`
	// LiftPAt3 is Model.PAt3 / Rules.PAt3; nil (JSON null) when
	// Rules.PAt3 is 0.
	LiftPAt3 *float64 `json:"lift_p_at_3"`
	// LiftNDCGAt5 is Model.NDCGAt5 / Rules.NDCGAt5; nil (JSON null) when
	// Rules.NDCGAt5 is 0.
	LiftNDCGAt5 *float64 `json:"lift_ndcg_at_5"`
}

// Summary is one ranker's metrics in a Report.
type Summary struct {
	// AUC is the pooled AUC over all queries' candidates.
	AUC float64 `json:"auc"`
	// PAt3 is precision@3.
	PAt3 float64 `json:"p_at_3"`
	// NDCGAt5 is NDCG@5.
	NDCGAt5 float64 `json:"ndcg_at_5"`
	// PrecisionCurve holds precision@k for k = 1..CurveK:
	// PrecisionCurve[i] is precision@(i+1).
	PrecisionCurve []float64 `json:"precision_curve"`
	// ROC is the pooled ROC curve, for drawing. It is exact when the
	// curve has at most MaxROCPoints points; a longer curve is thinned
	// to MaxROCPoints of its points, evenly spaced along it, always
	// keeping (0,0) and (1,1). Use AUC, not the area under ROC, as the
	// number.
	ROC []Point `json:"roc"`
}

// Evaluate computes the Report for a model and the rule baseline over the
// same candidates: model[i] and rules[i] must hold the same candidates in
// the same order, with the same Labels and different Scores (for the rules,
// minus the rule position). It returns ErrQueryMismatch when they do not,
// ErrNoPositives or ErrNoNegatives when the labels define no AUC, and the
// errors of the metrics otherwise.
func Evaluate(model, rules []Query) (*Report, error) {
	if len(model) != len(rules) {
		return nil, fmt.Errorf("evaluate: %d model queries, %d rule queries: %w", len(model), len(rules), ErrQueryMismatch)
	}
	r := &Report{Queries: len(model)}
	for i, q := range model {
		if len(q.Labels) != len(rules[i].Labels) {
			return nil, fmt.Errorf("evaluate: query %d: %d model candidates, %d rule candidates: %w",
				i, len(q.Labels), len(rules[i].Labels), ErrQueryMismatch)
		}
		if j := mismatch(q.Labels, rules[i].Labels); j >= 0 {
			return nil, fmt.Errorf("evaluate: query %d candidate %d: model label %t, rule label %t: %w",
				i, j, q.Labels[j], rules[i].Labels[j], ErrQueryMismatch)
		}
		r.Examples += len(q.Labels)
		n := count(q.Labels)
		r.Positives += n
		if n > 0 {
			r.QueriesWithPositive++
		}
	}
	var err error
	if r.Model, err = summarize(model); err != nil {
		return nil, fmt.Errorf("evaluate model: %w", err)
	}
	if r.Rules, err = summarize(rules); err != nil {
		return nil, fmt.Errorf("evaluate rules: %w", err)
	}
	r.LiftPAt3 = lift(r.Model.PAt3, r.Rules.PAt3)
	r.LiftNDCGAt5 = lift(r.Model.NDCGAt5, r.Rules.NDCGAt5)
	return r, nil
}

// summarize computes one ranker's Summary.
func summarize(qs []Query) (Summary, error) {
	var scores []float64
	var labels []bool
	for i, q := range qs {
		if err := checkCandidates(q.Scores, q.Labels); err != nil {
			return Summary{}, fmt.Errorf("query %d: %w", i, err)
		}
		scores = append(scores, q.Scores...)
		labels = append(labels, q.Labels...)
	}
	var s Summary
	var err error
	if s.AUC, err = AUC(scores, labels); err != nil {
		return Summary{}, err
	}
	roc, err := ROC(scores, labels)
	if err != nil {
		return Summary{}, err
	}
	s.ROC = thin(roc, MaxROCPoints)
	if s.NDCGAt5, err = NDCGAt(NDCGK, qs); err != nil {
		return Summary{}, err
	}
	s.PrecisionCurve = make([]float64, CurveK)
	for k := 1; k <= CurveK; k++ {
		if s.PrecisionCurve[k-1], err = PrecisionAt(k, qs); err != nil {
			return Summary{}, err
		}
	}
	s.PAt3 = s.PrecisionCurve[PrecisionK-1]
	return s, nil
}

// thin returns at most n points of pts (n ≥ 2), evenly spaced by index
// (rounded) and always including the first and the last.
func thin(pts []Point, n int) []Point {
	if len(pts) <= n {
		return pts
	}
	out := make([]Point, n)
	last := len(pts) - 1
	for j := range out {
		out[j] = pts[(j*last+(n-1)/2)/(n-1)]
	}
	return out
}

// lift returns model/rules, or nil when rules is 0.
func lift(model, rules float64) *float64 {
	if rules == 0 {
		return nil
	}
	v := model / rules
	return &v
}

// mismatch returns the first index where a and b differ (same length), or
// -1.
func mismatch(a, b []bool) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// count returns the number of true labels.
func count(labels []bool) int {
	n := 0
	for _, l := range labels {
		if l {
			n++
		}
	}
	return n
}
