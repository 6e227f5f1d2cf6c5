package gbdt

// ScoreRows is Score walking 8 rows at a time when wide8 is set (as it
// does in WebAssembly) and 4 otherwise (as it does natively), so that the
// tests run both on any platform.
func (m *Model) ScoreRows(x []float32, rows, cols int, out []float32, wide8 bool) error {
	if err := m.Score(x, rows, cols, out); err != nil {
		return err
	}
	m.score(x, cols, out, wide8)
	return nil
}
