package rule_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/internal/examplerule"
	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// spy records whether each batch came with its context; when forgetful,
// it serves batches without context from a new server, as a restarted
// plugin would.
type spy struct {
	rulev1.RuleServiceServer
	r         rule.Rule
	forgetful bool

	mu   sync.Mutex
	full []bool
}

func (s *spy) Check(ctx context.Context, req *rulev1.CheckRequest) (*rulev1.CheckResponse, error) {
	omitted := req.GetBatch().GetContextOmitted()
	s.mu.Lock()
	s.full = append(s.full, !omitted)
	s.mu.Unlock()
	if omitted && s.forgetful {
		return rule.NewServer(s.r).Check(ctx, req)
	}
	return s.RuleServiceServer.Check(ctx, req)
}

func TestContextSentOnce(t *testing.T) {
	r := &examplerule.Availability{}
	b := sdktest.SyntheticBatch(500)
	b.Candidates = append(b.Candidates, rule.Candidate{Employee: "ghost", Date: b.Holidays[0]})
	want := sdktest.Check(t, r, b)

	tests := []struct {
		name      string
		key       uint64
		forgetful bool
		full      []bool
	}{
		{"no key", 0, false, []bool{true, true, true}},
		{"key", 7, false, []bool{true, false, false}},
		{"plugin forgot", 7, true, []bool{true, false, true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &spy{RuleServiceServer: rule.NewServer(r), r: r, forgetful: tt.forgetful}
			c := serveRaw(t, s)
			b.ContextKey = tt.key
			for range 3 {
				got, err := c.Check(t.Context(), b)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("(-in-process +plugin):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.full, s.full); diff != "" {
				t.Errorf("batches sent in full (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContextKeysEvicted(t *testing.T) {
	r := &examplerule.Availability{}
	c := sdktest.ServeInProcessGRPC(t, r)
	// Six contexts, each with its own holiday; the plugin keeps four.
	for round := range 2 {
		for k := range 6 {
			b := sdktest.SyntheticBatch(50)
			b.Holidays = []civil.Date{b.Candidates[k].Date}
			b.ContextKey = uint64(k + 1)
			want := sdktest.Check(t, r, b)
			if got := sdktest.Check(t, c, b); !cmp.Equal(want, got, cmpopts.EquateEmpty()) {
				t.Fatalf("round %d key %d: verdicts differ from in-process", round, k+1)
			}
		}
	}
}

// A Context set on batches shares its lookups; Reindex drops it.
func TestSetContext(t *testing.T) {
	b := fullBatch()
	c := rule.NewContext(b.Events, b.Employees, b.Holidays, b.LockedDays)
	var x, y rule.Batch
	x.SetContext(c)
	y.SetContext(c)
	for _, bb := range []*rule.Batch{&x, &y} {
		if len(bb.Events) != len(b.Events) || bb.Event(b.Events[0].Ref) != &b.Events[0] {
			t.Fatalf("batch with a context: events %d, Event(%d) = %p, want %p", len(bb.Events), b.Events[0].Ref, bb.Event(b.Events[0].Ref), &b.Events[0])
		}
		if bb.Employee(b.Employees[0].ID) != &b.Employees[0] {
			t.Fatal("batch with a context does not find its employee")
		}
	}
	x.Events = nil
	x.Reindex()
	if x.Event(b.Events[0].Ref) != nil {
		t.Fatal("Reindex kept the context's lookups after the batch's events changed")
	}
}
