package scheduler_test

import (
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/scheduler"
)

func TestTmpBig(t *testing.T) {
	sc, err := scenario.Generate(scenario.GenerateOptions{Employees: 500, Weeks: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	in := loadScenario(t, sc)
	t0 := time.Now()
	clear(scheduler.Debug)
	res := run(t, in, scheduler.Options{})
	t.Logf("%v placed %d failed %d batches %d cands %d", time.Since(t0), res.Stats.Placed, res.Stats.Failed, res.Stats.Batches, res.Stats.Candidates)
	d := map[string]int{}
	for k, v := range scheduler.Debug {
		if len(k) > 2 && (k[:2] == "ca" || k[:2] == "ma" || k[:2] == "ch" || k[:2] == "un") {
			d[k] = v
		}
	}
	t.Log(d)
}
