package scheduler

import (
	"cmp"
	"slices"

	"github.com/crewplan/crewplan/sdk/rule"
)

// bump tries to place core event ref by displacing a core assignment
// (posted or proposed) of an event due strictly later, on a day of ref's
// window: the displacing placement must pass every hard rule (so never on
// a locked day), the displaced event must not be due within
// bump_protect_days of today, and no event is displaced more than
// max_bumps_per_event times in a run. The displaced event goes back in the
// queue; its supervisors on that day follow it. It returns nil when no bump
// works.
func (r *runner) bump(ref int64) (*Proposal, error) {
	s := r.s
	ev := s.events[ref]
	first, rest := r.days(ref)
	days := append(slices.Clone(first), rest...)
	slices.Sort(days)
	maxBumps := s.in.Settings.Scheduler.MaxBumpsPerEvent
	var cands []cand
	for _, d := range days {
		tier := s.tiers(ev, d)
		for _, x := range s.byDay[d] {
			xe := s.events[x]
			if xe == nil || xe.Type != rule.EventCore || xe.Due <= ev.Due || s.bumped[x] >= maxBumps || s.protected(x) {
				continue
			}
			a := s.current[x]
			e := s.employee(a.Employee)
			if e == nil {
				continue
			}
			t := tier(e)
			if t < 0 {
				continue
			}
			cands = append(cands, cand{Candidate: rule.Candidate{Event: ref, Employee: a.Employee, Date: d, Start: a.Start, Replaces: x}, tier: t})
		}
	}
	w := r.reasonsOf(ref)
	if len(cands) == 0 {
		w.bumped = "no core due later could be bumped on those days"
		return nil, nil
	}
	vs, err := r.checkBatch(cands)
	if err != nil {
		return nil, err
	}
	best := -1
	better := func(i, j int) bool { // is cands[i] a better bump than cands[j]?
		a, b := &cands[i], &cands[j]
		_, ap := s.proposals[a.Replaces]
		_, bp := s.proposals[b.Replaces]
		return cmp.Or(
			cmp.Compare(a.Date, b.Date),
			-cmpBool(ap, bp), // a proposal before a posted assignment
			-cmp.Compare(s.events[a.Replaces].Due, s.events[b.Replaces].Due), // the least urgent first
			cmp.Compare(a.tier, b.tier),
			cmp.Compare(a.Employee, b.Employee),
			cmp.Compare(a.Replaces, b.Replaces),
		) < 0
	}
	for i := range cands {
		if vs[i].OK() && (best < 0 || better(i, best)) {
			best = i
		}
	}
	if best < 0 {
		w.bumped = "bumping a core due later would break a rule too"
		return nil, nil
	}
	c := cands[best]
	x := c.Replaces
	var carried *Bump
	if xp := s.proposals[x]; xp != nil && xp.Bumps != nil && xp.Bumps.Event != x {
		carried = xp.Bumps // ref takes the slot x took from a posted event
	}
	day := s.current[x].Date
	wasPosted := !s.current[x].Proposed
	r.displace(x)
	for _, sup := range s.supsOf[x] {
		if a, ok := s.current[sup]; ok && a.Date == day {
			r.displace(sup) // a supervisor follows its core
		}
	}
	p := &Proposal{Event: ref, Employee: c.Employee, Date: c.Date, Start: c.Start, Bumps: carried}
	if wasPosted {
		p.Bumps = r.postedBump(x)
	}
	r.place(p)
	return p, nil
}

// displace takes event x off the schedule and puts it back in the queue:
// a posted assignment is displaced (its re-placement will move it), a
// proposal withdrawn.
func (r *runner) displace(x int64) {
	s := r.s
	if s.unpropose(x) == nil {
		s.remove(x)
		s.displaced[x] = true
	}
	s.bumped[x]++
	r.enqueue(x)
}

// postedBump returns the record of event x's posted assignment, which a
// proposal displaces.
func (r *runner) postedBump(x int64) *Bump {
	a := r.s.posted[x]
	return &Bump{PostedID: r.s.in.PostedIDs[x], Assignment: a}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
