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

// Options tune a run.
type Options struct {
	// StepSize is how many events one rule batch may decide; 0 takes
	// DefaultStepSize of the staff's size. It changes how many batches a
	// run sends, not what it decides (see step).
	StepSize int
	// ContextKey names the run's rule context (events, employees,
	// calendar) so the plugins keep it between batches; 0 sends it with
	// every batch.
	ContextKey uint64
	// Shadow, when set, is a ranking asked at every placement for its
	// order, which the run never uses: Stats.Shadow reports how often it
	// would have placed the same employee (shadow mode of a model).
	Shadow Ranker
}

// DefaultStepSize is the step size of a run over the given number of
// employees: a quarter of them, at least 32. With more people, more
// events of a step find someone nobody else in the step took; the
// figures behind it are in docs/benchmarks.md.
func DefaultStepSize(employees int) int { return max(32, employees/4) }

// firstDepth is how many employees per day a step first asks about for an
// event, counting only those the run expects to pass (see likely); an
// event that needs more asks four times as many in its next step (and
// when many do, later events ask more from the start: see shortOf).
const firstDepth = 3

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
		opt.StepSize = DefaultStepSize(len(in.Snapshot.Employees))
	}
	r := &runner{ctx: ctx, s: newState(in), check: check, rank: rank, opt: opt,
		stats: Stats{Ranker: rank.Name(), Fallbacks: map[string]int{}}}
	if opt.Shadow != nil {
		r.stats.Shadow = &ShadowStats{Ranker: opt.Shadow.Name(), Fallbacks: map[string]int{}}
	}
	_, r.ruleOrder = rank.(RuleRanking)
	r.startDepth = firstDepth
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
	// ruleOrder is set when the ranking is the rule-based one, which the
	// run applies itself.
	ruleOrder bool

	queue  []int64        // events still to place, in priority order
	queued map[int64]bool // the events in queue
	stage  map[int64]int  // 1 once an event's first days failed
	// depth is, per event, how many likely employees per day its next
	// step asks about (startDepth when absent).
	depth      map[int64]int
	startDepth int // firstDepth, raised when too few were asked (shortOf)
	// short and decided count events that had too few asked and events
	// decided, since startDepth last changed.
	short, decided int
	// why holds, per event, the violations that kept each employee off it
	// (the first one found), for its failure reason.
	why map[int64]*reasons
	// pending are the decisions of the last step, in order, checked
	// with the next batch when there were several (see step).
	pending []decision
	// frontier is, per event type, the day the last event of that type
	// was placed on.
	frontier map[rule.EventType]civil.Date
	// split is, per event, the last of its first days, fixed when they
	// are first asked about.
	split map[int64]civil.Date
	// single is how many of the next decisions are made alone, one per
	// step: set when a step's decisions did not hold together.
	single int
	// orders keep the ranking's last order of each event and day, good
	// while the day's week has not changed (see order).
	orders map[refDay]orderMemo
	// order's scratch space: the decision it asks about, its choices and
	// their places among all the choices, and validOrder's.
	decision Decision
	viable   []Choice
	at       []int
	seen     []bool
}

// refDay is an event (by ref) on a day.
type refDay struct {
	ref int64
	d   civil.Date
}

// orderMemo is a ranking's order of an event's choices on a day at a
// start, as of a point in the week's log of load changes.
type orderMemo struct {
	adds, resets, forgot int
	start                civil.Clock
	order                []int
	fallback             string
}

func storeType(t rule.EventType) store.EventType { return store.EventType(t) }

func (r *runner) run() error {
	s := r.s
	r.stage = make(map[int64]int)
	r.depth = make(map[int64]int)
	r.orders = make(map[refDay]orderMemo)
	r.queued = make(map[int64]bool)
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
		r.queued[ref] = true
	}
	r.stats.Considered = len(seen)
	slices.SortFunc(r.queue, s.priority)
	for len(r.queue) > 0 || len(r.pending) > 0 {
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
	// check, when not 0, marks the check of a decision of the last step:
	// the pending decision's index plus one.
	check int
	// skipped marks the check of an employee a decision passed over
	// without a verdict: it must fail.
	skipped bool
	// also are the other pending decisions (index plus one) that passed
	// over the same employee on the same day for an event of the same
	// type, which the check covers when its violation reaches the type.
	also []int
}

// reaches reports whether one of vs holds for every event of the
// candidate's type that day.
func reaches(vs []rule.Violation) bool {
	return slices.ContainsFunc(vs, func(v rule.Violation) bool { return v.Severity == rule.Hard && v.Reach != rule.ReachCandidate })
}

// decision is one event decided in a step: placed or failed. An employee
// placed earlier in the step has no fresh verdict for a later event of
// the same week, nor has one left unasked for a later event because an
// earlier one was expected to take them that day and did not; the later
// decision then goes on by what the run expects
// (likely) — picking them, or passing over them (skips) — and the next
// batch checks it: the placement must pass, the skipped must fail.
type decision struct {
	ref    int64
	placed bool
	skips  []rule.Candidate
}

// step decides the next events of the queue with one rule batch. The
// events are decided in priority order on the batch's verdicts; when a
// step decided several, the next batch checks them together, and if one
// does not hold, it and the decisions after it are undone, it is decided
// again alone and the rest in steps again. Under the rules' contract (a
// verdict depends on the candidate, the batch's context and the
// assignments of the candidate's employee that week and of its event's
// linked events; see rule.Batch) the result is the same for every step
// size; a rule outside the contract can make it differ, never make it
// break a rule.
func (r *runner) step() error {
	s := r.s
	size := r.opt.StepSize
	if r.single > 0 {
		size = 1 // until the undone decision is made again
	}
	var group []int64
	var cands []cand
	sc := &stepCands{claimed: make(map[dayOf]int), asked: make(map[asked]bool), slots: make(map[slotKey]int)}
	// The group is what one event per step would decide next, in the
	// same order: a supervisor whose core is still to be placed waits for
	// it and comes right after it.
	waiting := make(map[int64]bool) // cores of the supervisors passed over
	for _, ref := range r.queue {
		if len(group) == size {
			break
		}
		ev := s.events[ref]
		if ev.Type == rule.EventSupervisor {
			if r.coreIn(ref, group) {
				break // it comes once its core is placed: next step
			}
			if r.coreUnresolved(ref) {
				for _, c := range s.coresOf[ref] {
					waiting[c] = true
				}
				continue
			}
		}
		group = append(group, ref)
		cands = append(cands, r.candidates(ref, sc)...)
		if waiting[ref] {
			break // a supervisor waiting for this core comes next
		}
	}
	nc := len(cands)
	skipAt := make(map[asked]int) // a skip's check, by employee, day and type
	for i, d := range r.pending {
		if a := s.current[d.ref]; d.placed && a != nil {
			cands = append(cands, cand{Candidate: rule.Candidate{Event: d.ref, Employee: a.Employee, Date: a.Date, Start: a.Start, Replaces: d.ref}, check: i + 1})
		}
		for _, c := range d.skips {
			k := asked{dayOf{s.empIdx[c.Employee], c.Date}, typeRank(s.events[c.Event].Type)}
			if j, ok := skipAt[k]; ok {
				// One check for the employee's day, if its answer reaches
				// the type (see held).
				cands[j].also = append(cands[j].also, i+1)
				continue
			}
			skipAt[k] = len(cands)
			cands = append(cands, cand{Candidate: c, check: i + 1, skipped: true})
		}
	}
	if len(group) == 0 && len(r.pending) == 0 {
		// Only supervisors whose cores never resolve: they fail below.
		return r.failWaiting()
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return err
	}
	if len(r.pending) > 0 && !r.held(cands[nc:], vs[nc:]) {
		return nil // undone; decide again with fresh verdicts
	}
	r.pending = nil
	// Decide the group's events in order, with their verdicts.
	known := make(map[int64]map[empDay]int, len(group))
	for i := range cands[:nc] {
		c := &cands[i]
		m := known[c.Event]
		if m == nil {
			m = make(map[empDay]int)
			known[c.Event] = m
		}
		m[empDay{c.Employee, c.Date}] = i
	}
	sp := &speculation{placed: map[empWeek]bool{}, skipped: map[empWeek]bool{}, claimed: sc.claimed}
	var decided []decision
	for _, ref := range group {
		p, outcome, skips, err := r.decide(ref, len(decided) == 0, cands, vs, known[ref], sp)
		if err != nil {
			return err
		}
		if outcome == wait {
			break // a later event could depend on this one: next step
		}
		r.dequeue(ref)
		r.single = max(r.single-1, 0)
		r.decided++
		decided = append(decided, decision{ref: ref, placed: outcome != failedIt, skips: skips})
		sp.decided++
		if p != nil {
			sp.placed[empWeek{p.Employee, p.Date.WeekStart()}] = true
		}
		if outcome == bumpedIt {
			break // the schedule changed beyond this step's verdicts
		}
	}
	if len(decided) > 1 {
		r.pending = decided
	}
	return nil
}

// speculation is what a step placed and passed over without verdicts, by
// employee and week, and what its candidates left unasked because an
// earlier event of the step was expected to take them (stepCands.claimed).
type speculation struct {
	placed  map[empWeek]bool
	skipped map[empWeek]bool
	claimed map[dayOf]int
	decided int // the step's events decided so far
}

// claimedBefore reports whether k was claimed by an event the step
// decided already.
func (sp *speculation) claimedBefore(k dayOf) bool {
	by := sp.claimed[k]
	return by > 0 && by <= sp.decided
}

type outcome int

const (
	wait outcome = iota
	placedIt
	bumpedIt
	failedIt
)

// decide places event ref on the earliest day someone passes, with the
// first passing employee in the ranking's order, using the verdicts
// known for it (by employee and day, indexes into cands and vs), each
// asked about at the start the event gets now. An employee placed
// earlier in the step that week, or left unasked because an earlier event
// of the step was expected to take them that day (both in sp), has no
// fresh verdict: decide goes on by what the run expects, and returns the
// employees it passed over that way. It waits for the next step when it needs a verdict not
// asked for, or when it would pick an employee it passed over earlier in
// the step. A bump is tried only by an event alone in its step so far
// (alone), so that it is decided on a schedule whose placements all hold.
func (r *runner) decide(ref int64, alone bool, cands []cand, vs []rule.Verdict, known map[empDay]int, sp *speculation) (*Proposal, outcome, []rule.Candidate, error) {
	s := r.s
	ev := s.events[ref]
	why := r.reasonsOf(ref)
	var skips []rule.Candidate
	for _, d := range r.stageDays(ref) {
		rk := keyOf(ev, d)
		if s.full[rk] {
			continue
		}
		choices := s.ranked(ev, d)
		order, fallback := r.order(ev, d, s.start(ev, d), choices)
		full := true
		for k := range choices {
			c := &choices[k]
			if order != nil {
				c = &choices[order[k]]
			}
			e := c.Employee
			if s.knownFail(c.idx, d, ev.Type) {
				continue // its reason is taken if the event fails
			}
			full = false
			ew := empWeek{e.ID, d.WeekStart()}
			switch i, ok := known[empDay{e.ID, d}]; {
			case sp.placed[ew] || !ok && sp.claimedBefore(dayOf{c.idx, d}):
				// Placed earlier in the step that week, or left unasked
				// for an earlier event of the step that did not take
				// them: no fresh verdict.
				if !s.likely(ev, e, c.idx, d) {
					// Passed over; the next batch checks it fails.
					skips = append(skips, rule.Candidate{Event: ref, Employee: e.ID, Date: d, Start: s.start(ev, d)})
					sp.skipped[ew] = true
					continue
				}
				if sp.skipped[ew] {
					return nil, wait, nil, nil
				}
				// Picked; the placement is checked with the next batch.
			case !ok:
				// Too few asked: this event asks four times as many.
				r.depth[ref] = r.depthOf(ref) * 4
				r.shortOf()
				return nil, wait, nil, nil
			case cands[i].Start != s.start(ev, d):
				// The step's placements moved the day's least-loaded
				// slot elsewhere than expected: ask again.
				return nil, wait, nil, nil
			case !vs[i].OK():
				why.add(e.ID, d, vs[i].Violations)
				continue
			}
			if fallback != "" {
				r.stats.Fallbacks[fallback]++
			}
			r.shadow(ev, d, choices, order, k)
			p := &Proposal{Event: ref, Employee: e.ID, Date: d, Start: s.start(ev, d)}
			if s.displaced[ref] {
				p.Bumps = r.postedBump(ref) // a displaced posted event moves
			}
			r.place(p)
			return p, placedIt, skips, nil
		}
		if full {
			s.full[rk] = true
		}
	}
	if r.stage[ref] == 0 && r.hasLaterDays(ref) {
		r.stage[ref] = 1
		return nil, wait, nil, nil
	}
	if ev.Type == rule.EventCore {
		if !alone {
			return nil, wait, nil, nil
		}
		p, err := r.bump(ref)
		if err != nil {
			return nil, 0, nil, err
		}
		if p != nil {
			return p, bumpedIt, nil, nil
		}
	}
	r.knownReasons(ref)
	r.fail(ref)
	return nil, failedIt, skips, nil
}

// order asks the ranker in which order to try choices; nil means the
// rule-based order they come in. It returns, too, the reason it fell back
// to the rule-based order ("" when it did not), counted when the decision
// is made on that day.
//
// The ranking is asked once per event, day, start and state of the day's
// week: what it sees of a decision (the choices, their loads and the
// event's start) changes only with the week's loads, which the week's log
// counts (see ranked), with the start, and when known failures are
// forgotten, so building a step's candidates and deciding share one
// answer. Building asks with the start the event will have once the
// step's earlier events are placed (startWith), the one deciding sees.
// Failures learnt meanwhile only take employees out, which a pointwise
// model's order of the rest does not depend on.
func (r *runner) order(ev *rule.Event, d civil.Date, start civil.Clock, choices []Choice) ([]int, string) {
	if r.ruleOrder || len(choices) < 2 {
		return nil, ""
	}
	log := r.s.weekLogs[d.WeekStart()] // made by ranked
	key := refDay{ev.Ref, d}
	m, ok := r.orders[key]
	if ok && log != nil && m.adds == len(log.adds) && m.resets == log.resets && m.forgot == r.s.forgot && m.start == start {
		return m.order, m.fallback
	}
	// Only the choices not known to fail are worth ranking; the others
	// go last, in the rule-based order, and are passed over anyway.
	viable, at := r.viable[:0], r.at[:0]
	for i := range choices {
		if !r.s.knownFail(choices[i].idx, d, ev.Type) {
			viable = append(viable, choices[i])
			at = append(at, i)
		}
	}
	var order []int
	fallback := ""
	if len(viable) >= 2 {
		r.decision = Decision{Event: ev, Date: d, Start: start, Choices: viable, s: r.s}
		sub, err := r.rank.Rank(r.ctx, &r.decision)
		switch {
		case err != nil:
			fallback = reasonOf(err)
		case !r.validOrder(sub, len(viable)):
			fallback = "invalid_order"
		default:
			// The stale order's room is reused: an order is good until the
			// next order of its event and day.
			order = m.order[:0]
			if cap(order) < len(choices) {
				order = make([]int, 0, len(choices))
			}
			for _, j := range sub {
				order = append(order, at[j])
			}
			rest := at
			for i := range choices {
				if len(rest) == 0 || rest[0] != i {
					order = append(order, i)
				} else {
					rest = rest[1:]
				}
			}
		}
	}
	r.viable, r.at = viable, at
	if log != nil {
		r.orders[key] = orderMemo{adds: len(log.adds), resets: log.resets, forgot: r.s.forgot, start: start, order: order, fallback: fallback}
	}
	return order, fallback
}

// shadow asks the shadow ranking, if any, about a placement on day d:
// choices in the ranking's order (nil: as they come) up to the k-th were
// tried, and the k-th is placed. The shadow agrees when its first choice
// among the ones not tried before the placed one is the placed one.
func (r *runner) shadow(ev *rule.Event, d civil.Date, choices []Choice, order []int, k int) {
	sh := r.stats.Shadow
	if sh == nil || len(choices) < 2 {
		return
	}
	sh.Decisions++
	at := func(j int) int {
		if order != nil {
			return order[j]
		}
		return j
	}
	theirs, err := r.opt.Shadow.Rank(r.ctx, &Decision{Event: ev, Date: d, Start: r.s.start(ev, d), Choices: choices, s: r.s})
	switch {
	case err != nil:
		sh.Fallbacks[reasonOf(err)]++
		return
	case !r.validOrder(theirs, len(choices)):
		sh.Fallbacks["invalid_order"]++
		return
	}
	tried := make([]bool, len(choices))
	for j := range k {
		tried[at(j)] = true
	}
	for _, i := range theirs {
		if !tried[i] {
			if i == at(k) {
				sh.Agreed++
			}
			return
		}
	}
}

// reasonOf is the reason a ranking's error is counted under: its
// Reason(), or "error".
func reasonOf(err error) string {
	var rs interface{ Reason() string }
	if errors.As(err, &rs) {
		return rs.Reason()
	}
	return "error"
}

// knownReasons adds to ref's failure reasons the violations known to keep
// each employee off it on each day of its window.
func (r *runner) knownReasons(ref int64) {
	s := r.s
	ev := s.events[ref]
	why := r.reasonsOf(ref)
	first, rest := r.days(ref)
	for _, d := range append(first, rest...) {
		for _, c := range s.ranked(ev, d) {
			if v, ok := s.knownViolation(c.idx, d, ev.Type); ok {
				why.add(c.Employee.ID, d, []rule.Violation{v})
			}
		}
	}
}

// shortOf counts an event that had too few employees asked about; when
// that happens to more than one event in eight, the rules refuse more than
// the run expects, and later events start by asking twice as many.
func (r *runner) shortOf() {
	r.short++
	if r.short*8 > r.decided+8 {
		r.startDepth = min(r.startDepth*2, len(r.s.emps))
		r.short, r.decided = 0, 0
	}
}

func (r *runner) depthOf(ref int64) int {
	if n, ok := r.depth[ref]; ok {
		return n
	}
	return r.startDepth
}

// place proposes p, and brings back the supervisors waiting for it.
func (r *runner) place(p *Proposal) {
	delete(r.why, p.Event) // only a failure needs its reasons
	r.s.propose(p)
	r.frontier[r.s.events[p.Event].Type] = p.Date
}

func (r *runner) dequeue(ref int64) {
	delete(r.queued, ref)
	if i := slices.Index(r.queue, ref); i >= 0 {
		r.queue = slices.Delete(r.queue, i, i+1)
	}
}

// enqueue puts ref back in the queue at its priority.
func (r *runner) enqueue(ref int64) {
	if r.queued[ref] {
		return
	}
	i, _ := slices.BinarySearchFunc(r.queue, ref, r.s.priority)
	r.queue = slices.Insert(r.queue, i, ref)
	r.queued[ref] = true
	delete(r.stage, ref)
	delete(r.split, ref)
	delete(r.depth, ref)
}

// held reports whether the last step's decisions hold, from the
// verdicts of their checks: every placement passes, every employee passed
// over fails. When one does not, it and the decisions after it are undone
// and decided again one per step.
func (r *runner) held(checks []cand, vs []rule.Verdict) bool {
	bad := len(r.pending)
	for i := range checks {
		c := &checks[i]
		if vs[i].OK() == c.skipped {
			bad = min(bad, c.check-1)
			if c.skipped {
			} else {
			}
			continue
		}
		if len(c.also) > 0 && !reaches(vs[i].Violations) {
			// It failed for its own event only: the other decisions
			// that passed over the employee are not known to hold.
			bad = min(bad, c.also[0]-1)
		}
	}
	if bad == len(r.pending) {
		return true
	}
	for _, d := range r.pending[bad:] {
		if d.placed {
			r.s.unpropose(d.ref)
		}
		delete(r.s.failures, d.ref)
		r.enqueue(d.ref)
	}
	r.single = 1 // the first undone decision, alone, holds
	r.stats.Undone += len(r.pending) - bad
	r.pending = nil
	return false
}

// coreUnresolved reports whether supervisor ref has no core with a day
// and one still to be placed.
func (r *runner) coreUnresolved(ref int64) bool {
	s := r.s
	cores := s.coresOf[ref]
	for _, c := range cores {
		if _, ok := s.current[c]; ok {
			return false // a core has a day: the supervisor can go
		}
	}
	for _, c := range cores {
		if r.queued[c] {
			return true
		}
	}
	return false
}

// coreIn reports whether supervisor ref has no core with a day and one in
// group.
func (r *runner) coreIn(ref int64, group []int64) bool {
	s := r.s
	cores := s.coresOf[ref]
	for _, c := range cores {
		if _, ok := s.current[c]; ok {
			return false
		}
	}
	return slices.ContainsFunc(cores, func(c int64) bool { return slices.Contains(group, c) })
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
		last = max(earliest, min(r.frontier[ev.Type].AddDays(1), ev.Due))
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

// stepCands is what a step's candidates so far claimed and asked about.
type stepCands struct {
	// claimed are the likely picks of the step's events so far, by
	// employee and day: the claiming event's place in the step (from 1).
	claimed map[dayOf]int
	events  int            // the events whose candidates were made
	asked   map[asked]bool // asked already, expected to fail for the type
	// slots counts the likely picks' slots, so that a later event of the
	// step asks about the start it will likely get.
	slots map[slotKey]int
}

// dayOf is an employee (an index in emps) and a day.
type dayOf struct {
	emp int
	d   civil.Date
}

// asked is an employee's day for events of a type (its typeRank).
type asked struct {
	dayOf
	t int
}

// stageDays returns the days ref is decided on at its stage: its first
// days, then the rest.
func (r *runner) stageDays(ref int64) []civil.Date {
	first, rest := r.days(ref)
	if r.stage[ref] == 1 {
		return rest
	}
	return first
}

// candidates returns the candidate placements of ref to ask about in a
// step: on each day of its stage, the employees in the ranking's order
// not known to fail, until its depth of them are likely to pass (so the
// ones decide walks past before a pick are asked about too) and not
// claimed by an earlier event of the step. It claims the one it will
// likely pick.
func (r *runner) candidates(ref int64, sc *stepCands) []cand {
	s := r.s
	sc.events++
	ev := s.events[ref]
	depth := r.depthOf(ref)
	days := r.stageDays(ref)
	if r.stage[ref] == 0 && r.hasLaterDays(ref) && !slices.ContainsFunc(days, func(d civil.Date) bool { return !s.full[keyOf(ev, d)] }) {
		// Every first day is known to be full: on to the rest.
		r.stage[ref] = 1
		days = r.stageDays(ref)
	}
	var out []cand
	anyone, picked := false, false
	for _, d := range days {
		choices := s.ranked(ev, d)
		anyone = anyone || len(choices) > 0
		if s.full[keyOf(ev, d)] {
			continue
		}
		st := s.startWith(ev, d, sc.slots)
		order, _ := r.order(ev, d, st, choices)
		n := 0
		for k := range choices {
			if n == depth {
				break
			}
			c := &choices[k]
			if order != nil {
				c = &choices[order[k]]
			}
			if s.knownFail(c.idx, d, ev.Type) {
				continue
			}
			k := dayOf{c.idx, d}
			if sc.claimed[k] > 0 {
				// An earlier event of the step will likely take them;
				// decide goes on without a verdict then.
				continue
			}
			g := s.guess(ev, c.Employee, c.idx, d)
			if g == guessFailDay {
				// Asked once per step and type: the answer will likely
				// reach the step's other events of the type too.
				a := asked{k, typeRank(ev.Type)}
				if sc.asked[a] {
					continue
				}
				sc.asked[a] = true
			}
			out = append(out, cand{Candidate: rule.Candidate{Event: ref, Employee: c.Employee.ID, Date: d, Start: st}, tier: c.Tier})
			if g != guessPass {
				continue
			}
			if !picked {
				// The step's earlier events will likely take whom they
				// like best: the later ones ask past them.
				sc.claimed[k], picked = sc.events, true
				if f := familyOf(ev); f != familyNone {
					sc.slots[slotKey{d, f, st}]++
				}
			}
			n++
		}
		if n == depth {
			break // the event will very likely be placed on this day
		}
	}
	if !anyone && len(days) > 0 {
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
	// The assignments the verdicts depend on, by the rules' contract:
	// those of each candidate's employee in the candidate's week, of the
	// events linked to a candidate's event (a supervisor's cores, a
	// core's supervisors), and of the event a candidate replaces.
	b.Candidates = make([]rule.Candidate, len(cands))
	weeks := make(map[weekOf]bool)
	refs := make(map[int64]bool)
	for i := range cands {
		c := &cands[i].Candidate
		b.Candidates[i] = *c
		if e, ok := s.empIdx[c.Employee]; ok {
			weeks[weekOf{e, c.Date.WeekStart()}] = true
		}
		for _, x := range s.coresOf[c.Event] {
			refs[x] = true
		}
		for _, x := range s.supsOf[c.Event] {
			refs[x] = true
		}
		if c.Replaces != 0 {
			refs[c.Replaces] = true
		}
	}
	for w := range weeks {
		for _, ref := range s.byWeek[w] {
			refs[ref] = true
		}
	}
	// A stable order, so that runs are the same whatever the maps did.
	sorted := make([]int64, 0, len(refs))
	for ref := range refs {
		sorted = append(sorted, ref)
	}
	slices.Sort(sorted)
	b.Assignments = make([]rule.Assignment, 0, len(sorted))
	for _, ref := range sorted {
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
	for i := range cands {
		if !vs[i].OK() {
			s.learn(&cands[i].Candidate, s.events[cands[i].Event].Type, vs[i].Violations)
		}
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
