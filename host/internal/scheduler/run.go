package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Options tune a run without changing its result.
type Options struct {
	// StepSize is how many events one rule batch may decide (default 1).
	// A step stops early where a decision could depend on an earlier one
	// of the same step, so the result is the same for every step size;
	// on the shared scenarios larger steps do not pay yet (each stop
	// throws away the verdicts of the rest of the step), see
	// docs/benchmarks.md.
	StepSize int
	// ContextKey names the run's rule context (events, employees,
	// calendar) so the plugins keep it between batches; 0 sends it with
	// every batch.
	ContextKey uint64
}

// Run places in.ToPlace and returns the proposals and failures. It fails
// only when the rules cannot be asked (a plugin that cannot answer) or ctx
// ends; it then returns no result at all.
func Run(ctx context.Context, in *Input, check Checker, rank Ranker, opt Options) (*Result, error) {
	if in == nil || in.Snapshot == nil {
		return nil, errors.New("schedule: no input")
	}
	if rank == nil {
		rank = RuleRanking{}
	}
	if opt.StepSize <= 0 {
		opt.StepSize = 1
	}
	r := &runner{ctx: ctx, s: newState(in), check: check, rank: rank, opt: opt,
		stats: Stats{Ranker: rank.Name(), Fallbacks: map[string]int{}}}
	if err := r.run(); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// runner is one run in progress.
type runner struct {
	ctx   context.Context
	s     *state
	check Checker
	rank  Ranker
	opt   Options
	stats Stats

	queue []int64       // events still to place, in priority order
	stage map[int64]int // 1 once an event's first day failed
	// why holds, per event, the violations that kept each employee off it
	// (the first one found), for its failure reason.
	why map[int64]*reasons
	// unverified are placements made together in the last step, checked
	// again together with the next batch.
	unverified []int64
	// frontier is, per event type, the day the last event of that type
	// was placed on.
	frontier map[rule.EventType]civil.Date
	// split is, per event, the last of its first days, fixed when they
	// are first asked about.
	split map[int64]civil.Date
	// sequential is set when a step's placements did not hold together:
	// from then on every step decides one event.
	sequential bool
}

func storeType(t rule.EventType) store.EventType { return store.EventType(t) }

func (r *runner) run() error {
	s := r.s
	r.stage = make(map[int64]int)
	r.frontier = make(map[rule.EventType]civil.Date)
	r.split = make(map[int64]civil.Date)
	r.why = make(map[int64]*reasons)
	seen := make(map[int64]bool, len(s.in.ToPlace))
	for _, ref := range s.in.ToPlace {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		if s.events[ref] == nil {
			s.failures[ref] = fmt.Sprintf("event %d is not in the run's data", ref)
			continue
		}
		r.queue = append(r.queue, ref)
	}
	r.stats.Considered = len(seen)
	slices.SortFunc(r.queue, s.priority)
	for len(r.queue) > 0 || len(r.unverified) > 0 {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		if err := r.step(); err != nil {
			return err
		}
	}
	return r.repair()
}

// cand is a candidate placement with what it is for.
type cand struct {
	rule.Candidate
	tier int
	// verify marks a placement made in the last step, checked again.
	verify bool
}

// step decides the next events of the queue with one rule batch.
func (r *runner) step() error {
	s := r.s
	size := r.opt.StepSize
	if r.sequential {
		size = 1
	}
	var group []int64
	var cands []cand
	for _, ref := range r.queue {
		if len(group) == size {
			break
		}
		ev := s.events[ref]
		if ev.Type == rule.EventSupervisor && r.coreUnresolved(ref, group) {
			continue // it waits for its core
		}
		group = append(group, ref)
		cands = append(cands, r.candidates(ref)...)
	}
	nv := len(r.unverified)
	for _, ref := range r.unverified {
		a := s.current[ref]
		cands = append(cands, cand{Candidate: rule.Candidate{Event: ref, Employee: a.Employee, Date: a.Date, Start: a.Start, Replaces: ref}, verify: true})
	}
	if len(group) == 0 && nv == 0 {
		// Only supervisors whose cores never resolve: they fail below.
		return r.failWaiting()
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return err
	}
	if nv > 0 {
		if !r.verified(cands, vs) {
			return nil // the step is undone; decide again with fresh verdicts
		}
	}
	// Decide the group's events in order, with their verdicts.
	byEvent := make(map[int64][]int, len(group))
	for i := range cands {
		if !cands[i].verify {
			byEvent[cands[i].Event] = append(byEvent[cands[i].Event], i)
		}
	}
	used := make(map[string]bool)
	var placed []int64
	done := 0
	for _, ref := range group {
		p, outcome, err := r.decide(ref, cands, vs, byEvent[ref], used)
		if err != nil {
			return err
		}
		if outcome == wait {
			break // a later event could depend on this one: next step
		}
		done++
		r.dequeue(ref)
		if outcome == placedIt {
			used[p.Employee] = true
			placed = append(placed, ref)
		}
		if outcome == bumpedIt {
			placed = append(placed, ref)
			break // the schedule changed beyond this step's verdicts
		}
	}
	if len(placed) > 1 {
		r.unverified = placed
	} else {
		r.unverified = nil
	}
	if done == 0 && len(group) > 0 && !r.sequential && size > 1 {
		// Nothing decided (the first event waits for its later days):
		// the next step asks about them.
		return nil
	}
	return nil
}

type outcome int

const (
	wait outcome = iota
	placedIt
	bumpedIt
	failedIt
)

// decide places event ref with its candidates' verdicts, or says why not.
// used holds the employees placed earlier in the same step: their
// verdicts are stale, so choosing one waits for the next step.
func (r *runner) decide(ref int64, cands []cand, vs []rule.Verdict, idx []int, used map[string]bool) (*Proposal, outcome, error) {
	s := r.s
	ev := s.events[ref]
	why := r.reasonsOf(ref)
	// The earliest day with a passing candidate.
	var day civil.Date
	found := false
	for _, i := range idx {
		c := &cands[i]
		if !vs[i].OK() {
			why.add(c.Employee, c.Date, vs[i].Violations)
			continue
		}
		if !found || c.Date < day {
			day, found = c.Date, true
		}
	}
	if !found {
		if r.stage[ref] == 0 && r.hasLaterDays(ref) {
			r.stage[ref] = 1
			return nil, wait, nil
		}
		if ev.Type == rule.EventCore {
			p, err := r.bump(ref)
			if err != nil {
				return nil, 0, err
			}
			if p != nil {
				return p, bumpedIt, nil
			}
		}
		r.fail(ref)
		return nil, failedIt, nil
	}
	var choices []Choice
	start := civil.Clock(-1)
	for _, i := range idx {
		c := &cands[i]
		if c.Date != day || !vs[i].OK() {
			continue
		}
		start = c.Start
		choices = append(choices, Choice{Employee: s.employee(c.Employee), Tier: c.tier, WeekLoad: s.load[empWeek{c.Employee, day.WeekStart()}]})
	}
	sortChoices(choices)
	pick := r.choose(ev, day, choices)
	if used[pick.ID] {
		return nil, wait, nil
	}
	// A slot chosen by load may have moved with this step's placements;
	// the placement is checked again with the next batch.
	if st := s.start(ev, day); st != start {
		start = st
	}
	p := &Proposal{Event: ref, Employee: pick.ID, Date: day, Start: start}
	if s.displaced[ref] {
		p.Bumps = r.postedBump(ref) // a displaced posted event moves
	}
	r.place(p)
	return p, placedIt, nil
}

// choose asks the ranker for the order of choices, falling back to the
// rule-based order when it errs or answers nonsense.
func (r *runner) choose(ev *rule.Event, day civil.Date, choices []Choice) *rule.Employee {
	if len(choices) == 1 {
		return choices[0].Employee
	}
	order, err := r.rank.Rank(r.ctx, &Decision{Event: ev, Date: day, Choices: choices})
	switch {
	case err != nil:
		reason := "error"
		var rs interface{ Reason() string }
		if errors.As(err, &rs) {
			reason = rs.Reason()
		}
		r.stats.Fallbacks[reason]++
		return choices[0].Employee
	case !validOrder(order, len(choices)):
		r.stats.Fallbacks["invalid_order"]++
		return choices[0].Employee
	}
	return choices[order[0]].Employee
}

// place proposes p, and brings back the supervisors waiting for it.
func (r *runner) place(p *Proposal) {
	delete(r.why, p.Event) // only a failure needs its reasons
	r.s.propose(p)
	r.frontier[r.s.events[p.Event].Type] = p.Date
}

func (r *runner) dequeue(ref int64) {
	if i := slices.Index(r.queue, ref); i >= 0 {
		r.queue = slices.Delete(r.queue, i, i+1)
	}
}

// enqueue puts ref back in the queue at its priority.
func (r *runner) enqueue(ref int64) {
	if slices.Contains(r.queue, ref) {
		return
	}
	i, _ := slices.BinarySearchFunc(r.queue, ref, r.s.priority)
	r.queue = slices.Insert(r.queue, i, ref)
	delete(r.stage, ref)
	delete(r.split, ref)
}

// verified checks the last step's placements against each other. When one
// fails, that step is undone from its first failing placement on, and the
// run goes on one event per step.
func (r *runner) verified(cands []cand, vs []rule.Verdict) bool {
	bad := -1
	k := 0
	for i := range cands {
		if !cands[i].verify {
			continue
		}
		if !vs[i].OK() && bad < 0 {
			bad = k
		}
		k++
	}
	if bad < 0 {
		r.unverified = nil
		return true
	}
	for _, ref := range r.unverified[bad:] {
		r.s.unpropose(ref)
		r.enqueue(ref)
	}
	r.unverified = nil
	r.sequential = true
	return false
}

// coreUnresolved reports whether supervisor ref has a core that is still
// to be placed (in the queue, not in group).
func (r *runner) coreUnresolved(ref int64, group []int64) bool {
	s := r.s
	cores := s.coresOf[ref]
	for _, c := range cores {
		if _, ok := s.current[c]; ok {
			return false // a core has a day: the supervisor can go
		}
	}
	for _, c := range cores {
		if slices.Contains(r.queue, c) || slices.Contains(group, c) {
			return true
		}
	}
	return false
}

// failWaiting fails the supervisors left waiting for cores that will not
// be placed.
func (r *runner) failWaiting() error {
	for _, ref := range slices.Clone(r.queue) {
		r.fail(ref)
		r.dequeue(ref)
	}
	return nil
}

// hasLaterDays reports whether ref has days besides its first.
func (r *runner) hasLaterDays(ref int64) bool {
	first, rest := r.days(ref)
	return len(first) > 0 && len(rest) > 0
}

// days returns the days to try for ref: first the earliest day an
// automatic placement may use, then the rest of its window from today on.
// A supervisor's days are its core's.
func (r *runner) days(ref int64) (first, rest []civil.Date) {
	s := r.s
	ev := s.events[ref]
	if ev.Type == rule.EventSupervisor {
		var ds []civil.Date
		for _, c := range s.coresOf[ref] {
			if a, ok := s.current[c]; ok && !slices.Contains(ds, a.Date) {
				ds = append(ds, a.Date)
			}
		}
		slices.Sort(ds)
		if len(ds) == 0 {
			// No core with a day: ask on its first day, so that the
			// pairing rule says why it waits.
			return r.windowDays(ev)
		}
		return ds, nil
	}
	return r.windowDays(ev)
}

func (r *runner) windowDays(ev *rule.Event) (first, rest []civil.Date) {
	s := r.s
	from := max(ev.Start, s.today)
	if ev.Due < from {
		return nil, nil
	}
	// The first days asked about run from the earliest day an automatic
	// placement may use to the last day an event of the same type was
	// placed on (the days before it are likely full); the rest of the
	// window is asked about only when none of those passes. Whatever
	// the split, the earliest passing day is found, so it changes the
	// number of candidates asked about, never the result.
	earliest := max(s.earliest(ev), from)
	last, ok := r.split[ev.Ref]
	if !ok {
		last = max(earliest, min(r.frontier[ev.Type], ev.Due))
		r.split[ev.Ref] = last
	}
	for d := from; d <= ev.Due; d = d.AddDays(1) {
		if d >= earliest && d <= last {
			first = append(first, d)
		} else {
			rest = append(rest, d)
		}
	}
	if len(first) == 0 {
		return rest, nil
	}
	return first, rest
}

// candidates returns the candidate placements of ref for its stage.
func (r *runner) candidates(ref int64) []cand {
	s := r.s
	ev := s.events[ref]
	first, rest := r.days(ref)
	days := first
	if r.stage[ref] == 1 {
		days = rest
	}
	var out []cand
	for _, d := range days {
		tier := s.tiers(ev, d)
		st := s.start(ev, d)
		for _, e := range s.emps {
			t := tier(e)
			if t < 0 {
				continue
			}
			out = append(out, cand{Candidate: rule.Candidate{Event: ref, Employee: e.ID, Date: d, Start: st}, tier: t})
		}
	}
	if len(out) == 0 && len(days) > 0 {
		r.reasonsOf(ref).none = true
	}
	return out
}

// checkBatch asks the rules about cands against the current schedule.
func (r *runner) checkBatch(cands []cand) ([]rule.Verdict, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	s := r.s
	b := &rule.Batch{
		Now: s.in.Snapshot.Now, Mode: rule.ModeAutomatic, Settings: s.in.Snapshot.Settings,
		ContextKey: r.opt.ContextKey,
	}
	b.SetContext(s.context)
	b.Candidates = make([]rule.Candidate, len(cands))
	lo, hi := cands[0].Date, cands[0].Date
	extra := map[int64]bool{}
	for i := range cands {
		b.Candidates[i] = cands[i].Candidate
		lo, hi = min(lo, cands[i].Date), max(hi, cands[i].Date)
		if s.events[cands[i].Event].Type == rule.EventSupervisor {
			for _, c := range s.coresOf[cands[i].Event] {
				extra[c] = true
			}
		}
	}
	// The assignments of every week the candidates touch, and the cores
	// of the supervisors among them.
	from, to := lo.WeekStart(), hi.WeekStart().AddDays(6)
	for d := from; d <= to; d = d.AddDays(1) {
		for _, ref := range s.byDay[d] {
			b.Assignments = append(b.Assignments, *s.current[ref])
			delete(extra, ref)
		}
	}
	refs := make([]int64, 0, len(extra))
	for ref := range extra {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	for _, ref := range refs {
		if a, ok := s.current[ref]; ok {
			b.Assignments = append(b.Assignments, *a)
		}
	}
	r.stats.Batches++
	r.stats.Candidates += len(cands)
	vs, err := r.check.Check(r.ctx, b)
	if err != nil {
		return nil, fmt.Errorf("schedule: ask the rules: %w", err)
	}
	if len(vs) != len(cands) {
		return nil, fmt.Errorf("schedule: the rules answered %d verdicts for %d candidates", len(vs), len(cands))
	}
	return vs, nil
}

// result returns the run's proposals and failures in a stable order.
func (r *runner) result() *Result {
	s := r.s
	res := &Result{Stats: r.stats}
	for _, p := range s.proposals {
		res.Proposals = append(res.Proposals, *p)
		if p.Bumps != nil && p.Bumps.Event != p.Event {
			res.Stats.Bumps++
		}
	}
	slices.SortFunc(res.Proposals, func(a, b Proposal) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Start, b.Start), cmp.Compare(a.Event, b.Event))
	})
	for ref, why := range s.failures {
		res.Failures = append(res.Failures, Failure{Event: ref, Reason: why})
	}
	slices.SortFunc(res.Failures, func(a, b Failure) int { return cmp.Compare(a.Event, b.Event) })
	res.Stats.Placed, res.Stats.Failed = len(res.Proposals), len(res.Failures)
	res.Stats.Considered += len(s.displaced) // posted events the run displaced
	return res
}

func (s *state) employee(id string) *rule.Employee {
	i, ok := slices.BinarySearchFunc(s.emps, id, func(e *rule.Employee, id string) int { return strings.Compare(e.ID, id) })
	if !ok {
		return nil
	}
	return s.emps[i]
}
