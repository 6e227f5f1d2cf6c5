package rulesworkload_test

import (
	"testing"

	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
)

func BenchmarkCheck10k(b *testing.B) {
	ruletest.Bench(b, rulesworkload.New(), ruletest.BigBatch(10000), false)
}

// BenchmarkCheck10kFresh includes building the batch's lookups.
func BenchmarkCheck10kFresh(b *testing.B) {
	ruletest.Bench(b, rulesworkload.New(), ruletest.BigBatch(10000), true)
}

// BenchmarkCheck10kPassing checks 10,000 candidates that all pass.
func BenchmarkCheck10kPassing(b *testing.B) {
	r := rulesworkload.New()
	ruletest.Bench(b, r, ruletest.Passing(b, r, ruletest.BigBatch(10000)), false)
}
