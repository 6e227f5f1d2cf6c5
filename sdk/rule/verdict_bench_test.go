package rule

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
)

// syntheticVerdicts are verdicts of n candidates, half of them with one or
// two violations, as a violation-heavy batch gets back from a plugin.
func syntheticVerdicts(n int) []Verdict {
	ids := []string{"can_work", "qualified", "one_core_per_day", "no_overlap"}
	vs := make([]Verdict, n)
	for i := range vs {
		if i%2 == 0 {
			continue
		}
		for k := range 1 + i%3/2 {
			vs[i].Violations = append(vs[i].Violations, Violation{
				Rule: ids[(i+k)%len(ids)], Severity: Hard,
				Message: fmt.Sprintf("Employee %d is on time off from 2026-03-%02d to 2026-03-%02d", i, 1+i%20, 2+i%20),
			})
		}
	}
	return vs
}

// The reply's share of a call: a plugin encodes and marshals the verdicts
// of 10,000 candidates, the host unmarshals and decodes them.
func BenchmarkVerdictsRoundTrip10k(b *testing.B) {
	vs := syntheticVerdicts(10000)
	b.ReportAllocs()
	for b.Loop() {
		raw, err := proto.Marshal(encodeVerdicts(vs))
		if err != nil {
			b.Fatal(err)
		}
		var resp rulev1.CheckResponse
		if err := proto.Unmarshal(raw, &resp); err != nil {
			b.Fatal(err)
		}
		if _, err := decodeVerdicts(&resp, len(vs)); err != nil {
			b.Fatal(err)
		}
	}
}
