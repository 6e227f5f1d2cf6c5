package metrics_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
)

// bruteAUC is the definition of AUC pair by pair, O(n²): over all
// positive–negative pairs, a win counts 2, a tie 1, then divide by 2·P·N.
func bruteAUC(scores []float64, labels []bool) (float64, bool) {
	var twice, pos, neg int64
	for i := range scores {
		if !labels[i] {
			neg++
			continue
		}
		pos++
		for j := range scores {
			switch {
			case labels[j]:
			case scores[i] > scores[j]:
				twice += 2
			case scores[i] == scores[j]:
				twice++
			}
		}
	}
	if pos == 0 || neg == 0 {
		return 0, false
	}
	return float64(twice) / (2 * float64(pos) * float64(neg)), true
}

// trapezoid returns the area under a curve.
func trapezoid(pts []metrics.Point) float64 {
	a := 0.0
	for i := 1; i < len(pts); i++ {
		a += (pts[i].X - pts[i-1].X) * (pts[i].Y + pts[i-1].Y) / 2
	}
	return a
}

func TestAUCHandWorked(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all ties", []float64{0.5, 0.5, 0.5, 0.5, 0.5}, []bool{true, false, false, true, false}, 0.5},
		// Pairs (pos, neg): (.35,.1) win, (.35,.4) loss, (.8,.1) win,
		// (.8,.4) win: 3 of 4.
		{"mixed", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		// Average ranks ascending: .2→1, the two .5→2.5, .9→4.
		// R₊ = 2.5+4 = 6.5, U = 6.5 − 2·3/2 = 3.5, AUC = 3.5/4.
		{"mixed with a tie", []float64{0.5, 0.5, 0.2, 0.9}, []bool{true, false, false, true}, 0.875},
		// Rule scores (−position) of two queries pooled: the positive at
		// position 0 of query B ties with the negative at position 0 of
		// query A; the positive at position 1 beats the negatives at 2.
		// Pairs: (0 vs 0) ½, (0 vs −2) 1, (−1 vs 0) 0, (−1 vs −2) 1 → 2.5/4.
		{"pooled rule positions", []float64{0, -1, -2, 0}, []bool{false, true, false, true}, 0.625},
		{"infinities", []float64{math.Inf(-1), math.Inf(1), 0}, []bool{false, true, false}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := metrics.AUC(tt.scores, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("AUC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAUCErrors(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   error
		msg    string
	}{
		{"length mismatch", []float64{1, 2, 3}, []bool{true, false}, metrics.ErrLengthMismatch, "auc: 3 scores, 2 labels: scores and labels differ in length"},
		{"NaN", []float64{1, math.NaN()}, []bool{true, false}, metrics.ErrNaN, "auc: candidate 1: score is NaN"},
		{"no positives", []float64{1, 2}, []bool{false, false}, metrics.ErrNoPositives, ""},
		{"no negatives", []float64{1, 2}, []bool{true, true}, metrics.ErrNoNegatives, ""},
		{"empty", nil, nil, metrics.ErrNoPositives, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := metrics.AUC(tt.scores, tt.labels)
			if !errors.Is(err, tt.want) {
				t.Fatalf("AUC error = %v, want %v", err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("AUC error = %q, want %q", err, tt.msg)
			}
			_, err = metrics.ROC(tt.scores, tt.labels)
			if !errors.Is(err, tt.want) {
				t.Errorf("ROC error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestROCHandWorked(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   []metrics.Point
	}{
		{
			// Falling threshold: .8 T, .4 F, .35 T, .1 F.
			"distinct", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true},
			[]metrics.Point{{X: 0, Y: 0}, {X: 0, Y: 0.5}, {X: 0.5, Y: 0.5}, {X: 0.5, Y: 1}, {X: 1, Y: 1}},
		},
		{
			// .9 T, then the tied .5 pair enters as one diagonal step, .2 F.
			"tie", []float64{0.5, 0.5, 0.2, 0.9}, []bool{true, false, false, true},
			[]metrics.Point{{X: 0, Y: 0}, {X: 0, Y: 0.5}, {X: 0.5, Y: 1}, {X: 1, Y: 1}},
		},
		{
			"all ties", []float64{3, 3, 3}, []bool{true, false, true},
			[]metrics.Point{{X: 0, Y: 0}, {X: 1, Y: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := metrics.ROC(tt.scores, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ROC (-want +got):\n%s", diff)
			}
		})
	}
}

// randomCase returns n candidates; with coarse scores many tie.
func randomCase(r *rand.Rand, n int, coarse bool) ([]float64, []bool) {
	scores := make([]float64, n)
	labels := make([]bool, n)
	for i := range n {
		if coarse {
			scores[i] = float64(r.IntN(6))
		} else {
			scores[i] = r.NormFloat64()
		}
		labels[i] = r.Float64() < 0.3+0.1*scores[i]
	}
	return scores, labels
}

func TestAUCMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for iter := range 500 {
		scores, labels := randomCase(r, 1+r.IntN(200), iter%2 == 0)
		want, ok := bruteAUC(scores, labels)
		got, err := metrics.AUC(scores, labels)
		if !ok {
			if err == nil {
				t.Fatalf("case %d: AUC = %v without both classes, want an error", iter, got)
			}
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", iter, err)
		}
		if got != want {
			t.Fatalf("case %d: AUC = %v, brute force %v", iter, got, want)
		}
		checked++
	}
	if checked < 400 {
		t.Fatalf("only %d cases had both classes", checked)
	}
}

func TestROCProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 300 {
		scores, labels := randomCase(r, 2+r.IntN(150), iter%2 == 0)
		auc, err := metrics.AUC(scores, labels)
		if err != nil {
			continue
		}
		pts, err := metrics.ROC(scores, labels)
		if err != nil {
			t.Fatalf("case %d: %v", iter, err)
		}
		distinct := map[float64]bool{}
		for _, s := range scores {
			distinct[s] = true
		}
		if len(pts) != len(distinct)+1 {
			t.Errorf("case %d: %d points for %d distinct scores, want one more", iter, len(pts), len(distinct))
		}
		if pts[0] != (metrics.Point{}) || pts[len(pts)-1] != (metrics.Point{X: 1, Y: 1}) {
			t.Fatalf("case %d: ROC runs from %v to %v, want (0,0) to (1,1)", iter, pts[0], pts[len(pts)-1])
		}
		for i := 1; i < len(pts); i++ {
			if pts[i].X < pts[i-1].X || pts[i].Y < pts[i-1].Y {
				t.Fatalf("case %d: ROC falls from %v to %v", iter, pts[i-1], pts[i])
			}
		}
		if a := trapezoid(pts); math.Abs(a-auc) > 1e-12 {
			t.Errorf("case %d: area under ROC %v, AUC %v", iter, a, auc)
		}
	}
}

// FuzzAUC checks that AUC never panics, agrees exactly with the pairwise
// definition, and fails only for the documented reasons. Each input byte
// pair is one candidate: a coarse score (so that ties are common; 255 is
// NaN, 254 and 253 are ±Inf) and a label bit.
func FuzzAUC(f *testing.F) {
	f.Add([]byte{1, 0, 2, 1})
	f.Add([]byte{3, 1, 3, 0, 3, 1, 9, 0})
	f.Add([]byte{255, 1, 2, 0})
	f.Add([]byte{254, 1, 253, 0, 7, 1, 7, 0})
	f.Add([]byte{5, 1, 5, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var scores []float64
		var labels []bool
		hasNaN := false
		for i := 0; i+1 < len(data); i += 2 {
			var s float64
			switch b := data[i]; b {
			case 255:
				s, hasNaN = math.NaN(), true
			case 254:
				s = math.Inf(1)
			case 253:
				s = math.Inf(-1)
			default:
				s = float64(int(b)%16) - 8
			}
			scores = append(scores, s)
			labels = append(labels, data[i+1]&1 == 1)
		}
		got, err := metrics.AUC(scores, labels)
		if hasNaN {
			if !errors.Is(err, metrics.ErrNaN) {
				t.Fatalf("AUC with a NaN score: error %v, want ErrNaN", err)
			}
			return
		}
		want, ok := bruteAUC(scores, labels)
		if !ok {
			if !errors.Is(err, metrics.ErrNoPositives) && !errors.Is(err, metrics.ErrNoNegatives) {
				t.Fatalf("AUC without both classes: error %v, want ErrNoPositives or ErrNoNegatives", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got != want || got < 0 || got > 1 {
			t.Fatalf("AUC = %v, brute force %v", got, want)
		}
	})
}

func BenchmarkAUC(b *testing.B) {
	scores, labels := randomCase(rand.New(rand.NewPCG(5, 6)), 100_000, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := metrics.AUC(scores, labels); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleAUC() {
	auc, err := metrics.AUC(
		[]float64{0.9, 0.5, 0.5, 0.2},
		[]bool{true, true, false, false},
	)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f\n", auc)
	// Output: 0.875
}
