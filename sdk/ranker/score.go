package ranker

import "fmt"

// CheckShape reports what is wrong with a score call of rows×cols for a
// model that expects features features: rows outside 1..MaxRows, cols
// outside 1..MaxCols, or cols other than features. The guest's score
// export and ScoreNative apply it alike; a host may apply it before the
// call.
func CheckShape(rows, cols, features int) error {
	if rows < 1 || rows > MaxRows {
		return fmt.Errorf("%d rows: want 1 to %d", rows, MaxRows)
	}
	if cols < 1 || cols > MaxCols {
		return fmt.Errorf("%d columns: want 1 to %d", cols, MaxCols)
	}
	if cols != features {
		return fmt.Errorf("%d columns: the model expects %d features", cols, features)
	}
	return nil
}

// ScoreNative scores the rows×cols feature matrix x with m, natively, as
// the score export would in the module: the same checks (a valid Meta, the
// shape per CheckShape, len(x) = rows×cols), a panic of m turned into an
// error, and every score a finite number. m must have been loaded. It is
// meant for tests and tools: the scores it returns are fresh.
func ScoreNative(m Model, x []float32, rows, cols int) (scores []float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			scores, err = nil, fmt.Errorf("score: model panicked: %v", r)
		}
	}()
	meta := m.Meta()
	if err := meta.Validate(); err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	if err := CheckShape(rows, cols, len(meta.Features)); err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	if len(x) != rows*cols {
		return nil, fmt.Errorf("score: %d values for %d rows × %d columns", len(x), rows, cols)
	}
	out := make([]float32, rows)
	if err := callScore(m, x, rows, cols, out); err != nil {
		return nil, err
	}
	return out, nil
}

// callScore calls m.Score, turning a panic into an error and refusing
// scores that are not finite numbers. It does not allocate unless it
// fails.
func callScore(m Model, x []float32, rows, cols int, out []float32) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("score: model panicked: %v", r)
		}
	}()
	if err := m.Score(x, rows, cols, out); err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if err := checkScores(out); err != nil {
		return fmt.Errorf("score: %w", err)
	}
	return nil
}
