package rulespairing_test

import (
	"github.com/crewplan/crewplan/plugins/internal/ruletest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

func TestCheckOverGRPC(t *testing.T) {
	b := ruletest.BigBatch(2000)
	want := check(t, rulespairing.New(), b)
	remote := sdktest.ServeInProcessGRPC(t, rulespairing.New())
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
