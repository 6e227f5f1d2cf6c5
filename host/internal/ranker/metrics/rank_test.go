package metrics_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
)

const eps = 1e-12

// Hand-worked queries for the ranking metrics.
var (
	// Ranked: 0 (.9, T), 3 (.7, T), 2 (.5, F), 1 (.1, F).
	goodQuery = metrics.Query{Scores: []float64{0.9, 0.1, 0.5, 0.7}, Labels: []bool{true, false, false, true}}
	// All scores tie, so index order stands: F, T, F.
	tiedQuery = metrics.Query{Scores: []float64{1, 1, 1}, Labels: []bool{false, true, false}}
	// Rule scores (−position): ranked F, T, F, T.
	ruleQuery = metrics.Query{Scores: []float64{0, -1, -2, -3}, Labels: []bool{false, true, false, true}}
	// No relevant candidate.
	noneQuery  = metrics.Query{Scores: []float64{0.3, 0.2}, Labels: []bool{false, false}}
	emptyQuery = metrics.Query{}
)

func TestPrecisionAt(t *testing.T) {
	tests := []struct {
		name string
		k    int
		qs   []metrics.Query
		want float64
	}{
		{"top 1", 1, []metrics.Query{goodQuery}, 1},
		{"top 2", 2, []metrics.Query{goodQuery}, 1},
		{"top 3", 3, []metrics.Query{goodQuery}, 2.0 / 3},
		{"k larger than the query uses all 4", 10, []metrics.Query{goodQuery}, 2.0 / 4},
		{"ties keep index order, k=1", 1, []metrics.Query{tiedQuery}, 0},
		{"ties keep index order, k=2", 2, []metrics.Query{tiedQuery}, 0.5},
		{"rule positions", 2, []metrics.Query{ruleQuery}, 0.5},
		{"rule positions k=3", 3, []metrics.Query{ruleQuery}, 1.0 / 3},
		{"mean over queries", 1, []metrics.Query{goodQuery, tiedQuery}, 0.5},
		{"no relevant counts as 0", 1, []metrics.Query{goodQuery, noneQuery}, 0.5},
		{"empty query skipped", 1, []metrics.Query{emptyQuery, goodQuery, emptyQuery}, 1},
		// (2/3 + 1/3 + 1/3 + 0) / 4
		{"mixed k=3", 3, []metrics.Query{goodQuery, tiedQuery, ruleQuery, noneQuery}, (2.0/3 + 1.0/3 + 1.0/3 + 0) / 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := metrics.PrecisionAt(tt.k, tt.qs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > eps {
				t.Errorf("PrecisionAt(%d) = %v, want %v", tt.k, got, tt.want)
			}
		})
	}
}

func TestNDCGAt(t *testing.T) {
	l3, l5 := math.Log2(3), math.Log2(5)
	tests := []struct {
		name string
		k    int
		qs   []metrics.Query
		want float64
	}{
		{"ideal order", 3, []metrics.Query{goodQuery}, 1},
		{"ideal order, k larger than the query", 10, []metrics.Query{goodQuery}, 1},
		// Rank 1 is irrelevant: DCG 0.
		{"ties keep index order, k=1", 1, []metrics.Query{tiedQuery}, 0},
		// DCG = 1/log₂3; IDCG@2 with one relevant = 1/log₂2 = 1.
		{"ties keep index order, k=2", 2, []metrics.Query{tiedQuery}, 1 / l3},
		// DCG = 1/log₂3 + 1/log₂5; IDCG = 1 + 1/log₂3.
		{"rule positions, k larger than the query", 5, []metrics.Query{ruleQuery}, (1/l3 + 1/l5) / (1 + 1/l3)},
		// DCG@2 = 1/log₂3; IDCG@2 = 1 + 1/log₂3.
		{"rule positions, k=2", 2, []metrics.Query{ruleQuery}, (1 / l3) / (1 + 1/l3)},
		{"query without relevant skipped", 2, []metrics.Query{noneQuery, tiedQuery, emptyQuery}, 1 / l3},
		{"mean over queries", 2, []metrics.Query{goodQuery, tiedQuery}, (1 + 1/l3) / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := metrics.NDCGAt(tt.k, tt.qs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > eps {
				t.Errorf("NDCGAt(%d) = %v, want %v", tt.k, got, tt.want)
			}
		})
	}
}

func TestRankingErrors(t *testing.T) {
	bad := metrics.Query{Scores: []float64{1, 2}, Labels: []bool{true}}
	nan := metrics.Query{Scores: []float64{1, math.NaN()}, Labels: []bool{true, false}}
	type metric func(int, []metrics.Query) (float64, error)
	fns := map[string]metric{"precision": metrics.PrecisionAt, "ndcg": metrics.NDCGAt}
	tests := []struct {
		name    string
		k       int
		qs      []metrics.Query
		want    error
		mention string
	}{
		{"k zero", 0, []metrics.Query{goodQuery}, metrics.ErrBadK, "@0"},
		{"k negative", -2, []metrics.Query{goodQuery}, metrics.ErrBadK, "@-2"},
		{"no queries", 3, nil, metrics.ErrNoQueries, "none of 0 queries"},
		{"only empty queries", 3, []metrics.Query{emptyQuery, emptyQuery}, metrics.ErrNoQueries, "none of 2 queries"},
		{"length mismatch", 3, []metrics.Query{goodQuery, bad}, metrics.ErrLengthMismatch, "query 1: 2 scores, 1 labels"},
		{"NaN", 3, []metrics.Query{goodQuery, goodQuery, nan}, metrics.ErrNaN, "query 2: candidate 1"},
	}
	for _, tt := range tests {
		for name, fn := range fns {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				_, err := fn(tt.k, tt.qs)
				if !errors.Is(err, tt.want) {
					t.Fatalf("error = %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), tt.mention) || !strings.HasPrefix(err.Error(), name+"@") {
					t.Errorf("error %q should start with %q and mention %q", err, name+"@", tt.mention)
				}
			})
		}
	}
	t.Run("ndcg with no relevant candidate anywhere", func(t *testing.T) {
		_, err := metrics.NDCGAt(5, []metrics.Query{noneQuery, emptyQuery})
		if !errors.Is(err, metrics.ErrNoQueries) {
			t.Fatalf("error = %v, want ErrNoQueries", err)
		}
		// Precision still counts the query (as 0).
		p, err := metrics.PrecisionAt(5, []metrics.Query{noneQuery, emptyQuery})
		if err != nil || p != 0 {
			t.Errorf("PrecisionAt = %v, %v; want 0, nil", p, err)
		}
	})
}

func TestRankingDoesNotReorderInput(t *testing.T) {
	q := metrics.Query{Scores: []float64{0.1, 0.9, 0.5}, Labels: []bool{false, true, false}}
	if _, err := metrics.PrecisionAt(2, []metrics.Query{q}); err != nil {
		t.Fatal(err)
	}
	if q.Scores[0] != 0.1 || q.Scores[1] != 0.9 || q.Labels[1] != true {
		t.Errorf("PrecisionAt changed its input: %+v", q)
	}
}
