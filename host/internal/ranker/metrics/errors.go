package metrics

import "errors"

// The errors the metrics return, wrapped with the operation and the query
// or candidate at fault; test for them with errors.Is.
var (
	// ErrLengthMismatch: a list of scores and its list of labels differ
	// in length.
	ErrLengthMismatch = errors.New("scores and labels differ in length")
	// ErrNaN: a score is NaN, which has no place in a ranking.
	ErrNaN = errors.New("score is NaN")
	// ErrNoPositives: AUC and ROC need at least one positive label.
	ErrNoPositives = errors.New("no positive labels, so AUC is undefined")
	// ErrNoNegatives: AUC and ROC need at least one negative label.
	ErrNoNegatives = errors.New("no negative labels, so AUC is undefined")
	// ErrBadK: k is below 1.
	ErrBadK = errors.New("k must be at least 1")
	// ErrNoQueries: no query counts towards a ranking metric (all were
	// empty, or for NDCG none had a relevant candidate).
	ErrNoQueries = errors.New("no query counts towards the metric")
	// ErrQueryMismatch: the model's and the rules' queries are not over
	// the same candidates (a different number of queries or candidates,
	// or different labels).
	ErrQueryMismatch = errors.New("model and rule queries are not over the same candidates")
	// ErrEmptyReport: Chart was given a nil report, or one without ROC
	// or precision curves.
	ErrEmptyReport = errors.New("report has no curves to draw")
)
