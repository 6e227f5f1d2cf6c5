package scheduler

import (
	"cmp"
	"slices"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// repairTries is how many ways repair tries for one failed event.
const repairTries = 8

// repair is the coverage step after the greedy pass: for each event the
// pass could not place, in priority order, it looks for one proposal of
// this run to move so that both fit — the failed event takes the moved
// proposal's place, or a supervisor's core moves to a day the supervisor
// can work too. It never moves a posted assignment or a proposal that
// displaces one, and whatever it moves stays placed, so each repair places
// one more event and unplaces none. Every change is checked by the rules,
// and the two placements of a repair are checked again together.
func (r *runner) repair() error {
	s := r.s
	failed := make([]int64, 0, len(s.failures))
	for ref := range s.failures {
		if s.events[ref] != nil {
			failed = append(failed, ref)
		}
	}
	slices.SortFunc(failed, s.priority)
	for _, ref := range failed {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		var ok bool
		var err error
		if s.events[ref].Type == rule.EventSupervisor {
			ok, err = r.moveCore(ref)
		} else {
			ok, err = r.takePlace(ref)
		}
		if err != nil {
			return err
		}
		if ok {
			r.stats.Repaired++
		}
	}
	return nil
}

// movable reports whether proposal y may be moved by repair: a proposal
// of this run that displaces no posted assignment and has no supervisor
// placed with it.
func (r *runner) movable(y int64) bool {
	s := r.s
	p, ok := s.proposals[y]
	if !ok || p.Bumps != nil {
		return false
	}
	for _, sup := range s.supsOf[y] {
		if _, placed := s.current[sup]; placed {
			return false
		}
	}
	return true
}

// moveCore places failed supervisor sup by moving its core, a movable
// proposal, to another day of the core's window on which the supervisor
// can be placed too.
func (r *runner) moveCore(sup int64) (bool, error) {
	s := r.s
	for _, c := range s.coresOf[sup] {
		if !r.movable(c) {
			continue
		}
		core := s.events[c]
		old := *s.proposals[c]
		// Where else could the core go?
		var cands []cand
		for d := max(core.Start, s.today); d <= core.Due; d = d.AddDays(1) {
			if d == old.Date {
				continue
			}
			cands = append(cands, r.dayCands(core, d, c)...)
		}
		if len(cands) == 0 {
			continue
		}
		vs, err := r.checkBatch(cands)
		if err != nil {
			return false, err
		}
		for _, day := range passingDays(cands, vs, repairTries) {
			s.unpropose(c)
			pick := r.best(core, day, cands, vs)
			moved := &Proposal{Event: c, Employee: pick.Employee, Date: day, Start: pick.Start}
			s.propose(moved)
			placed, err := r.placeAlone(sup)
			if err != nil {
				return false, err
			}
			if placed {
				ok, err := r.verifyTogether(c, sup)
				if err != nil || ok {
					return ok, err
				}
				s.unpropose(sup)
			}
			s.unpropose(c)
			s.propose(&old)
		}
		ok, err := r.swapCore(sup, c)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// swapCore places failed supervisor sup by moving its core c onto the day
// of another movable core d without supervisors, which then goes wherever
// it can (c's old day, typically): three placements, checked together.
func (r *runner) swapCore(sup, c int64) (bool, error) {
	s := r.s
	core := s.events[c]
	old := *s.proposals[c]
	var cands []cand
	for day := max(core.Start, s.today); day <= core.Due; day = day.AddDays(1) {
		if day == old.Date {
			continue
		}
		for _, d := range s.byDay[day] {
			if d == c || s.events[d].Type != rule.EventCore || !r.movable(d) || len(s.supsOf[d]) > 0 {
				continue
			}
			cands = append(cands, r.dayCands(core, day, d)...)
		}
	}
	if len(cands) == 0 {
		return false, nil
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return false, err
	}
	tried := 0
	for i := range cands {
		if !vs[i].OK() || (i > 0 && cands[i-1].Replaces == cands[i].Replaces && cands[i-1].Date == cands[i].Date && vs[i-1].OK()) {
			continue // one try per displaced core and day: the best candidate
		}
		if tried == repairTries {
			break
		}
		tried++
		d := cands[i].Replaces
		oldD := *s.proposals[d]
		pick := r.best(core, cands[i].Date, cands, vs)
		if pick.Replaces != d {
			pick = cands[i]
		}
		s.unpropose(c)
		s.unpropose(d)
		s.propose(&Proposal{Event: c, Employee: pick.Employee, Date: pick.Date, Start: pick.Start})
		placedD, err := r.placeAlone(d)
		if err != nil {
			return false, err
		}
		if placedD {
			placedSup, err := r.placeAlone(sup)
			if err != nil {
				return false, err
			}
			if placedSup {
				ok, err := r.verifyTogether(c, d, sup)
				if err != nil || ok {
					return ok, err
				}
				s.unpropose(sup)
			}
			s.unpropose(d)
		}
		s.unpropose(c)
		s.propose(&oldD)
		s.propose(&old)
	}
	return false, nil
}

// takePlace places failed event f where a movable proposal y is, when y
// can go elsewhere.
func (r *runner) takePlace(f int64) (bool, error) {
	s := r.s
	ev := s.events[f]
	var cands []cand
	for d := max(ev.Start, s.today); d <= ev.Due; d = d.AddDays(1) {
		tier := s.tiers(ev, d)
		st := s.start(ev, d)
		for _, y := range s.byDay[d] {
			a := s.current[y]
			e := s.employee(a.Employee)
			if e == nil || !r.movable(y) {
				continue
			}
			if t := tier(e); t >= 0 {
				cands = append(cands, cand{Candidate: rule.Candidate{Event: f, Employee: a.Employee, Date: d, Start: st, Replaces: y}, tier: t})
			}
		}
	}
	if len(cands) == 0 {
		return false, nil
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return false, err
	}
	var options []int
	for i := range cands {
		if vs[i].OK() {
			options = append(options, i)
		}
	}
	slices.SortFunc(options, func(i, j int) int {
		a, b := &cands[i], &cands[j]
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.tier, b.tier), cmp.Compare(a.Employee, b.Employee), cmp.Compare(a.Replaces, b.Replaces))
	})
	if len(options) > repairTries {
		options = options[:repairTries]
	}
	for _, i := range options {
		c := cands[i]
		y := c.Replaces
		old := *s.proposals[y]
		s.unpropose(y)
		s.propose(&Proposal{Event: f, Employee: c.Employee, Date: c.Date, Start: c.Start})
		placed, err := r.placeAlone(y)
		if err != nil {
			return false, err
		}
		if placed {
			ok, err := r.verifyTogether(f, y)
			if err != nil || ok {
				return ok, err
			}
			s.unpropose(y)
		}
		s.unpropose(f)
		s.failures[f] = r.reason(f)
		s.propose(&old)
	}
	return false, nil
}

// placeAlone places event ref on the earliest day any candidate passes,
// with the rule-based ranking, and reports whether it could.
func (r *runner) placeAlone(ref int64) (bool, error) {
	s := r.s
	ev := s.events[ref]
	first, rest := r.days(ref)
	var cands []cand
	for _, d := range append(slices.Clone(first), rest...) {
		cands = append(cands, r.dayCands(ev, d, 0)...)
	}
	if len(cands) == 0 {
		return false, nil
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return false, err
	}
	days := passingDays(cands, vs, 1)
	if len(days) == 0 {
		return false, nil
	}
	pick := r.best(ev, days[0], cands, vs)
	s.propose(&Proposal{Event: ref, Employee: pick.Employee, Date: days[0], Start: pick.Start})
	return true, nil
}

// verifyTogether checks the placements of refs again, together.
func (r *runner) verifyTogether(refs ...int64) (bool, error) {
	s := r.s
	var cands []cand
	for _, ref := range refs {
		p := s.current[ref]
		cands = append(cands, cand{Candidate: rule.Candidate{Event: ref, Employee: p.Employee, Date: p.Date, Start: p.Start, Replaces: ref}})
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return false, err
	}
	for _, v := range vs {
		if !v.OK() {
			return false, nil
		}
	}
	return true, nil
}

// dayCands are ev's candidates on day d, replacing event replaces.
func (r *runner) dayCands(ev *rule.Event, d civil.Date, replaces int64) []cand {
	s := r.s
	tier := s.tiers(ev, d)
	st := s.start(ev, d)
	var out []cand
	for _, e := range s.emps {
		if t := tier(e); t >= 0 {
			out = append(out, cand{Candidate: rule.Candidate{Event: ev.Ref, Employee: e.ID, Date: d, Start: st, Replaces: replaces}, tier: t})
		}
	}
	return out
}

// passingDays returns up to n days with a passing candidate, earliest
// first.
func passingDays(cands []cand, vs []rule.Verdict, n int) []civil.Date {
	var days []civil.Date
	for i := range cands {
		if vs[i].OK() && !slices.Contains(days, cands[i].Date) {
			days = append(days, cands[i].Date)
		}
	}
	slices.Sort(days)
	if len(days) > n {
		days = days[:n]
	}
	return days
}

// best returns the passing candidate of ev on day the rule-based ranking
// puts first.
func (r *runner) best(ev *rule.Event, day civil.Date, cands []cand, vs []rule.Verdict) cand {
	s := r.s
	var out cand
	var bestChoice *Choice
	for i := range cands {
		c := cands[i]
		if c.Date != day || !vs[i].OK() {
			continue
		}
		ch := Choice{Employee: s.employee(c.Employee), Tier: c.tier, WeekLoad: s.weekLoad(s.empIdx[c.Employee], day.WeekStart())}
		if bestChoice == nil || compareChoices(ch, *bestChoice) < 0 {
			bestChoice, out = &ch, c
		}
	}
	return out
}
