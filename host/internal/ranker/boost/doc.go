// Package boost trains gradient-boosted trees for binary classification
// (logistic loss) and hands them over as the parameters of the gbdt
// evaluator (package ranker-wasm/gbdt), which scores them in the ranker
// runtime.
//
// Train starts from the log-odds of the weighted mean label and adds one
// regression tree per round, fitted by Newton steps to the gradients
// g = w(p−y) and hessians h = w·p(1−p) of the current predictions. Trees
// grow depth-wise over histograms of quantile-binned features: a split
// maximises the gain
//
//	½ [GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)]
//
// with at least MinChildWeight hessian on each side, and a leaf outputs
// −LearningRate·G/(H+λ), rounded to float32.
//
// # Bins and thresholds
//
// Each feature's bin edges come once from the training rows with a
// positive weight, ignoring NaN: every distinct value gets its own bin
// when there are at most Bins of them, otherwise the edges sit at weighted
// quantiles. An edge is a float32 strictly above the largest value below
// it and at most the smallest value above it (their midpoint when float32
// can hold one), so the evaluator's x < edge, compared in float32, sends
// every training value to the side the trainer sent it. NaN, a missing
// value, has a bin of its own that always goes right, as NaN does in the
// evaluator. When a feature has missing values, one extra edge,
// math.MaxFloat32, lets a split separate missing from present values.
//
// # Determinism
//
// Training is sequential and deterministic: the same data and Options
// give bit-identical trees. Row subsampling (Subsample < 1) draws exactly
// round(Subsample·rows) rows per tree from a PCG generator seeded with
// Seed. Rows with weight 0 are dropped before anything else, so they have
// no effect at all.
//
// # Use
//
//	m, err := boost.Train(ctx, train, &valid, boost.Options{EarlyStopping: 20})
//	if err != nil {
//		return err
//	}
//	p, err := m.Params("ranker-gbdt", "2026-12-05.1", featureNames)
//	if err != nil {
//		return err
//	}
//	blob := gbdt.Encode(p)
package boost
