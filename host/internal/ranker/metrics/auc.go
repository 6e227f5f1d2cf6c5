package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Point is one point of a curve. For a ROC curve X is the false positive
// rate and Y the true positive rate.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// AUC returns the area under the ROC curve of scores against labels (true =
// positive): the Mann–Whitney U statistic with average ranks for ties,
// divided by the number of positive–negative pairs; see the package doc.
// It returns ErrLengthMismatch, ErrNaN, ErrNoPositives or ErrNoNegatives
// when the input does not define an AUC. It sorts once: O(n log n).
func AUC(scores []float64, labels []bool) (float64, error) {
	gs, pos, neg, err := tieGroups(scores, labels)
	if err != nil {
		return 0, fmt.Errorf("auc: %w", err)
	}
	// Each positive wins against every negative below its score and
	// half-wins against every negative tied with it. This is U computed
	// from average ranks, kept in integers (doubled) so that it is exact.
	var twiceU int64
	negBelow := 0
	for _, g := range gs {
		twiceU += int64(g.pos) * int64(2*negBelow+g.neg)
		negBelow += g.neg
	}
	return float64(twiceU) / (2 * float64(pos) * float64(neg)), nil
}

// ROC returns the ROC curve of scores against labels (true = positive):
// (0,0), then one point per distinct score from the highest to the lowest
// (tied candidates collapse into one step), ending at (1,1). X is the false
// positive rate and Y the true positive rate, both non-decreasing. It
// returns the same errors as AUC.
func ROC(scores []float64, labels []bool) ([]Point, error) {
	gs, pos, neg, err := tieGroups(scores, labels)
	if err != nil {
		return nil, fmt.Errorf("roc: %w", err)
	}
	pts := make([]Point, 0, len(gs)+1)
	pts = append(pts, Point{})
	tp, fp := 0, 0
	for _, g := range slices.Backward(gs) {
		tp += g.pos
		fp += g.neg
		pts = append(pts, Point{X: float64(fp) / float64(neg), Y: float64(tp) / float64(pos)})
	}
	return pts, nil
}

// group counts the positives and negatives that share one score.
type group struct {
	pos, neg int
}

// tieGroups checks scores and labels, and returns one group per distinct
// score in ascending score order, with the totals of positives and
// negatives.
func tieGroups(scores []float64, labels []bool) (gs []group, pos, neg int, err error) {
	if err := checkCandidates(scores, labels); err != nil {
		return nil, 0, 0, err
	}
	type candidate struct {
		score float64
		label bool
	}
	cs := make([]candidate, len(scores))
	for i, s := range scores {
		cs[i] = candidate{s, labels[i]}
		if labels[i] {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 {
		return nil, 0, 0, ErrNoPositives
	}
	if neg == 0 {
		return nil, 0, 0, ErrNoNegatives
	}
	slices.SortFunc(cs, func(a, b candidate) int { return cmp.Compare(a.score, b.score) })
	for i, c := range cs {
		if i == 0 || c.score != cs[i-1].score {
			gs = append(gs, group{})
		}
		if c.label {
			gs[len(gs)-1].pos++
		} else {
			gs[len(gs)-1].neg++
		}
	}
	return gs, pos, neg, nil
}

// checkCandidates returns ErrLengthMismatch or ErrNaN, naming the
// candidate, when scores and labels do not describe a list of candidates.
func checkCandidates(scores []float64, labels []bool) error {
	if len(scores) != len(labels) {
		return fmt.Errorf("%d scores, %d labels: %w", len(scores), len(labels), ErrLengthMismatch)
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return fmt.Errorf("candidate %d: %w", i, ErrNaN)
		}
	}
	return nil
}
