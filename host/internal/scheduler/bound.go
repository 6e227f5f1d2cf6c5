package scheduler

import (
	"context"
	"errors"
	"slices"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// BoundResult is an upper bound on how many of a run's events any valid
// schedule could place, with its parts.
type BoundResult struct {
	// Bound is the upper bound: Long + Short.
	Bound int
	// Long is the most long events (over 30 minutes: cores, juicer
	// production, ...) a schedule could place: a maximum flow from the
	// events through the (employee, day) pairs each could take on its own
	// to the employees' weeks, with one long event per employee and day
	// (where every long event that could land there overlaps every other)
	// and each week's remaining working days as capacities.
	Long int
	// Short counts the short events that some employee could take on some
	// day on their own (a supervisor: on a day its core is posted, or
	// could be placed).
	Short int
	// Events is how many events the run is to place.
	Events int
}

// BoundSize returns how many candidates Bound would ask the rules about
// for in, without asking: what a bound costs.
func BoundSize(in *Input) int {
	if in == nil || in.Snapshot == nil {
		return 0
	}
	r := &runner{s: newState(in)}
	n := 0
	seen := map[int64]bool{}
	for _, ref := range in.ToPlace {
		ev := r.s.events[ref]
		if ev == nil || seen[ref] {
			continue
		}
		seen[ref] = true
		for _, d := range r.boundDays(ev) {
			tier := r.s.tiers(ev, d)
			k := 0
			for _, e := range r.s.emps {
				if tier(e) >= 0 {
					k++
				}
			}
			n += k * len(r.starts(ev, d))
		}
	}
	return n
}

// boundBatch is how many candidates one batch of a bound carries.
const boundBatch = 20000

// Bound returns an upper bound on how many of in.ToPlace any valid
// schedule could place. Each event's candidates — every day of its window
// from today, every employee the automatic preference allows, every start
// the type may use — are checked once against what is posted, alone:
// what fails there fails in every schedule, because placing more only
// adds constraints. Long events (over 30 minutes: cores, juicer
// production, ...) then go through a maximum flow that keeps one long
// event per employee and day (where every long event that could land there
// overlaps every other) and the working days left in each week; short
// events count when any candidate passes. Everything else that limits a
// real schedule (working days taken by short events, a juicer's core and
// juicer events, supervisors sharing leads) is relaxed, so the bound is
// never below what a valid schedule places.
//
// A supervisor whose core is still to place is checked without the
// pairing rule's verdict and counts when it could work a day its core
// could take. Posted cores a run could bump (not due within
// bump_protect_days) are left out of what is posted, with their
// supervisors of that day, since a schedule may displace them; the bound
// counts the events to place only, not the re-placement of displaced ones.
func Bound(ctx context.Context, in *Input, check Checker, contextKey uint64) (*BoundResult, error) {
	if in == nil || in.Snapshot == nil {
		return nil, errors.New("bound: no input")
	}
	r := &runner{ctx: ctx, s: newState(in), check: check, opt: Options{ContextKey: contextKey},
		frontier: map[rule.EventType]civil.Date{}, split: map[int64]civil.Date{}, why: map[int64]*reasons{}}
	s := r.s
	// A schedule may displace a posted core not due too soon (and its
	// supervisors with it): the bound does not count on those staying.
	for ref, a := range s.posted {
		if s.events[ref] == nil || s.events[ref].Type != rule.EventCore || s.protected(ref) {
			continue
		}
		s.remove(ref)
		for _, sup := range s.supsOf[ref] {
			if sa, ok := s.current[sup]; ok && !sa.Proposed && sa.Date == a.Date {
				s.remove(sup)
			}
		}
	}
	out := &BoundResult{}
	var cands []cand
	seen := map[int64]bool{}
	for _, ref := range in.ToPlace {
		ev := s.events[ref]
		if ev == nil || seen[ref] {
			continue
		}
		seen[ref] = true
		out.Events++
		for _, d := range r.boundDays(ev) {
			tier := s.tiers(ev, d)
			for _, st := range r.starts(ev, d) {
				for _, e := range s.emps {
					if tier(e) < 0 {
						continue
					}
					cands = append(cands, cand{Candidate: rule.Candidate{Event: ref, Employee: e.ID, Date: d, Start: st}})
				}
			}
		}
	}
	pass := make([]bool, len(cands))
	for lo := 0; lo < len(cands); lo += boundBatch {
		hi := min(lo+boundBatch, len(cands))
		vs, err := r.checkBatch(cands[lo:hi])
		if err != nil {
			return nil, err
		}
		for i, v := range vs {
			pass[lo+i] = v.OK() || s.events[cands[lo+i].Event].Type == rule.EventSupervisor && onlyPairing(v.Violations)
		}
	}
	// Which (employee, day) each event could take on its own.
	can := map[int64][]empDay{}
	for i, c := range cands {
		if !pass[i] {
			continue
		}
		k := empDay{c.Employee, c.Date}
		if l := can[c.Event]; len(l) == 0 || l[len(l)-1] != k {
			can[c.Event] = append(can[c.Event], k)
		}
	}
	coreDays := map[int64]map[civil.Date]bool{}
	spans := map[empDay][][2]int{} // the long intervals that could land on each pair
	for i, c := range cands {
		if ev := s.events[c.Event]; pass[i] && ev.Long() {
			k := empDay{c.Employee, c.Date}
			iv := [2]int{c.Start.Minutes(), rule.End(c.Start, ev)}
			if !slices.Contains(spans[k], iv) {
				spans[k] = append(spans[k], iv)
			}
		}
	}
	for ref, l := range can {
		if s.events[ref].Type == rule.EventCore {
			days := map[civil.Date]bool{}
			for _, k := range l {
				days[k.day] = true
			}
			coreDays[ref] = days
		}
	}
	// Short events.
	var long []int64
	for ref := range seen {
		ev := s.events[ref]
		switch {
		case ev.Long():
			if len(can[ref]) > 0 {
				long = append(long, ref)
			}
		case ev.Type == rule.EventSupervisor:
			if r.supervisorCould(ref, can[ref], coreDays) {
				out.Short++
			}
		case len(can[ref]) > 0:
			out.Short++
		}
	}
	// Long events: maximum flow.
	g := newFlow()
	src, sink := g.node(), g.node()
	pairs := map[empDay]int{}
	weeks := map[empWeek]int{}
	maxDays := in.Settings.Scheduler.MaxWorkDaysPerWeek
	worked := s.postedDays()
	slices.Sort(long)
	for _, ref := range long {
		n := g.node()
		g.edge(src, n, 1)
		for _, k := range can[ref] {
			p, ok := pairs[k]
			if !ok {
				p = g.node()
				pairs[k] = p
				w := empWeek{k.emp, k.day.WeekStart()}
				switch {
				case !allOverlap(spans[k]):
					// Long events that could share the day without
					// overlapping: not kept apart, nor counted in the week.
					g.edge(p, sink, len(long))
				case worked[empDay{k.emp, k.day}]:
					g.edge(p, sink, 1) // a day already worked costs no working day
				default:
					wn, ok := weeks[w]
					if !ok {
						wn = g.node()
						weeks[w] = wn
						g.edge(wn, sink, max(0, maxDays-worked.inWeek(w)))
					}
					g.edge(p, wn, 1)
				}
			}
			g.edge(n, p, 1)
		}
	}
	out.Long = g.maxFlow(src, sink)
	out.Bound = out.Long + out.Short
	return out, nil
}

// allOverlap reports whether every two of the intervals overlap.
func allOverlap(ivs [][2]int) bool {
	for i := range ivs {
		for j := i + 1; j < len(ivs); j++ {
			if ivs[i][0] >= ivs[j][1] || ivs[j][0] >= ivs[i][1] {
				return false
			}
		}
	}
	return true
}

// onlyPairing reports whether every violation is the pairing rule's.
func onlyPairing(vs []rule.Violation) bool {
	for _, v := range vs {
		if v.Rule != "supervisor_pairing" {
			return false
		}
	}
	return len(vs) > 0
}

// supervisorCould reports whether a supervisor could be placed: on a day
// its core is posted, or a day one of its cores to place could take.
func (r *runner) supervisorCould(ref int64, can []empDay, coreDays map[int64]map[civil.Date]bool) bool {
	s := r.s
	for _, k := range can {
		for _, c := range s.coresOf[ref] {
			if a, ok := s.posted[c]; ok && a.Date == k.day {
				return true
			}
			if coreDays[c][k.day] {
				return true
			}
		}
	}
	return false
}

// boundDays are every day of ev's window from today; a supervisor's are
// its window's too (its core may land on any of them).
func (r *runner) boundDays(ev *rule.Event) []civil.Date {
	var out []civil.Date
	for d := max(ev.Start, r.s.today); d <= ev.Due; d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// starts are the start times ev may have on day d: every slot of its
// type's family, or its fixed time.
func (r *runner) starts(ev *rule.Event, d civil.Date) []civil.Clock {
	ts := &r.s.in.Settings.TimeSlots
	switch {
	case ev.Type == rule.EventCore && len(ts.Core) > 0:
		return ts.Core
	case ev.Type == rule.EventDigital && ev.Kind == "teardown" && len(ts.DigitalTeardown) > 0:
		return ts.DigitalTeardown
	case ev.Type == rule.EventDigital && len(ts.DigitalSetup) > 0:
		return ts.DigitalSetup
	}
	return []civil.Clock{r.s.start(ev, d)}
}

type empDay struct {
	emp string
	day civil.Date
}

// workedDays are the days each employee works in what is posted.
type workedDays map[empDay]bool

func (w workedDays) inWeek(wk empWeek) int {
	n := 0
	for d := wk.week; d < wk.week.AddDays(7); d = d.AddDays(1) {
		if w[empDay{wk.emp, d}] {
			n++
		}
	}
	return n
}

// postedDays are the days each employee works in what stays posted.
func (s *state) postedDays() workedDays {
	w := workedDays{}
	for _, a := range s.current {
		if !a.Proposed {
			w[empDay{a.Employee, a.Date}] = true
		}
	}
	return w
}
