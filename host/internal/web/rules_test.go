package web_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/host/internal/web"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

// TestManualChangesAskTheRules posts and moves schedules by hand: a change
// that breaks a hard rule is refused with the rule's message, a scheduler
// cannot override it, an admin can with a reason the audit log keeps, and
// the verification panel then reports the overridden assignment.
func TestManualChangesAskTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seed(t, st)
		e := newEnv(t, st)
		// E02 is a juicer: not qualified for the supervisor check-in.
		bad := `{"event":612104,"employee":"E02","at":"2026-03-04T12:00"}`
		before := e.snapshot(t)
		r := e.do(t, e.sched, "POST", "/api/schedules", bad).want(t, 422)
		body := r.apiError(t)
		if len(body.Fields) == 0 || body.Fields[0].Field != "rule.qualified" || !strings.Contains(body.Error, "override_reason") {
			t.Errorf("refusal = %+v", body)
		}
		e.do(t, e.sched, "POST", "/api/schedules", strings.TrimSuffix(bad, "}")+`,"override_reason":"only one on shift"}`).want(t, 403)
		if after := e.snapshot(t); after != before {
			t.Error("a refused change wrote something")
		}
		r = e.do(t, e.admin, "POST", "/api/schedules", strings.TrimSuffix(bad, "}")+`,"override_reason":"only one on shift"}`).want(t, 201)
		var ps struct {
			ID             int64  `json:"id"`
			OverrideReason string `json:"override_reason"`
		}
		r.decode(t, &ps)
		if ps.OverrideReason != "only one on shift (overrides qualified, supervisor_pairing)" {
			t.Errorf("stored override = %q", ps.OverrideReason)
		}
		audit, err := st.ListAudit(ctx, store.AuditFilter{Entity: "posted_schedule", EntityID: strconv.FormatInt(ps.ID, 10)})
		if err != nil || len(audit) != 1 || !strings.Contains(audit[0].Reason, "only one on shift") || audit[0].Actor != "admin" {
			t.Errorf("audit = %+v, %v", audit, err)
		}
		// The verification panel flags the overridden assignment.
		var v struct {
			Findings []struct {
				Event      int64 `json:"event"`
				Violations []struct {
					Rule     string `json:"rule"`
					Severity string `json:"severity"`
				} `json:"violations"`
			} `json:"findings"`
		}
		e.do(t, e.view, "GET", "/api/verify?from=2026-03-01&to=2026-03-31", "").want(t, 200).decode(t, &v)
		if len(v.Findings) != 1 || v.Findings[0].Event != supRef || v.Findings[0].Violations[0].Severity != "hard" {
			t.Errorf("findings = %+v", v.Findings)
		}
		// A lawful change goes through: the core to the lead on its window.
		e.do(t, e.sched, "POST", "/api/schedules", `{"event":612103,"employee":"E01","at":"2026-03-04T09:45"}`).want(t, 201)
		// Moving it past the due date breaks the window.
		r = e.do(t, e.sched, "GET", "/api/schedules?from=2026-03-04&to=2026-03-04&employee=E01", "").want(t, 200)
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		r.decode(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("schedules = %+v", list)
		}
		path := "/api/schedules/" + strconv.FormatInt(list.Items[0].ID, 10)
		body = e.do(t, e.sched, "PUT", path, `{"at":"2026-03-12T09:45"}`).want(t, 422).apiError(t)
		if body.Fields[0].Field != "rule.window" {
			t.Errorf("move past due = %+v", body)
		}
		e.do(t, e.sched, "PUT", path, `{"at":"2026-03-05T10:30"}`).want(t, 200)
		e.do(t, e.view, "GET", "/api/verify?from=2026-03-01", "").want(t, 400)
	})
}

// TestNoRulesNoChanges: a server without its rule engine refuses every
// change to the schedule rather than make it unchecked.
func TestNoRulesNoChanges(t *testing.T) {
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st, func(o *web.Options) { o.Rules = nil })
	body := e.do(t, e.admin, "POST", "/api/schedules", `{"event":612103,"employee":"E01","at":"2026-03-04T09:45"}`).want(t, 503).apiError(t)
	if !strings.Contains(body.Error, "rules") {
		t.Errorf("error = %q", body.Error)
	}
	e.do(t, e.view, "GET", "/api/verify?from=2026-03-01&to=2026-03-07", "").want(t, 503)
}

func TestListPlugins(t *testing.T) {
	st := storetest.SQLite(t)
	e := newEnv(t, st, func(o *web.Options) {
		o.Plugins = func() []pluginhost.Status {
			return []pluginhost.Status{{Name: "rules-calendar", Builtin: true, Healthy: true, PID: 42}}
		}
	})
	var list struct {
		Items []pluginhost.Status `json:"items"`
	}
	e.do(t, e.view, "GET", "/api/plugins", "").want(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Name != "rules-calendar" || !list.Items[0].Healthy {
		t.Errorf("plugins = %+v", list)
	}
}

// failingRule is a rule whose plugin cannot answer.
type failingRule struct{}

func (failingRule) Info(context.Context) (plugin.Info, error) { return plugin.Info{Name: "dead"}, nil }
func (failingRule) Configure(context.Context, []byte) error   { return nil }
func (failingRule) Check(context.Context, *rule.Batch) ([]rule.Verdict, error) {
	return nil, errors.New("plugin process died and could not be restarted")
}

// TestRulesThatCannotAnswerChangeNothing: when a rule plugin fails, a
// manual change is refused (503, naming the plugin) and nothing is written.
func TestRulesThatCannotAnswerChangeNothing(t *testing.T) {
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st, func(o *web.Options) {
		o.Rules = rules.NewEngine(rules.Named{Name: "rules-people", Rule: failingRule{}})
	})
	before := e.snapshot(t)
	body := e.do(t, e.admin, "POST", "/api/schedules", `{"event":612103,"employee":"E01","at":"2026-03-04T09:45","override_reason":"urgent"}`).want(t, 503).apiError(t)
	if !strings.Contains(body.Error, "rules-people") {
		t.Errorf("error = %q; want it to name the plugin", body.Error)
	}
	if e.snapshot(t) != before {
		t.Error("a change went through while its rules could not answer")
	}
}

// TestManualChangeOutsideTheEventsWeeks: a placement weeks away from the
// event's window is refused by the window rule with the event's facts, not
// for want of the event in the batch.
func TestManualChangeOutsideTheEventsWeeks(t *testing.T) {
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st)
	r := e.do(t, e.sched, "POST", "/api/schedules", `{"event":612103,"employee":"E01","at":"2026-05-20T09:45"}`).want(t, 422)
	body := r.apiError(t)
	var ids []string
	for _, f := range body.Fields {
		ids = append(ids, f.Field)
	}
	if !slices.Contains(ids, "rule.window") || slices.Contains(ids, "rule.qualified") {
		t.Errorf("refusal fields %v, want rule.window and no rule.qualified: %+v", ids, body)
	}
	if strings.Contains(body.Error+fmt.Sprint(body.Fields), "not in the batch") {
		t.Errorf("the event was missing from the batch: %+v", body)
	}
}
