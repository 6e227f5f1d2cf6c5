package ranker_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/sdk/ranker"
)

func TestCheckShape(t *testing.T) {
	for _, tc := range []struct {
		rows, cols, features int
		want                 string // "" for no error
	}{
		{1, 1, 1, ""},
		{ranker.MaxRows, ranker.MaxCols, ranker.MaxCols, ""},
		{0, 3, 3, "0 rows"},
		{-1, 3, 3, "-1 rows"},
		{ranker.MaxRows + 1, 3, 3, "4097 rows"},
		{2, 0, 0, "0 columns"},
		{2, ranker.MaxCols + 1, ranker.MaxCols + 1, "257 columns"},
		{2, 4, 5, "4 columns: the model expects 5 features"},
	} {
		err := ranker.CheckShape(tc.rows, tc.cols, tc.features)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckShape(%d, %d, %d) = %v, want %q", tc.rows, tc.cols, tc.features, err, tc.want)
		}
	}
}

func TestScoreNative(t *testing.T) {
	m := loaded("a", "b", "c")
	got, err := ranker.ScoreNative(m, []float32{1, 2, 3, -1, 0, 0.5}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{6, -0.5}, got); diff != "" {
		t.Errorf("ScoreNative (-want +got):\n%s", diff)
	}
}

func TestScoreNativeRefuses(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name       string
		m          *stub
		x          []float32
		rows, cols int
		want       string
	}{
		{"no rows", loaded("a"), nil, 0, 1, "score: 0 rows"},
		{"too many rows", loaded("a"), make([]float32, ranker.MaxRows+1), ranker.MaxRows + 1, 1, "4097 rows"},
		{"wrong columns", loaded("a", "b"), make([]float32, 3), 1, 3, "3 columns: the model expects 2 features"},
		{"short x", loaded("a", "b"), make([]float32, 3), 2, 2, "3 values for 2 rows × 2 columns"},
		{"long x", loaded("a", "b"), make([]float32, 5), 2, 2, "5 values"},
		{"not loaded", &stub{}, make([]float32, 1), 1, 1, "model metadata: name"},
		{"model error", &stub{meta: loaded("a").meta, scoreErr: errors.New("stub: tired")}, make([]float32, 1), 1, 1, "score: stub: tired"},
		{"panic", &stub{meta: loaded("a").meta, panicScore: true}, make([]float32, 1), 1, 1, "score: model panicked: assignment to entry in nil map"},
		{"NaN", loaded("a"), []float32{1, nan}, 2, 1, "row 2 scored NaN"},
		{"Inf", loaded("a", "b"), []float32{math.MaxFloat32, math.MaxFloat32}, 1, 2, "row 1 scored +Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ranker.ScoreNative(tc.m, tc.x, tc.rows, tc.cols)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ScoreNative = %v, %v; want an error containing %q", got, err, tc.want)
			}
			if got != nil {
				t.Errorf("ScoreNative returned scores with its error: %v", got)
			}
		})
	}
}
