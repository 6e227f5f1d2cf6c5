package ranker_test

import (
	"fmt"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// hoursLeft ranks candidates by the hours they have left this week. It
// needs no parameters; a trained model would read its own in Load.
type hoursLeft struct{}

var _ ranker.Model = hoursLeft{}

func (hoursLeft) Load([]byte) error { return nil }

func (hoursLeft) Meta() ranker.Meta {
	return ranker.Meta{Name: "hours-left", Version: "1", Features: []string{"hours_week", "hours_max"}}
}

func (hoursLeft) Score(x []float32, rows, cols int, out []float32) error {
	for r := range rows {
		out[r] = x[r*cols+1] - x[r*cols]
	}
	return nil
}

// A model is one Go type; its main package registers it from init (see
// the package doc). Tests run it natively with ScoreNative, which checks
// what the module's score export checks.
func ExampleScoreNative() {
	x := []float32{
		32, 40, // candidate 1: 32 of 40 hours worked
		10, 20,
		38, 38,
	}
	scores, err := ranker.ScoreNative(hoursLeft{}, x, 3, 2)
	fmt.Println(scores, err)
	_, err = ranker.ScoreNative(hoursLeft{}, x, 2, 3)
	fmt.Println(err)
	// Output:
	// [8 10 0] <nil>
	// score: 3 columns: the model expects 2 features
}

// A trained model is the evaluator module with its parameters in the
// "crewplan.params" custom section: installing one needs no Go toolchain.
func ExampleWithSection() {
	evaluator := []byte("\x00asm\x01\x00\x00\x00") // the bytes of logreg.wasm
	model, err := ranker.WithSection(evaluator, ranker.SectionParams, []byte("CPLR..."))
	if err != nil {
		fmt.Println(err)
		return
	}
	params, ok, err := ranker.Section(model, ranker.SectionParams)
	fmt.Printf("%q %v %v\n", params, ok, err)
	// Output: "CPLR..." true <nil>
}

// The host writes a feature matrix into the buffer crewplan_ranker_alloc
// hands out, and reads the scores crewplan_ranker_score returns.
func ExampleDecodeScores() {
	matrix := ranker.EncodeMatrix([]float32{1, 2, 3, 4}) // 2 rows × 2 columns
	fmt.Println(len(matrix), "bytes in")
	scores, err := ranker.DecodeScores([]byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf}, 2)
	fmt.Println(scores, err)
	// Output:
	// 16 bytes in
	// [1 -0.5] <nil>
}
