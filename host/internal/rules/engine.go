package rules

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// ErrRule means a rule could not decide (it failed, or answered nonsense):
// the check as a whole has no answer, and a run that meets it stops and
// writes nothing.
var ErrRule = errors.New("rule failed")

// Named is a rule with the name it is known by in errors and logs.
type Named struct {
	Name string
	Rule rule.Rule
}

// Engine asks every rule about a batch and merges their verdicts.
type Engine struct {
	rules []Named
}

// NewEngine returns an engine over rules, asked in this order (the order of
// violations in a result).
func NewEngine(rules ...Named) *Engine { return &Engine{rules: rules} }

// Rules returns the engine's rules.
func (e *Engine) Rules() []Named { return e.rules }

// Batch builds the rule batch of candidates against snap, with proposed
// assignments (a run's own proposals so far) added to the posted ones.
func (snap *Snapshot) Batch(mode rule.Mode, cands []rule.Candidate, proposed []rule.Assignment) *rule.Batch {
	as := snap.Posted
	if len(proposed) > 0 {
		as = make([]rule.Assignment, 0, len(snap.Posted)+len(proposed))
		as = append(as, snap.Posted...)
		as = append(as, proposed...)
	}
	return &rule.Batch{
		Now: snap.Now, Mode: mode, Settings: snap.Settings, Candidates: cands,
		Events: snap.Events, Employees: snap.Employees, Assignments: as,
		Holidays: snap.Holidays, LockedDays: snap.LockedDays,
	}
}

// Check asks every rule about b, at once, and returns one merged verdict
// per candidate. Any rule that fails or answers with the wrong number of
// verdicts fails the whole check with an error naming it: a check never
// goes on without one of its rules.
func (e *Engine) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
	if len(e.rules) == 0 {
		return nil, fmt.Errorf("%w: no rules are loaded", ErrRule)
	}
	answers := make([][]rule.Verdict, len(e.rules))
	errs := make([]error, len(e.rules))
	var wg sync.WaitGroup
	for i, r := range e.rules {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vs, err := r.Rule.Check(ctx, b)
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("%w: %s: %w", ErrRule, r.Name, err)
			case len(vs) != len(b.Candidates):
				errs[i] = fmt.Errorf("%w: %s answered %d verdicts for %d candidates", ErrRule, r.Name, len(vs), len(b.Candidates))
			default:
				answers[i] = vs
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return merge(answers, len(b.Candidates)), nil
}

// merge joins the rules' answers about n candidates: a candidate's
// violations are those of the first rule, then the second's, and so on.
// They share one backing array; each verdict's slice is capped, so
// appending to one never writes into another's.
func merge(answers [][]rule.Verdict, n int) []rule.Verdict {
	out := make([]rule.Verdict, n)
	total := 0
	for _, vs := range answers {
		for j := range vs {
			total += len(vs[j].Violations)
		}
	}
	if total == 0 {
		return out
	}
	all := make([]rule.Violation, 0, total)
	for j := range out {
		start := len(all)
		for _, vs := range answers {
			all = append(all, vs[j].Violations...)
		}
		if len(all) > start {
			out[j].Violations = all[start:len(all):len(all)]
		}
	}
	return out
}

// Finding is a posted assignment that breaks a rule.
type Finding struct {
	Event      int64            `json:"event"`
	Employee   string           `json:"employee"`
	Date       civil.Date       `json:"date"`
	Start      civil.Clock      `json:"start"`
	Violations []rule.Violation `json:"violations"`
}

// Verify checks every posted assignment of snap between from and to
// against every rule, each against the rest of the schedule, in
// rule.ModeVerify: rules about changing the schedule (the earliest day,
// locked days) do not apply to what is already posted.
func (e *Engine) Verify(ctx context.Context, snap *Snapshot, from, to civil.Date) ([]Finding, error) {
	var cands []rule.Candidate
	for _, a := range snap.Posted {
		if a.Date < from || a.Date > to {
			continue
		}
		// Replaces is the assignment's own event: it is checked as if it
		// were being placed, without counting against itself.
		cands = append(cands, rule.Candidate{Event: a.Event, Employee: a.Employee, Date: a.Date, Start: a.Start, Replaces: a.Event})
	}
	if len(cands) == 0 {
		return nil, nil
	}
	vs, err := e.Check(ctx, snap.Batch(rule.ModeVerify, cands, nil))
	if err != nil {
		return nil, err
	}
	var out []Finding
	for i, v := range vs {
		if !v.OK() {
			c := cands[i]
			out = append(out, Finding{Event: c.Event, Employee: c.Employee, Date: c.Date, Start: c.Start, Violations: v.Violations})
		}
	}
	return out, nil
}
