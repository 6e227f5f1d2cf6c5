package boost

import (
	"errors"
	"fmt"
	"math"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// Data is a set of labelled rows to train or validate on.
type Data struct {
	X      []float32 // Rows×Cols features, row-major; NaN is a missing value
	Rows   int       // the number of rows
	Cols   int       // the number of features per row: 1 to ranker.MaxCols
	Y      []float32 // one label per row: 0 or 1
	Weight []float32 // one weight per row, finite and ≥ 0; nil weighs every row 1
}

// Validate reports what is wrong with d as a training set: no rows, a
// column count outside 1..ranker.MaxCols, slices of the wrong length, a
// label other than 0 or 1, a weight that is negative or not finite, all
// weights 0, or a class with no row of positive weight. Features may be
// NaN (missing) or infinite.
func (d Data) Validate() error {
	if err := d.check(true); err != nil {
		return fmt.Errorf("boost data: %w", err)
	}
	return nil
}

// check is Validate without its prefix; both asks for both classes.
func (d Data) check(both bool) error {
	switch {
	case d.Rows == 0:
		return errors.New("no rows: want at least one")
	case d.Rows < 0:
		return fmt.Errorf("%d rows: want at least one", d.Rows)
	case d.Rows > math.MaxInt32:
		return fmt.Errorf("%d rows: want at most %d", d.Rows, math.MaxInt32)
	case d.Cols < 1 || d.Cols > ranker.MaxCols:
		return fmt.Errorf("%d columns: want 1 to %d", d.Cols, ranker.MaxCols)
	case len(d.X) != d.Rows*d.Cols:
		return fmt.Errorf("%d feature values for %d rows × %d columns: want %d", len(d.X), d.Rows, d.Cols, d.Rows*d.Cols)
	case len(d.Y) != d.Rows:
		return fmt.Errorf("%d labels for %d rows: want one per row", len(d.Y), d.Rows)
	case d.Weight != nil && len(d.Weight) != d.Rows:
		return fmt.Errorf("%d weights for %d rows: want one per row, or none", len(d.Weight), d.Rows)
	}
	var total, pos float64
	for i, y := range d.Y {
		if y != 0 && y != 1 {
			return fmt.Errorf("row %d: label %v: want 0 or 1", i, y)
		}
		w := d.weight(i)
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return fmt.Errorf("row %d: weight %v: want a finite number ≥ 0", i, w)
		}
		total += w
		pos += w * float64(y)
	}
	switch {
	case total == 0:
		return errors.New("every weight is 0: want some rows of positive weight")
	case both && pos == 0:
		return errors.New("no row labelled 1 has a positive weight: want both classes")
	case both && pos == total:
		return errors.New("no row labelled 0 has a positive weight: want both classes")
	}
	return nil
}

// weight is row i's weight.
func (d Data) weight(i int) float64 {
	if d.Weight == nil {
		return 1
	}
	return float64(d.Weight[i])
}

// row is row i's features.
func (d Data) row(i int) []float32 { return d.X[i*d.Cols : i*d.Cols+d.Cols : i*d.Cols+d.Cols] }
