package scheduler_test

import (
	"fmt"
	"testing"

	"github.com/crewplan/crewplan/host/internal/scheduler"
)

// benchRun runs the scenario at path, b.N times, with the rules in process.
func benchRun(b *testing.B, path string, step int) {
	_, in := load(b, path)
	b.ReportAllocs()
	var res *scheduler.Result
	for b.Loop() {
		res = run(b, in, scheduler.Options{StepSize: step, ContextKey: 7})
	}
	b.ReportMetric(float64(res.Stats.Placed), "placed")
	b.ReportMetric(float64(res.Stats.Batches), "batches")
	b.ReportMetric(float64(res.Stats.Candidates), "candidates")
}

func BenchmarkClubWeekInProcess(b *testing.B) {
	for _, step := range []int{1, 8} {
		b.Run(fmt.Sprint("step=", step), func(b *testing.B) { benchRun(b, "../../../testdata/scenarios/club-week.json", step) })
	}
}

func BenchmarkRegionMonthInProcess(b *testing.B) {
	for _, step := range []int{1, 8} {
		b.Run(fmt.Sprint("step=", step), func(b *testing.B) { benchRun(b, "../../../testdata/scenarios/region-month.json", step) })
	}
}
