package boost_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crewplan/crewplan/host/internal/ranker/boost"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

// threshold returns rows with y = 1 exactly when x0 ≥ 0.5, x0 drawn by
// x0, and x1 uniform noise.
func threshold(rng *rand.Rand, rows int, x0 func() float32) boost.Data {
	d := boost.Data{X: make([]float32, 2*rows), Rows: rows, Cols: 2, Y: make([]float32, rows)}
	for i := range rows {
		d.X[2*i], d.X[2*i+1] = x0(), rng.Float32()
		if d.X[2*i] >= 0.5 {
			d.Y[i] = 1
		}
	}
	return d
}

func TestTrainKnownOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name   string
		x0     func() float32
		lo, hi float32 // the root's threshold: lo < threshold ≤ hi
		acc    float64 // the least training accuracy
	}{
		// 64 quantile bins of uniform values: the edge nearest 0.5 is
		// within about a bin's width (1/64) of it.
		{"quantile bins", rng.Float32, 0.5 - 2.0/64, 0.5 + 2.0/64, 0.98},
		// 50 distinct values, each in its own bin: the root splits
		// between 0.48 and 0.5, and every row is classified right.
		{"a bin per value", func() float32 { return float32(rng.IntN(50)) / 50 }, 0.48, 0.5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := threshold(rng, 2000, tc.x0)
			m, err := boost.Train(t.Context(), d, nil, boost.Options{Trees: 30})
			if err != nil {
				t.Fatal(err)
			}
			root := m.Trees[0]
			if root.Feature[0] != 0 || !(tc.lo < root.Value[0] && root.Value[0] <= tc.hi) {
				t.Errorf("root splits feature %d at %v: want feature 0 at a threshold in (%v, %v]", root.Feature[0], root.Value[0], tc.lo, tc.hi)
			}
			right := 0
			for i := range d.Rows {
				if (m.Predict(d.X[2*i:2*i+2]) >= 0.5) == (d.Y[i] == 1) {
					right++
				}
			}
			if acc := float64(right) / float64(d.Rows); acc < tc.acc {
				t.Errorf("training accuracy %v: want at least %v", acc, tc.acc)
			}
			for i := 1; i < len(m.Rounds); i++ {
				if !(m.Rounds[i].TrainLoss < m.Rounds[i-1].TrainLoss) {
					t.Errorf("round %d: train loss %v: want below round %d's %v", i+1, m.Rounds[i].TrainLoss, i, m.Rounds[i-1].TrainLoss)
				}
			}
			if imp := m.Importance(); !(imp[0] > 0.99) {
				t.Errorf("importance %v: want nearly all on feature 0", imp)
			}
		})
	}
}

// TestLeafValues checks a stump on one feature of two values against the
// formulas worked by hand.
func TestLeafValues(t *testing.T) {
	// x = 0: 2 of 10 rows labelled 1; x = 1: 7 of 10.
	d := boost.Data{Rows: 20, Cols: 1}
	for i := range 20 {
		x, y := float32(i/10), float32(0)
		if (x == 0 && i < 2) || (x == 1 && i < 17) {
			y = 1
		}
		d.X = append(d.X, x)
		d.Y = append(d.Y, y)
	}
	const eta, lambda = 0.3, 2.0
	opt := boost.Options{Trees: 1, MaxDepth: 1, LearningRate: eta, Lambda: lambda}

	t.Run("split", func(t *testing.T) {
		m, err := boost.Train(t.Context(), d, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		base := float32(math.Log(9.0 / 11)) // 9 of 20 rows labelled 1
		if m.Base != base {
			t.Errorf("base %v: want the log-odds %v", m.Base, base)
		}
		p := sigmoid(float64(base))
		gl, hl := 10*p-2, 10*p*(1-p)
		gr, hr := 10*p-7, 10*p*(1-p)
		want := gbdt.Tree{
			Feature: []int16{0, gbdt.Leaf, gbdt.Leaf},
			Value:   []float32{0.5, float32(-eta * gl / (hl + lambda)), float32(-eta * gr / (hr + lambda))},
			Left:    []uint16{1, 0, 0},
			Right:   []uint16{2, 0, 0},
		}
		if diff := cmp.Diff([]gbdt.Tree{want}, m.Trees, cmp.Comparer(close32)); diff != "" {
			t.Errorf("trees (-want +got):\n%s", diff)
		}
		score := func(g, h float64) float64 { return g * g / (h + lambda) }
		gain := (score(gl, hl) + score(gr, hr) - score(gl+gr, hl+hr)) / 2
		if math.Abs(m.Gain[0]-gain) > 1e-9*gain {
			t.Errorf("gain %v: want %v", m.Gain[0], gain)
		}
	})
	t.Run("no split", func(t *testing.T) {
		opt := opt
		opt.MinChildWeight = 100 // more than the hessian of all rows
		m, err := boost.Train(t.Context(), d, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		p := sigmoid(float64(m.Base))
		g, h := 20*p-9, 20*p*(1-p)
		want := gbdt.Tree{Feature: []int16{gbdt.Leaf}, Value: []float32{float32(-eta * g / (h + lambda))}, Left: []uint16{0}, Right: []uint16{0}}
		if diff := cmp.Diff([]gbdt.Tree{want}, m.Trees, cmp.Comparer(func(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-7 })); diff != "" {
			t.Errorf("trees (-want +got):\n%s", diff)
		}
		if imp := m.Importance(); imp[0] != 0 {
			t.Errorf("importance %v without a split: want 0", imp)
		}
	})
}

// close32 says whether a and b are equal to float32 rounding.
func close32(a, b float32) bool {
	return math.Abs(float64(a-b)) <= 1e-6*math.Max(math.Abs(float64(a)), math.Abs(float64(b)))
}

func TestPredictMatchesEvaluator(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const cols = 6
	d, _ := logistic(rng, 3000, cols, 0.1)
	for i := range 30 { // some infinities in training too
		d.X[rng.IntN(len(d.X))] = float32(math.Inf(1 - 2*(i%2)))
	}
	m, err := boost.Train(t.Context(), d, nil, boost.Options{Trees: 40, MaxDepth: 5})
	if err != nil {
		t.Fatal(err)
	}
	var thresholds []float32
	for _, tree := range m.Trees {
		for i, f := range tree.Feature {
			if f != gbdt.Leaf {
				thresholds = append(thresholds, tree.Value[i])
			}
		}
	}
	if len(thresholds) == 0 {
		t.Fatal("no splits")
	}
	special := []float32{nan32, float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32, 0, float32(math.Copysign(0, -1)), 1e-40, 1e30}
	x := make([]float32, 0, 5000*cols)
	for range 5000 {
		for range cols {
			var v float32
			switch rng.IntN(4) {
			case 0:
				v = float32(rng.NormFloat64() * 2)
			case 1:
				v = special[rng.IntN(len(special))]
			case 2: // ties go right
				v = thresholds[rng.IntN(len(thresholds))]
			default:
				th := thresholds[rng.IntN(len(thresholds))]
				v = math.Nextafter32(th, float32(math.Inf(-1)))
			}
			x = append(x, v)
		}
	}
	checkEvaluator(t, m, x, cols)
	checkEvaluator(t, m, d.X, cols)
}

// TestTrainLoss checks the losses Train reports against Predict's.
func TestTrainLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	d, _ := logistic(rng, 2000, 5, 0.05)
	v, _ := logistic(rng, 1000, 5, 0.05)
	d.Weight = make([]float32, d.Rows)
	for i := range d.Weight {
		d.Weight[i] = float32(rng.IntN(4)) / 2
	}
	m, err := boost.Train(t.Context(), d, &v, boost.Options{Trees: 20, Subsample: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	last := m.Rounds[len(m.Rounds)-1]
	if got := meanLogLoss(m, d); math.Abs(got-last.TrainLoss) > 1e-12 {
		t.Errorf("train loss %v: Predict gives %v", last.TrainLoss, got)
	}
	if got := meanLogLoss(m, v); math.Abs(got-last.ValidLoss) > 1e-12 {
		t.Errorf("validation loss %v: Predict gives %v", last.ValidLoss, got)
	}
	if m.Best != 20 || len(m.Trees) != 20 || len(m.Rounds) != 20 {
		t.Errorf("best %d, %d trees, %d rounds: want 20 of each", m.Best, len(m.Trees), len(m.Rounds))
	}
}

func TestHeldOutAUC(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const cols = 8
	train, _ := logistic(rng, 5000, cols, 0.05)
	test, z := logistic(rng, 3000, cols, 0.05)
	m, err := boost.Train(t.Context(), train, nil, boost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	scores := make([]float64, test.Rows)
	for i := range scores {
		scores[i] = m.Predict(test.X[i*cols : i*cols+cols])
	}
	got, oracle := auc(scores, test.Y), auc(z, test.Y)
	t.Logf("held-out AUC %.4f; the true margins' %.4f", got, oracle)
	if got < 0.75 || got < oracle-0.04 {
		t.Errorf("held-out AUC %.4f: want at least 0.75 and within 0.04 of the true margins' %.4f", got, oracle)
	}
	imp := m.Importance()
	if sum := imp[0] + imp[1] + imp[2] + imp[3] + imp[4]; sum < 0.8 {
		t.Errorf("importance %v: want most on the 5 features the labels depend on", imp)
	}
}

// TestMissing checks that NaN can carry the signal: a split separates
// missing from present values, and NaN goes right in the evaluator too.
func TestMissing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	d := boost.Data{Rows: 1000, Cols: 1}
	for i := range d.Rows {
		x, y := float32(rng.NormFloat64()), float32(0)
		if i%3 == 0 {
			x, y = nan32, 1
		}
		d.X = append(d.X, x)
		d.Y = append(d.Y, y)
	}
	m, err := boost.Train(t.Context(), d, nil, boost.Options{Trees: 20})
	if err != nil {
		t.Fatal(err)
	}
	if root := m.Trees[0]; root.Feature[0] != 0 || root.Value[0] != math.MaxFloat32 {
		t.Errorf("root splits feature %d at %v: want feature 0 at MaxFloat32", root.Feature[0], root.Value[0])
	}
	if p, q := m.Predict([]float32{nan32}), m.Predict([]float32{0.3}); p < 0.8 || q > 0.2 {
		t.Errorf("P(1) = %v for NaN, %v for 0.3: want above 0.8 and below 0.2", p, q)
	}
	checkEvaluator(t, m, []float32{nan32, 0, 100, float32(math.Inf(-1))}, 1)
}

func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	d, _ := logistic(rng, 3000, 6, 0.05)
	train := func(opt boost.Options) *boost.Model {
		t.Helper()
		m, err := boost.Train(t.Context(), d, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	opt := boost.Options{Trees: 15, Subsample: 0.6, Seed: 1}
	a, b := train(opt), train(opt)
	if diff := cmp.Diff(a, b, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("two runs with seed 1 differ (-first +second):\n%s", diff)
	}
	opt.Seed = 2
	if c := train(opt); cmp.Equal(a.Trees, c.Trees) {
		t.Error("seeds 1 and 2 give the same trees with Subsample 0.6: want different samples")
	}
	// Without subsampling the seed is not used.
	x, y := train(boost.Options{Trees: 5, Seed: 1}), train(boost.Options{Trees: 5, Seed: 2})
	if diff := cmp.Diff(x, y, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("seeds 1 and 2 differ without subsampling (-1 +2):\n%s", diff)
	}
}

func TestEarlyStopping(t *testing.T) {
	// Labels independent of the features: every tree past the first few
	// fits noise, and the validation loss rises.
	rng := rand.New(rand.NewPCG(13, 14))
	noise := func(rows int) boost.Data {
		d := boost.Data{Rows: rows, Cols: 4, X: make([]float32, rows*4), Y: make([]float32, rows)}
		for i := range d.X {
			d.X[i] = rng.Float32()
		}
		for i := range d.Y {
			d.Y[i] = float32(rng.IntN(2))
		}
		return d
	}
	train, valid := noise(400), noise(400)
	const patience = 5
	m, err := boost.Train(t.Context(), train, &valid, boost.Options{Trees: 300, MaxDepth: 6, LearningRate: 0.5, MinChildWeight: 0.1, EarlyStopping: patience})
	if err != nil {
		t.Fatal(err)
	}
	best := 0
	for i, r := range m.Rounds {
		if r.ValidLoss < m.Rounds[best].ValidLoss {
			best = i
		}
	}
	if m.Best != best+1 || len(m.Trees) != m.Best {
		t.Errorf("best %d, %d trees: want the best round, %d, of validation losses %v", m.Best, len(m.Trees), best+1, m.Rounds)
	}
	if len(m.Rounds) != m.Best+patience {
		t.Errorf("%d rounds for best round %d: want training to stop %d rounds after it", len(m.Rounds), m.Best, patience)
	}
	if got, want := meanLogLoss(m, valid), m.Rounds[m.Best-1].ValidLoss; math.Abs(got-want) > 1e-12 {
		t.Errorf("the kept trees' validation loss %v: want round %d's %v", got, m.Best, want)
	}
	// Gain counts the kept trees only.
	full, err := boost.Train(t.Context(), train, &valid, boost.Options{Trees: m.Best, MaxDepth: 6, LearningRate: 0.5, MinChildWeight: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(full.Gain, m.Gain); diff != "" {
		t.Errorf("gain differs from that of %d trees trained without early stopping:\n%s", m.Best, diff)
	}
}

// countdown is a context whose Err turns to Canceled after n calls.
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

func TestTrainCancelled(t *testing.T) {
	d, _ := logistic(rand.New(rand.NewPCG(15, 16)), 500, 3, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for name, ctx := range map[string]context.Context{
		"before":    ctx,
		"after two": &countdown{Context: t.Context(), n: 2},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := boost.Train(ctx, d, nil, boost.Options{Trees: 50})
			if !errors.Is(err, context.Canceled) || m != nil {
				t.Errorf("Train = %v, %v: want nil, context.Canceled", m, err)
			}
		})
	}
}

// TestZeroWeightRows checks that rows of weight 0, however odd their
// features, change nothing, subsampling included.
func TestZeroWeightRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const cols = 4
	d, _ := logistic(rng, 1000, cols, 0.05)
	d.Weight = make([]float32, d.Rows)
	for i := range d.Weight {
		d.Weight[i] = 0.5 + rng.Float32()
	}
	valid, _ := logistic(rng, 300, cols, 0.05)
	padded := boost.Data{Cols: cols}
	for i := range d.Rows {
		for range 1 + rng.IntN(2) { // rows of weight 0 between the others
			for range cols {
				padded.X = append(padded.X, []float32{nan32, 1e30, -7, float32(rng.NormFloat64())}[rng.IntN(4)])
			}
			padded.Y = append(padded.Y, float32(rng.IntN(2)))
			padded.Weight = append(padded.Weight, 0)
		}
		padded.X = append(padded.X, d.X[i*cols:i*cols+cols]...)
		padded.Y = append(padded.Y, d.Y[i])
		padded.Weight = append(padded.Weight, d.Weight[i])
	}
	padded.Rows = len(padded.Y)
	opt := boost.Options{Trees: 20, Subsample: 0.7, Seed: 3, EarlyStopping: 50}
	want, err := boost.Train(t.Context(), d, &valid, opt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := boost.Train(t.Context(), padded, &valid, opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows of weight 0 change the model (-without +with):\n%s", diff)
	}
}

func TestDataValidate(t *testing.T) {
	good := func() boost.Data {
		return boost.Data{X: []float32{0, 1, nan32, 3}, Rows: 2, Cols: 2, Y: []float32{0, 1}, Weight: []float32{1, 2}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("valid data: %v", err)
	}
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name  string
		edit  func(*boost.Data)
		error string
	}{
		{"no rows", func(d *boost.Data) { *d = boost.Data{Cols: 2} }, "no rows"},
		{"negative rows", func(d *boost.Data) { d.Rows = -1 }, "-1 rows"},
		{"no columns", func(d *boost.Data) { d.Cols = 0 }, "0 columns: want 1 to 256"},
		{"too many columns", func(d *boost.Data) { d.Cols = 257 }, "257 columns"},
		{"short X", func(d *boost.Data) { d.X = d.X[:3] }, "3 feature values for 2 rows × 2 columns: want 4"},
		{"labels", func(d *boost.Data) { d.Y = d.Y[:1] }, "1 labels for 2 rows"},
		{"weights", func(d *boost.Data) { d.Weight = []float32{1} }, "1 weights for 2 rows"},
		{"label 2", func(d *boost.Data) { d.Y[1] = 2 }, "row 1: label 2: want 0 or 1"},
		{"label NaN", func(d *boost.Data) { d.Y[0] = nan32 }, "row 0: label NaN"},
		{"negative weight", func(d *boost.Data) { d.Weight[1] = -1 }, "row 1: weight -1: want a finite number ≥ 0"},
		{"infinite weight", func(d *boost.Data) { d.Weight[0] = inf }, "row 0: weight +Inf"},
		{"NaN weight", func(d *boost.Data) { d.Weight[0] = nan32 }, "row 0: weight NaN"},
		{"all weights 0", func(d *boost.Data) { d.Weight = []float32{0, 0} }, "every weight is 0"},
		{"no 1", func(d *boost.Data) { d.Y[1] = 0 }, "no row labelled 1"},
		{"no 0", func(d *boost.Data) { d.Y[0] = 1 }, "no row labelled 0"},
		{"the only 0 weighs nothing", func(d *boost.Data) { d.Weight[0] = 0 }, "no row labelled 0 has a positive weight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.edit(&d)
			err := d.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.error) || !strings.HasPrefix(err.Error(), "boost data: ") {
				t.Errorf("Validate = %v: want boost data: …%s…", err, tc.error)
			}
			if _, err := boost.Train(t.Context(), d, nil, boost.Options{}); err == nil || !strings.Contains(err.Error(), "training data: ") {
				t.Errorf("Train = %v: want the error, about the training data", err)
			}
		})
	}
	t.Run("infinite features", func(t *testing.T) {
		d := good()
		d.X[0], d.X[3] = inf, -inf
		if err := d.Validate(); err != nil {
			t.Errorf("Validate = %v: want infinite features accepted", err)
		}
	})
}

func TestTrainRefuses(t *testing.T) {
	d, _ := logistic(rand.New(rand.NewPCG(19, 20)), 100, 3, 0)
	oneClass := boost.Data{X: []float32{1, 2, 3}, Rows: 1, Cols: 3, Y: []float32{1}}
	narrow := boost.Data{X: []float32{1, 2}, Rows: 1, Cols: 2, Y: []float32{1}}
	for _, tc := range []struct {
		name  string
		valid *boost.Data
		opt   boost.Options
		error string
	}{
		{"trees", nil, boost.Options{Trees: gbdt.MaxTrees + 1}, "options: 4097 trees: want 1 to 4096"},
		{"depth", nil, boost.Options{MaxDepth: gbdt.MaxDepth + 1}, "max depth 17"},
		{"negative depth", nil, boost.Options{MaxDepth: -1}, "max depth -1"},
		{"learning rate", nil, boost.Options{LearningRate: -0.1}, "learning rate -0.1"},
		{"NaN learning rate", nil, boost.Options{LearningRate: math.NaN()}, "learning rate NaN"},
		{"lambda", nil, boost.Options{Lambda: math.Inf(1)}, "lambda +Inf"},
		{"min child weight", nil, boost.Options{MinChildWeight: -1}, "min child weight -1"},
		{"one bin", nil, boost.Options{Bins: 1}, "1 bins: want 2 to 255"},
		{"256 bins", nil, boost.Options{Bins: 256}, "256 bins"},
		{"subsample", nil, boost.Options{Subsample: 1.5}, "subsample 1.5"},
		{"early stopping", nil, boost.Options{EarlyStopping: -1}, "early stopping -1"},
		{"early stopping alone", nil, boost.Options{EarlyStopping: 5}, "early stopping without a validation set"},
		{"validation width", &narrow, boost.Options{}, "validation data: 2 columns: want 3"},
		{"validation labels", &boost.Data{X: []float32{1, 2, 3}, Rows: 1, Cols: 3, Y: []float32{3}}, boost.Options{}, "validation data: row 0: label 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := boost.Train(t.Context(), d, tc.valid, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.error) || m != nil {
				t.Errorf("Train = %v, %v: want nil, an error with %q", m, err, tc.error)
			}
		})
	}
	t.Run("validation of one class", func(t *testing.T) {
		if _, err := boost.Train(t.Context(), d, &oneClass, boost.Options{Trees: 2}); err != nil {
			t.Errorf("Train = %v: want a validation set of one class accepted", err)
		}
	})
}

func TestParams(t *testing.T) {
	d, _ := logistic(rand.New(rand.NewPCG(21, 22)), 500, 3, 0.1)
	m, err := boost.Train(t.Context(), d, nil, boost.Options{Trees: 10})
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Params("ranker-gbdt", "2026-12-05.1", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Params output: %v", err)
	}
	if p.Base != m.Base || !cmp.Equal(p.Trees, m.Trees) {
		t.Error("Params output differs from the model")
	}
	p.Trees[0].Value[0]++ // a copy
	if cmp.Equal(p.Trees, m.Trees) {
		t.Error("Params shares the model's trees: want a copy")
	}
	for _, tc := range []struct {
		name     string
		features []string
		error    string
	}{
		{"Bad Name", []string{"a", "b", "c"}, "boost: params: gbdt params: model metadata: name"},
		{"ranker", []string{"a", "b"}, "2 feature names for a model of 3 features"},
		{"ranker", []string{"a", "b", "a"}, "repeated"},
	} {
		if _, err := m.Params(tc.name, "1", tc.features); err == nil || !strings.Contains(err.Error(), tc.error) {
			t.Errorf("Params(%q, %q) = %v: want an error with %q", tc.name, tc.features, err, tc.error)
		}
	}
}

func TestPredictPanicsOnWidth(t *testing.T) {
	d, _ := logistic(rand.New(rand.NewPCG(23, 24)), 100, 3, 0)
	m, err := boost.Train(t.Context(), d, nil, boost.Options{Trees: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "a row of 2 values for a model of 3 features") {
			t.Errorf("Predict of a short row: recovered %v", r)
		}
	}()
	m.Predict([]float32{1, 2})
}

// TestDeepTrees checks that trees as deep as the format allows stay
// within its node limit.
func TestDeepTrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	d, _ := logistic(rng, 20000, 3, 0)
	for i := range d.Y {
		d.Y[i] = float32(rng.IntN(2)) // noise: nothing stops a split early
	}
	m, err := boost.Train(t.Context(), d, nil, boost.Options{Trees: 2, MaxDepth: gbdt.MaxDepth, MinChildWeight: 1e-6, Bins: 255})
	if err != nil {
		t.Fatal(err)
	}
	for i, tree := range m.Trees {
		if n := len(tree.Feature); n < gbdt.MaxNodes-1 {
			t.Errorf("tree %d: %d nodes: want the limit, %d, nearly reached", i, n, gbdt.MaxNodes)
		}
	}
	if _, err := m.Params("deep", "1", featureNames(3)); err != nil {
		t.Error(err)
	}
}
