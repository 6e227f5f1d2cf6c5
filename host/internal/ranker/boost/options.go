package boost

import (
	"errors"
	"fmt"
	"math"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

// Options tune Train. A zero field takes its default.
type Options struct {
	Trees          int     // boosting rounds: 1 to gbdt.MaxTrees; default 100
	MaxDepth       int     // splits from root to leaf: 1 to gbdt.MaxDepth; default 4
	LearningRate   float64 // shrinkage of every leaf value, > 0; default 0.1
	Lambda         float64 // L2 penalty on leaf values, > 0; default 1
	MinChildWeight float64 // least hessian sum on each side of a split, > 0; default 1
	Bins           int     // histogram bins per feature: 2 to 255; default 64
	Subsample      float64 // fraction of the rows each tree sees, in (0, 1]; default 1
	Seed           uint64  // seeds the row subsampling
	// EarlyStopping stops training after this many rounds without a lower
	// validation loss and keeps the trees up to the best round; 0 turns it
	// off. It needs a validation set.
	EarlyStopping int
}

// The defaults of Options.
const (
	DefaultTrees          = 100
	DefaultMaxDepth       = 4
	DefaultLearningRate   = 0.1
	DefaultLambda         = 1
	DefaultMinChildWeight = 1
	DefaultBins           = 64
	DefaultSubsample      = 1
)

// MaxBins is the most histogram bins per feature.
const MaxBins = 255

// withDefaults returns o with its zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Trees == 0 {
		o.Trees = DefaultTrees
	}
	if o.MaxDepth == 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.LearningRate == 0 {
		o.LearningRate = DefaultLearningRate
	}
	if o.Lambda == 0 {
		o.Lambda = DefaultLambda
	}
	if o.MinChildWeight == 0 {
		o.MinChildWeight = DefaultMinChildWeight
	}
	if o.Bins == 0 {
		o.Bins = DefaultBins
	}
	if o.Subsample == 0 {
		o.Subsample = DefaultSubsample
	}
	return o
}

// validate reports what is wrong with o after withDefaults; valid says
// whether there is a validation set.
func (o Options) validate(valid bool) error {
	positive := func(v float64) bool { return v > 0 && !math.IsInf(v, 1) } // false for NaN
	switch {
	case o.Trees < 1 || o.Trees > gbdt.MaxTrees:
		return fmt.Errorf("%d trees: want 1 to %d", o.Trees, gbdt.MaxTrees)
	case o.MaxDepth < 1 || o.MaxDepth > gbdt.MaxDepth:
		return fmt.Errorf("max depth %d: want 1 to %d", o.MaxDepth, gbdt.MaxDepth)
	case !positive(o.LearningRate):
		return fmt.Errorf("learning rate %v: want a finite number > 0", o.LearningRate)
	case !positive(o.Lambda):
		return fmt.Errorf("lambda %v: want a finite number > 0", o.Lambda)
	case !positive(o.MinChildWeight):
		return fmt.Errorf("min child weight %v: want a finite number > 0", o.MinChildWeight)
	case o.Bins < 2 || o.Bins > MaxBins:
		return fmt.Errorf("%d bins: want 2 to %d", o.Bins, MaxBins)
	case !(o.Subsample > 0 && o.Subsample <= 1):
		return fmt.Errorf("subsample %v: want a fraction in (0, 1]", o.Subsample)
	case o.EarlyStopping < 0:
		return fmt.Errorf("early stopping %d: want 0 (off) or more rounds", o.EarlyStopping)
	case o.EarlyStopping > 0 && !valid:
		return errors.New("early stopping without a validation set: pass one, or set EarlyStopping to 0")
	}
	return nil
}
