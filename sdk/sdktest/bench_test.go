package sdktest_test

import (
	"testing"

	"github.com/crewplan/crewplan/sdk/internal/examplerule"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// The transport's cost for one scheduling step of 10,000 candidates: the
// same trivial rule in-process, over in-memory gRPC, and in a plugin
// process (loopback gRPC through go-plugin).

func benchCheck(b *testing.B, r rule.Rule) { benchCheckKey(b, r, 0) }

// benchCheckKey gives the batch a ContextKey: the plugin is sent the
// events and employees once, then only each step's candidates and
// assignments, as within a run.
func benchCheckKey(b *testing.B, r rule.Rule, key uint64) {
	batch := sdktest.SyntheticBatch(10000)
	batch.ContextKey = key
	b.ReportAllocs()
	for b.Loop() {
		vs, err := r.Check(b.Context(), batch)
		if err != nil || len(vs) != len(batch.Candidates) {
			b.Fatalf("check: %d verdicts, %v", len(vs), err)
		}
	}
}

func BenchmarkCheck10kInProcess(b *testing.B) { benchCheck(b, examplerule.Pass{}) }

func BenchmarkCheck10kGRPC(b *testing.B) {
	benchCheck(b, sdktest.ServeInProcessGRPC(b, examplerule.Pass{}))
}

func BenchmarkCheck10kPlugin(b *testing.B) {
	benchCheck(b, sdktest.Launch(b, exampleBinary(b), "pass"))
}

func BenchmarkCheck10kGRPCContextKept(b *testing.B) {
	benchCheckKey(b, sdktest.ServeInProcessGRPC(b, examplerule.Pass{}), 1)
}

func BenchmarkCheck10kPluginContextKept(b *testing.B) {
	benchCheckKey(b, sdktest.Launch(b, exampleBinary(b), "pass"), 1)
}

// The example rule does real work and reports violations.

func BenchmarkCheck10kExampleInProcess(b *testing.B) { benchCheck(b, &examplerule.Availability{}) }

func BenchmarkCheck10kExamplePlugin(b *testing.B) {
	benchCheck(b, sdktest.Launch(b, exampleBinary(b)))
}

func BenchmarkCheck10kExamplePluginContextKept(b *testing.B) {
	benchCheckKey(b, sdktest.Launch(b, exampleBinary(b)), 1)
}
