package wasmtest

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// FixtureDir is testdata/ranker, seen from an evaluator's folder.
var FixtureDir = filepath.Join("..", "..", "testdata", "ranker")

// The shared fixture matrix, fixture-matrix.bin: Rows candidates × Cols
// features (hours_week, days_since_last, skill_match, travel_km,
// accept_rate). Every evaluator's fixture scores it; the host's tests
// score it with the wasm modules and expect the same scores.
const Rows, Cols = 7, 5

// MatrixFile is the shared matrix's file.
var MatrixFile = filepath.Join(FixtureDir, "fixture-matrix.bin")

// Matrix returns the shared matrix.
func Matrix() []float32 {
	return []float32{
		32, 3, 1, 12, 0.8,
		10, 14, 0.5, 40, 0.4,
		0, 0, 0, 0, 0, // logreg: sigmoid(bias)
		40, 1, 0, 80, 0.1,
		20, 7, 1, 5, 1,
		1000, 0, 0, 0, 0, // logreg: saturates toward 0, still a normal float32
		-5, 200, 1, 0, 1, // logreg: saturates at 1
	}
}

// Fixture is one evaluator's fixture in FixtureDir: its parameters and
// the scores they give the shared matrix.
type Fixture struct {
	ParamsFile, ScoresFile string // paths
	// Params are the parameters as the test builds them, encoded.
	Params []byte
	// New returns a fresh model of the evaluator.
	New func() ranker.Model
	// OwnsMatrix says this evaluator writes fixture-matrix.bin on update.
	OwnsMatrix bool
}

// Check checks the fixture's files against the code: the parameters file
// holds f.Params, the matrix file the shared matrix, and scoring it
// natively gives the scores file bit for bit. With update it writes them
// first. It returns the expected scores, for the evaluator's own checks.
func (f Fixture) Check(t *testing.T, update bool) []float32 {
	t.Helper()
	x := Matrix()
	if update {
		m := f.New()
		if err := m.Load(f.Params); err != nil {
			t.Fatal(err)
		}
		scores, err := ranker.ScoreNative(m, x, Rows, Cols)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{f.ParamsFile: f.Params, f.ScoresFile: ranker.EncodeMatrix(scores)}
		if f.OwnsMatrix {
			files[MatrixFile] = ranker.EncodeMatrix(x)
		}
		for name, b := range files {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	raw := ReadFile(t, f.ParamsFile)
	if !bytes.Equal(raw, f.Params) {
		t.Errorf("%s is not the fixture's parameters: run go test -run TestFixture -update and review the diff", f.ParamsFile)
	}
	m := f.New()
	if err := m.Load(raw); err != nil {
		t.Fatalf("%s: %v", f.ParamsFile, err)
	}
	matrix, err := ranker.DecodeMatrix(ReadFile(t, MatrixFile), Rows, Cols)
	if err != nil {
		t.Fatalf("%s: %v", MatrixFile, err)
	}
	for i := range x {
		if math.Float32bits(matrix[i]) != math.Float32bits(x[i]) {
			t.Errorf("%s is not the shared matrix: value %d is %v, want %v", MatrixFile, i, matrix[i], x[i])
		}
	}
	want, err := ranker.DecodeScores(ReadFile(t, f.ScoresFile), Rows)
	if err != nil {
		t.Fatalf("%s: %v", f.ScoresFile, err)
	}
	got, err := ranker.ScoreNative(m, matrix, Rows, Cols)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("row %d: ScoreNative %v (%#x), %s has %v (%#x)", i+1, got[i], math.Float32bits(got[i]), f.ScoresFile, want[i], math.Float32bits(want[i]))
		}
	}
	return want
}

// ReadFile returns the file's bytes, failing the test when it cannot.
func ReadFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CheckUnloaded checks a fresh model without parameters: Load(nil) is
// refused saying there are none, its Meta does not validate, and it scores
// nothing.
func CheckUnloaded(t *testing.T, m ranker.Model) {
	t.Helper()
	if err := m.Load(nil); err == nil || !strings.Contains(err.Error(), "no parameters") {
		t.Errorf("Load(nil) = %v", err)
	}
	if err := m.Meta().Validate(); err == nil {
		t.Error("the Meta of a model without parameters validates")
	}
	if err := m.Score([]float32{1}, 1, 1, make([]float32, 1)); err == nil {
		t.Error("a model without parameters scored")
	}
}

// CheckRefusesShape checks that m, loaded with two features, refuses a
// matrix of the wrong width or length and an output of the wrong length.
func CheckRefusesShape(t *testing.T, m ranker.Model) {
	t.Helper()
	for _, tc := range []struct {
		x          []float32
		rows, cols int
		out        int
	}{
		{make([]float32, 3), 1, 3, 1},
		{make([]float32, 4), 2, 2, 1},
		{make([]float32, 3), 2, 2, 2},
	} {
		if err := m.Score(tc.x, tc.rows, tc.cols, make([]float32, tc.out)); err == nil {
			t.Errorf("Score(%d values, %d×%d, %d outputs) took it", len(tc.x), tc.rows, tc.cols, tc.out)
		}
	}
}
