package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// A Query is one ranking decision: the candidates for one assignment, with
// their scores (higher ranks first; equal scores keep index order) and
// relevance labels (true = the assignment was worked successfully).
// Scores[i] and Labels[i] belong to the same candidate.
type Query struct {
	Scores []float64 `json:"scores"`
	Labels []bool    `json:"labels"`
}

// PrecisionAt returns precision@k: the mean over queries of the share of
// relevant candidates among a query's top min(k, n), n being its number of
// candidates. Queries without candidates are skipped; queries without a
// relevant candidate count as 0. It returns ErrBadK for k < 1,
// ErrNoQueries when no query has a candidate, and ErrLengthMismatch or
// ErrNaN naming the query at fault.
func PrecisionAt(k int, qs []Query) (float64, error) {
	if k < 1 {
		return 0, fmt.Errorf("precision@%d: %w", k, ErrBadK)
	}
	sum, counted := 0.0, 0
	for i, q := range qs {
		order, err := q.ranking()
		if err != nil {
			return 0, fmt.Errorf("precision@%d: query %d: %w", k, i, err)
		}
		if len(order) == 0 {
			continue
		}
		m := min(k, len(order))
		hits := 0
		for _, c := range order[:m] {
			if q.Labels[c] {
				hits++
			}
		}
		sum += float64(hits) / float64(m)
		counted++
	}
	if counted == 0 {
		return 0, fmt.Errorf("precision@%d: none of %d queries has a candidate: %w", k, len(qs), ErrNoQueries)
	}
	return sum / float64(counted), nil
}

// NDCGAt returns NDCG@k: the mean over queries of DCG@k / IDCG@k, with
// binary gains (1 for a relevant candidate, 0 otherwise) and a log₂(rank+1)
// discount, ranks counted from 1. A query without any relevant candidate
// (including an empty one) is skipped: its ideal DCG is 0, so no ranking of
// it is better than another. It returns ErrBadK for k < 1, ErrNoQueries
// when no query has a relevant candidate, and ErrLengthMismatch or ErrNaN
// naming the query at fault.
func NDCGAt(k int, qs []Query) (float64, error) {
	if k < 1 {
		return 0, fmt.Errorf("ndcg@%d: %w", k, ErrBadK)
	}
	sum, counted := 0.0, 0
	for i, q := range qs {
		order, err := q.ranking()
		if err != nil {
			return 0, fmt.Errorf("ndcg@%d: query %d: %w", k, i, err)
		}
		relevant := 0
		for _, l := range q.Labels {
			if l {
				relevant++
			}
		}
		if relevant == 0 {
			continue
		}
		dcg, idcg := 0.0, 0.0
		for r, c := range order[:min(k, len(order))] {
			if q.Labels[c] {
				dcg += discount(r + 1)
			}
		}
		for r := range min(k, relevant) {
			idcg += discount(r + 1)
		}
		sum += dcg / idcg
		counted++
	}
	if counted == 0 {
		return 0, fmt.Errorf("ndcg@%d: none of %d queries has a relevant candidate: %w", k, len(qs), ErrNoQueries)
	}
	return sum / float64(counted), nil
}

// discount is the DCG weight of rank r (counted from 1): 1/log₂(r+1).
func discount(r int) float64 {
	return 1 / math.Log2(float64(r+1))
}

// ranking checks the query and returns its candidates' indices, best
// first: by score descending, equal scores in index order.
func (q Query) ranking() ([]int, error) {
	if err := checkCandidates(q.Scores, q.Labels); err != nil {
		return nil, err
	}
	order := make([]int, len(q.Scores))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(q.Scores[b], q.Scores[a]) })
	return order, nil
}
