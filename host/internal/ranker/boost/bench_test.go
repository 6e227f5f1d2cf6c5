package boost_test

import (
	"math/rand/v2"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/boost"
)

// BenchmarkTrain40k trains 100 trees of depth 4 on 40,000 rows of 35
// features, 2% of them missing.
func BenchmarkTrain40k(b *testing.B) {
	d, _ := logistic(rand.New(rand.NewPCG(41, 42)), 40000, 35, 0.02)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := boost.Train(b.Context(), d, nil, boost.Options{Trees: 100, MaxDepth: 4}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrain40kSubsample is BenchmarkTrain40k with each tree seeing
// half the rows, and a validation set of 10,000 rows.
func BenchmarkTrain40kSubsample(b *testing.B) {
	rng := rand.New(rand.NewPCG(43, 44))
	d, _ := logistic(rng, 40000, 35, 0.02)
	v, _ := logistic(rng, 10000, 35, 0.02)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := boost.Train(b.Context(), d, &v, boost.Options{Trees: 100, MaxDepth: 4, Subsample: 0.5}); err != nil {
			b.Fatal(err)
		}
	}
}
