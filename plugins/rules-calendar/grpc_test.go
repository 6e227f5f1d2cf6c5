package rulescalendar_test

import (
	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

func TestCheckOverGRPC(t *testing.T) {
	b := ruletest.BigBatch(2000)
	want := check(t, rulescalendar.New(), b)
	remote := sdktest.ServeInProcessGRPC(t, rulescalendar.New())
	if err := remote.Configure(t.Context(), []byte("{}")); err != nil {
		t.Fatalf("Configure over gRPC: %v", err)
	}
	if err := remote.SelfTest(t.Context()); err != nil {
		t.Fatalf("SelfTest over gRPC: %v", err)
	}
	got := sdktest.Check(t, remote, ruletest.BigBatch(2000))
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("over gRPC (-in-process +gRPC):\n%s", diff)
	}
}
