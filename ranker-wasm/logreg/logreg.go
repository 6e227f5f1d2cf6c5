package logreg

import (
	"fmt"
	"math"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// Model is the logistic-regression evaluator: a ranker.Model whose Load
// takes parameters in the format of the package doc. The zero Model has
// no parameters; Load gives it some.
type Model struct {
	p    Params
	meta ranker.Meta
}

var _ ranker.Model = (*Model)(nil)

// New returns a Model without parameters.
func New() *Model { return &Model{} }

// Load decodes params (see Decode) and makes them the model's. It refuses
// nil: the evaluator has no built-in weights. On error the model keeps
// its previous parameters.
func (m *Model) Load(params []byte) error {
	if len(params) == 0 {
		return errNoParams
	}
	p, err := Decode(params)
	if err != nil {
		return err
	}
	m.p, m.meta = p, p.Meta()
	return nil
}

// Meta describes the loaded parameters: their name, version and
// features, and kind=logreg. Before a Load it is the zero Meta, which
// does not validate.
func (m *Model) Meta() ranker.Meta { return m.meta }

// Score writes sigmoid(w·x + b) for each row of x into out, accumulating
// in float64. It does not allocate unless it fails.
func (m *Model) Score(x []float32, rows, cols int, out []float32) error {
	w := m.p.Weights
	if len(w) == 0 {
		return errNoParams
	}
	if cols != len(w) || len(x) != rows*cols || len(out) != rows {
		return fmt.Errorf("logreg: %d values and %d outputs for %d rows × %d columns; the model has %d features", len(x), len(out), rows, cols, len(w))
	}
	bias := float64(m.p.Bias)
	for r := range out {
		row := x[r*cols : r*cols+cols]
		z := bias
		for j, v := range row {
			// The product of two float32 is exact in float64, so the sum
			// is the same whether or not the compiler fuses it.
			z += float64(w[j]) * float64(v)
		}
		out[r] = float32(sigmoid(z))
	}
	return nil
}

// sigmoid is 1/(1+e^-z), computed so that e^z never overflows.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}
