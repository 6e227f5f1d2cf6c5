package scheduler

import (
	"cmp"
	"slices"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// state is a run's picture of the schedule as it goes: what is posted,
// what it proposes, what it displaced, and what it could not place.
type state struct {
	in    *Input
	today civil.Date
	// context is the run's rule context: its events, employees and
	// calendar, with their lookups built once for every batch.
	context *rule.Context

	events  map[int64]*rule.Event
	emps    []*rule.Employee // by id
	posted  map[int64]rule.Assignment
	coresOf map[int64][]int64 // supervisor ref → the refs of its possible cores
	supsOf  map[int64][]int64 // core ref → the supervisors that pair with it

	// current is every assignment of the schedule the run is building:
	// posted ones not displaced, and proposals.
	current map[int64]*rule.Assignment
	byDay   map[civil.Date][]int64 // refs in current by day
	load    map[civil.Date][]int   // assignments in current per week, by employee index
	// daily counts the assignments in current per day and employee,
	// laid out as fails; byWeek holds their refs per employee and week.
	daily  []uint16
	byWeek map[weekOf][]int64
	// minutes totals the durations of daily's assignments, laid out as
	// daily.
	minutes []uint32
	// reach holds, per employee (by index in emps) and day, the
	// violations known to keep them off more than one event that day
	// (see learn).
	reach []map[civil.Date]*reached
	// fails mirrors reach as bits, for the hot path: per day from base
	// (for days days) and employee, bit typeRank for a type, anyBit for
	// every event.
	fails  []uint8
	forgot int // how many times known failures were cleared (remove)
	base   civil.Date
	days   int
	empIdx map[string]int // index in emps by id
	// full marks the rankings (event type and day) whose every employee
	// is known to fail (see reach), until an assignment is taken away.
	full map[rankKey]bool
	// rankings are the rule-based rankings made so far, brought up to
	// date from each week's log of load changes when asked for again
	// (see ranked).
	rankings map[rankKey]*ranking
	weekLogs map[civil.Date]*weekLog
	keys     []uint64 // ranked's scratch space
	moved    []bool   // ranked's scratch space, by employee index
	// slotLoad counts the assignments in current per day, slot family and
	// start time.
	slotLoad map[slotKey]int

	proposals map[int64]*Proposal
	failures  map[int64]string
	displaced map[int64]bool // posted events the run displaced
	bumped    map[int64]int  // times each event was displaced in this run
}

type empWeek struct {
	emp  string
	week civil.Date
}

// weekOf is an employee (an index in emps) and a week (its Sunday).
type weekOf struct {
	emp  int
	week civil.Date
}

// dayCount returns how many assignments employee emp has on day d.
func (s *state) dayCount(emp int, d civil.Date) int {
	if j := s.failsAt(emp, d); j >= 0 {
		return int(s.daily[j])
	}
	return 0
}

func newState(in *Input) *state {
	snap := in.Snapshot
	s := &state{
		in:        in,
		today:     snap.Now.Date,
		events:    make(map[int64]*rule.Event, len(snap.Events)),
		posted:    make(map[int64]rule.Assignment, len(snap.Posted)),
		coresOf:   make(map[int64][]int64),
		supsOf:    make(map[int64][]int64),
		current:   make(map[int64]*rule.Assignment, len(snap.Posted)+len(in.ToPlace)),
		byDay:     make(map[civil.Date][]int64),
		load:      make(map[civil.Date][]int),
		byWeek:    make(map[weekOf][]int64),
		full:      make(map[rankKey]bool),
		rankings:  make(map[rankKey]*ranking),
		weekLogs:  make(map[civil.Date]*weekLog),
		slotLoad:  make(map[slotKey]int),
		proposals: make(map[int64]*Proposal, len(in.ToPlace)),
		failures:  make(map[int64]string),
		displaced: make(map[int64]bool),
		bumped:    make(map[int64]int),
		context:   rule.NewContext(snap.Events, snap.Employees, snap.Holidays, snap.LockedDays),
	}
	byNumber := make(map[string][]int64)
	for i := range snap.Events {
		ev := &snap.Events[i]
		s.events[ev.Ref] = ev
		if ev.Type == rule.EventCore {
			if n := rule.EventNumber(ev.Name); n != "" {
				byNumber[n] = append(byNumber[n], ev.Ref)
			}
		}
	}
	for i := range snap.Events {
		ev := &snap.Events[i]
		if ev.Type != rule.EventSupervisor {
			continue
		}
		var cores []int64
		switch {
		case ev.ParentRef != 0:
			cores = []int64{ev.ParentRef}
		default:
			cores = byNumber[rule.EventNumber(ev.Name)]
			if rule.EventNumber(ev.Name) == "" {
				cores = nil
			}
		}
		s.coresOf[ev.Ref] = cores
		for _, c := range cores {
			s.supsOf[c] = append(s.supsOf[c], ev.Ref)
		}
	}
	for i := range snap.Employees {
		s.emps = append(s.emps, &snap.Employees[i])
	}
	slices.SortFunc(s.emps, func(a, b *rule.Employee) int { return cmp.Compare(a.ID, b.ID) })
	s.empIdx = make(map[string]int, len(s.emps))
	for i, e := range s.emps {
		s.empIdx[e.ID] = i
	}
	s.reach = make([]map[civil.Date]*reached, len(s.emps))
	// The run's days: whole weeks around every event's window.
	first, last := s.today, s.today
	for i := range snap.Events {
		ev := &snap.Events[i]
		if !ev.Start.IsZero() && ev.Start < first {
			first = ev.Start
		}
		last = max(last, ev.Due)
	}
	s.base = first.WeekStart()
	s.days = min(s.base.DaysUntil(last.WeekStart())+7, 3701) // at most ten years
	s.fails = make([]uint8, s.days*len(s.emps))
	s.daily = make([]uint16, s.days*len(s.emps))
	s.minutes = make([]uint32, s.days*len(s.emps))
	for _, a := range snap.Posted {
		s.posted[a.Event] = a
		a := a
		s.add(&a)
	}
	return s
}

// add puts a into the current schedule.
func (s *state) add(a *rule.Assignment) {
	s.current[a.Event] = a
	s.byDay[a.Date] = append(s.byDay[a.Date], a.Event)
	s.addLoad(a, 1)
	if e, ok := s.empIdx[a.Employee]; ok {
		wk := weekOf{e, a.Date.WeekStart()}
		s.byWeek[wk] = append(s.byWeek[wk], a.Event)
		if j := s.failsAt(e, a.Date); j >= 0 {
			s.daily[j]++
			if ev := s.events[a.Event]; ev != nil {
				s.minutes[j] += uint32(max(ev.DurationMin, 0))
			}
		}
	}
	s.countSlot(a, 1)
}

// addLoad adds n (1 or -1) to the week load of a's employee, and logs it
// for the week's rankings (see ranked).
func (s *state) addLoad(a *rule.Assignment, n int) {
	i, ok := s.empIdx[a.Employee]
	if !ok {
		return
	}
	wk := a.Date.WeekStart()
	l := s.load[wk]
	if l == nil {
		l = make([]int, len(s.emps))
		s.load[wk] = l
	}
	l[i] += n
	log := s.weekLogs[wk]
	if log == nil {
		log = &weekLog{}
		s.weekLogs[wk] = log
	}
	if n > 0 {
		log.adds = append(log.adds, i)
	} else {
		log.resets++
	}
}

// weekLoad returns how many assignments employee i (an index in emps) has
// in the week starting wk.
func (s *state) weekLoad(i int, wk civil.Date) int {
	if l := s.load[wk]; l != nil {
		return l[i]
	}
	return 0
}

// remove takes event ref's assignment out of the current schedule.
func (s *state) remove(ref int64) *rule.Assignment {
	a, ok := s.current[ref]
	if !ok {
		return nil
	}
	delete(s.current, ref)
	day := s.byDay[a.Date]
	if i := slices.Index(day, ref); i >= 0 {
		s.byDay[a.Date] = slices.Delete(day, i, i+1)
	}
	s.addLoad(a, -1)
	if e, ok := s.empIdx[a.Employee]; ok {
		wk := weekOf{e, a.Date.WeekStart()}
		if i := slices.Index(s.byWeek[wk], ref); i >= 0 {
			s.byWeek[wk] = slices.Delete(s.byWeek[wk], i, i+1)
		}
		if j := s.failsAt(e, a.Date); j >= 0 {
			s.daily[j]--
			if ev := s.events[ref]; ev != nil {
				s.minutes[j] -= uint32(max(ev.DurationMin, 0))
			}
		}
	}
	s.countSlot(a, -1)
	if i, ok := s.empIdx[a.Employee]; ok {
		s.reach[i] = nil // what kept them off may be gone
		for d := range s.days {
			s.fails[d*len(s.emps)+i] = 0
		}
		s.forgot++
	}
	clear(s.full)
	return a
}

// propose records a proposal and adds it to the current schedule.
func (s *state) propose(p *Proposal) {
	s.proposals[p.Event] = p
	delete(s.failures, p.Event)
	s.add(&rule.Assignment{Event: p.Event, Employee: p.Employee, Date: p.Date, Start: p.Start, Proposed: true})
}

// unpropose withdraws event ref's proposal.
func (s *state) unpropose(ref int64) *Proposal {
	p, ok := s.proposals[ref]
	if !ok {
		return nil
	}
	delete(s.proposals, ref)
	s.remove(ref)
	return p
}

// start returns the start time of ev on day d: the type's time, or for a
// core (and a digital setup or teardown) the least-loaded of its slots on
// that day, ties to the earliest.
func (s *state) start(ev *rule.Event, d civil.Date) civil.Clock { return s.startWith(ev, d, nil) }

// startWith is start with extra assignments counted in the slots' loads.
func (s *state) startWith(ev *rule.Event, d civil.Date, extra map[slotKey]int) civil.Clock {
	ts := &s.in.Settings.TimeSlots
	switch ev.Type {
	case rule.EventCore:
		return s.leastLoaded(familyCore, ts.Core, d, extra)
	case rule.EventSupervisor:
		return ts.Supervisor
	case rule.EventJuicer:
		if ev.Kind == "survey" {
			return ts.JuicerSurvey
		}
		return ts.JuicerProduction
	case rule.EventFreeosk:
		return ts.Freeosk
	case rule.EventDigital:
		slots, family := ts.DigitalSetup, familySetup
		if ev.Kind == "teardown" {
			slots, family = ts.DigitalTeardown, familyTeardown
		}
		return s.leastLoaded(family, slots, d, extra)
	}
	return ts.Other
}

// slotFamily names the events that share a set of slots.
type slotFamily uint8

const (
	familyNone slotFamily = iota
	familyCore
	familySetup
	familyTeardown
)

// familyOf returns the slot family of ev: cores, digital setups (and
// refreshes), digital teardowns; familyNone for the rest.
func familyOf(ev *rule.Event) slotFamily {
	switch {
	case ev == nil:
		return familyNone
	case ev.Type == rule.EventCore:
		return familyCore
	case ev.Type == rule.EventDigital && ev.Kind == "teardown":
		return familyTeardown
	case ev.Type == rule.EventDigital:
		return familySetup
	}
	return familyNone
}

// slotKey counts the assignments of a family at a start time on a day.
type slotKey struct {
	d     civil.Date
	f     slotFamily
	start civil.Clock
}

// countSlot adds n to the count of a's slot.
func (s *state) countSlot(a *rule.Assignment, n int) {
	if f := familyOf(s.events[a.Event]); f != familyNone {
		s.slotLoad[slotKey{a.Date, f, a.Start}] += n
	}
}

// leastLoaded returns the slot with the fewest assignments of family f on
// day d (counting extra ones too), the earliest on a tie.
func (s *state) leastLoaded(f slotFamily, slots []civil.Clock, d civil.Date, extra map[slotKey]int) civil.Clock {
	if len(slots) == 0 {
		return civil.NewClock(9, 0)
	}
	load := func(c civil.Clock) int { k := slotKey{d, f, c}; return s.slotLoad[k] + extra[k] }
	best, bestN := slots[0], load(slots[0])
	for _, c := range slots[1:] {
		if n := load(c); n < bestN || n == bestN && c < best {
			best, bestN = c, n
		}
	}
	return best
}

// priority orders events for placement: most urgent (earliest due) first;
// on equal due dates juicer, core, supervisor, freeosk, digital, other;
// then by ref.
func (s *state) priority(a, b int64) int {
	ea, eb := s.events[a], s.events[b]
	return cmp.Or(cmp.Compare(ea.Due, eb.Due), cmp.Compare(typeRank(ea.Type), typeRank(eb.Type)), cmp.Compare(a, b))
}

func typeRank(t rule.EventType) int {
	switch t {
	case rule.EventJuicer:
		return 0
	case rule.EventCore:
		return 1
	case rule.EventSupervisor:
		return 2
	case rule.EventFreeosk:
		return 3
	case rule.EventDigital:
		return 4
	}
	return 5
}

// earliest returns the first day an automatic run may place ev.
func (s *state) earliest(ev *rule.Event) civil.Date {
	return s.today.AddDays(s.in.Settings.Scheduler.OffsetDays(storeType(ev.Type)))
}

// protected reports whether event ref is due too soon to be displaced.
func (s *state) protected(ref int64) bool {
	return s.events[ref].Due <= s.today.AddDays(s.in.Settings.Scheduler.BumpProtectDays)
}

// guess is what the run expects the rules to say about a candidate.
type guess int

const (
	guessPass    guess = iota
	guessFail          // fails, for this candidate
	guessFailDay       // fails, for every event of its type that day
)

// likely reports whether e (emp in emps) is likely to pass the rules for
// ev on day d.
func (s *state) likely(ev *rule.Event, e *rule.Employee, emp int, d civil.Date) bool {
	return s.guess(ev, e, emp, d) == guessPass
}

// guess says what the run expects the rules to say about e on ev on day d,
// as the built-in rules see it: e can work that day by their own
// calendar; a core is e's only one that day, a juicer's core and juicer
// events fall on separate days, long events do not overlap; a new working
// day keeps e within the week's limit. It only guides what a step asks
// about and how it goes on without a verdict; the rules decide.
func (s *state) guess(ev *rule.Event, e *rule.Employee, emp int, d civil.Date) guess {
	if !canWork(e, d) {
		return guessFailDay
	}
	if s.dayCount(emp, d) > 0 {
		return s.fits(ev, e, emp, d)
	}
	// A new working day: within the week's limit?
	max := s.in.Snapshot.Settings.MaxWorkDaysPerWeek
	if max <= 0 {
		return guessPass
	}
	worked := 0
	for wd := d.WeekStart(); wd < d.WeekStart().AddDays(7); wd = wd.AddDays(1) {
		if s.dayCount(emp, wd) > 0 {
			worked++
		}
	}
	if worked >= max {
		return guessFailDay
	}
	return guessPass
}

// fits guesses whether ev at its start on day d fits with e's other
// assignments that day.
func (s *state) fits(ev *rule.Event, e *rule.Employee, emp int, d civil.Date) guess {
	start := -1 // ev's start, taken when needed
	g := guessPass
	for _, ref := range s.byWeek[weekOf{emp, d.WeekStart()}] {
		a := s.current[ref]
		o := s.events[ref]
		if a.Date != d || o == nil {
			continue
		}
		switch {
		case ev.Type == rule.EventCore && o.Type == rule.EventCore:
			return guessFailDay
		case e.Role == rule.RoleJuicer && (ev.Type == rule.EventCore && o.Type == rule.EventJuicer || ev.Type == rule.EventJuicer && o.Type == rule.EventCore):
			return guessFailDay
		case ev.Long() && o.Long():
			if start < 0 {
				start = s.start(ev, d).Minutes()
			}
			if start < a.Start.Minutes()+o.DurationMin && a.Start.Minutes() < start+ev.DurationMin {
				g = guessFail
			}
		}
	}
	return g
}

// canWork reports whether e's own calendar lets them work on d: active,
// not terminated, not on time off, and available by their weekly pattern
// or an override.
func canWork(e *rule.Employee, d civil.Date) bool {
	if !e.Active || !e.TerminatedOn.IsZero() && d >= e.TerminatedOn {
		return false
	}
	for _, t := range e.TimeOff {
		if t.Contains(d) {
			return false
		}
	}
	if slices.Contains(e.Overrides, d) {
		return true
	}
	if slices.Contains(e.Unavailable, d) {
		return false
	}
	return e.Weekly == nil || e.Weekly[d.Weekday()]
}

// reached are an employee's violations on one day that reach beyond the
// candidate they were found for.
type reached struct {
	any    *rule.Violation           // every event
	byType [numTypes]*rule.Violation // every event of a type, by typeRank
}

// numTypes is how many event types typeRank ranks.
const numTypes = 6

// learn keeps the violations of c (an event of type t) that reach beyond
// it, by the rules' word (rule.Reach): they hold for the run's candidates
// of the same employee and day (and type) until one of the employee's
// assignments is taken away.
func (s *state) learn(c *rule.Candidate, t rule.EventType, vs []rule.Violation) {
	for i := range vs {
		v := &vs[i]
		if v.Reach == rule.ReachCandidate || v.Severity != rule.Hard {
			continue
		}
		e, ok := s.empIdx[c.Employee]
		if !ok {
			continue
		}
		days := s.reach[e]
		if days == nil {
			days = make(map[civil.Date]*reached)
			s.reach[e] = days
		}
		k := days[c.Date]
		if k == nil {
			k = &reached{}
			days[c.Date] = k
		}
		bit := uint8(anyBit)
		if v.Reach == rule.ReachDay {
			if k.any == nil {
				k.any = v
			}
		} else {
			i := typeRank(t)
			if k.byType[i] == nil {
				k.byType[i] = v
			}
			bit = 1 << i
		}
		if j := s.failsAt(e, c.Date); j >= 0 {
			s.fails[j] |= bit
		}
	}
}

// anyBit is the fails bit of a violation that reaches every event.
const anyBit = 1 << 7

// failsAt returns the index of employee emp's day d in fails, -1 when d
// is out of the run's range.
func (s *state) failsAt(emp int, d civil.Date) int {
	i := s.base.DaysUntil(d)
	if i < 0 || i >= s.days {
		return -1
	}
	return i*len(s.emps) + emp
}

// knownFail reports whether employee emp (an index in emps) is known to
// fail for any event of type t on day d.
func (s *state) knownFail(emp int, d civil.Date, t rule.EventType) bool {
	j := s.failsAt(emp, d)
	return j >= 0 && s.fails[j]&(anyBit|1<<typeRank(t)) != 0
}

// knownViolation returns a violation known to keep employee emp (an index
// in emps) off any event of type t on day d.
func (s *state) knownViolation(emp int, d civil.Date, t rule.EventType) (rule.Violation, bool) {
	k := s.reach[emp][d]
	if k == nil {
		return rule.Violation{}, false
	}
	if k.any != nil {
		return *k.any, true
	}
	if v := k.byType[typeRank(t)]; v != nil {
		return *v, true
	}
	return rule.Violation{}, false
}
