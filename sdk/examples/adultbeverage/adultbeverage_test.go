package adultbeverage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crewplan/crewplan/sdk/examples/adultbeverage"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

func batch() *rule.Batch {
	return &rule.Batch{
		Events: []rule.Event{
			{Ref: 1, Name: "600001-CF-Red Wine (123456789012) - V2-CORE", Type: rule.EventCore},
			{Ref: 2, Name: "600002-CF-Craft beer sampler - V2-CORE", Type: rule.EventCore},
			{Ref: 3, Name: "600003-CF-Apple Slices - V2-CORE", Type: rule.EventCore},
			{Ref: 4, Name: "600004-CF-Hard Cider - V2-CORE", Type: rule.EventCore},
		},
		Employees: []rule.Employee{
			{ID: "T", Name: "Tess Trained", Attributes: map[string]string{adultbeverage.TrainedAttribute: "true"}},
			{ID: "U", Name: "Uli Untrained", Attributes: map[string]string{adultbeverage.TrainedAttribute: "false"}},
		},
		Candidates: []rule.Candidate{
			{Event: 1, Employee: "T"}, {Event: 1, Employee: "U"}, {Event: 2, Employee: "U"},
			{Event: 3, Employee: "U"}, {Event: 4, Employee: "U"}, {Event: 99, Employee: "U"},
		},
	}
}

func failing(vs []rule.Verdict) []bool {
	out := make([]bool, len(vs))
	for i, v := range vs {
		out[i] = !v.OK()
	}
	return out
}

func TestCheck(t *testing.T) {
	want := []bool{false, true, true, false, false, false}
	// In process, over in-memory gRPC, and as a real plugin binary.
	bin := sdktest.Build(t, "github.com/crewplan/crewplan/sdk/examples/adultbeverage/cmd")
	for name, r := range map[string]rule.Rule{
		"in process":    adultbeverage.New(),
		"grpc":          sdktest.ServeInProcessGRPC(t, adultbeverage.New()),
		"plugin binary": sdktest.Launch(t, bin),
	} {
		t.Run(name, func(t *testing.T) {
			vs := sdktest.Check(t, r, batch())
			got := failing(vs)
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("candidate %d fails = %v, want %v (%+v)", i, got[i], want[i], vs[i])
				}
			}
			if v := vs[1].Violations[0]; v.Rule != adultbeverage.RuleID || v.Severity != rule.Hard || v.Message == "" {
				t.Errorf("violation = %+v", v)
			}
		})
	}
}

func TestConfigure(t *testing.T) {
	ctx := context.Background()
	r := adultbeverage.New()
	if err := r.Configure(ctx, []byte(`{"keywords":["cider"]}`)); err != nil {
		t.Fatal(err)
	}
	got := failing(sdktest.Check(t, r, batch()))
	if !got[4] || got[1] {
		t.Errorf("with keywords [cider]: %v", got)
	}
	for _, bad := range []string{`{"keyword":["x"]}`, `{"keywords":[""]}`, `{"keywords":[]}`, `[1]`} {
		if err := adultbeverage.New().Configure(ctx, []byte(bad)); !errors.Is(err, plugin.ErrBadConfig) {
			t.Errorf("Configure(%s) = %v, want ErrBadConfig", bad, err)
		}
	}
	if err := r.SelfTest(ctx); err != nil {
		t.Error(err)
	}
}
