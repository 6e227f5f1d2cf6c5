// Package verify checks a scheduler run's result against its scenario: that
// the proposals break none of the hard rules of
// shared/spec/scheduling-rules.md, that the bumps are allowed, and that
// every event the run had to decide appears exactly once.
//
// It is an independent second implementation of the rules, written from the
// specification alone, so that property tests can prove the scheduler never
// breaks a hard rule without trusting the scheduler's own rule code. It
// therefore imports only the scenario package (input parsing), sdk/civil and
// the standard library; keep it that way, and keep it simple.
//
//	sc, _ := scenario.ParseFile("club-week.json")
//	res, _ := scenario.ParseResult(out) // what `crewplan schedule simulate` wrote
//	for _, p := range verify.Check(sc, res) {
//		fmt.Println(p) // event 612103: window: 2026-03-11 is after due 2026-03-10
//	}
//
// Check judges the final schedule: the posted assignments, minus those a
// proposal bumps, plus every proposal. Each proposal is checked against that
// whole schedule; posted assignments are judged only where a proposal meets
// them, since a run is not to blame for what was posted before it.
package verify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/sdk/civil"
)

// The rule ids a Problem may carry. The first ten are the hard rules of
// scheduling-rules.md; Coverage, Bump and RolePreference are the run's
// obligations.
const (
	// RuleWindow: start <= d <= due.
	RuleWindow = "window"
	// RuleEarliestDay: d >= now's date + the event type's earliest offset.
	RuleEarliestDay = "earliest_day"
	// RuleClosedDay: nothing is placed on a holiday.
	RuleClosedDay = "closed_day"
	// RuleLockedDay: nothing is placed on a locked day.
	RuleLockedDay = "locked_day"
	// RuleCanWork: the employee exists, is active, not terminated, not on
	// time off and available on d.
	RuleCanWork = "can_work"
	// RuleQualified: the employee's role may do the event's type (and a
	// juicer does a core only on a day with no juicer event of theirs).
	RuleQualified = "qualified"
	// RuleOneCorePerDay: at most one core event per employee per day.
	RuleOneCorePerDay = "one_core_per_day"
	// RuleNoOverlap: no two long (over 30 minutes) assignments of one
	// employee overlap.
	RuleNoOverlap = "no_overlap"
	// RuleMaxWorkDays: at most max_work_days_per_week working days per
	// employee per Sunday-based week.
	RuleMaxWorkDays = "max_work_days"
	// RuleSupervisorPairing: a supervisor event is on the same day as its
	// core event's assignment.
	RuleSupervisorPairing = "supervisor_pairing"
	// RuleCoverage: every event the run must decide appears exactly once in
	// proposals or failures, and no other event appears.
	RuleCoverage = "coverage"
	// RuleBump: a bump names a posted assignment exactly and is allowed.
	RuleBump = "bump"
	// RuleRolePreference: a club supervisor is never put on a core event
	// automatically.
	RuleRolePreference = "role_preference"
)

// Problem is one thing wrong with a run's result.
type Problem struct {
	// Event is the ref of the event the problem is about: the proposal's
	// event for a broken placement rule, the displacing proposal's event
	// for a bad bump, the missing or repeated event for coverage.
	Event int64
	// Rule is one of the Rule constants.
	Rule string
	// Message says what is wrong, with the employee, day and the values
	// the rule compared.
	Message string
}

// String returns "event REF: RULE: MESSAGE".
func (p Problem) String() string {
	return fmt.Sprintf("event %d: %s: %s", p.Event, p.Rule, p.Message)
}

// The event types and roles of scheduling-rules.md, as they are spelled in
// scenario files.
const (
	typeCore       = "core"
	typeSupervisor = "supervisor"
	typeJuicer     = "juicer"
	typeFreeosk    = "freeosk"
	typeDigital    = "digital"
	typeOther      = "other"

	roleClubSupervisor = "club_supervisor"
	roleLead           = "lead"
	roleSpecialist     = "specialist"
	roleJuicer         = "juicer"
)

// longMinutes is the length an assignment must exceed to be long; only
// long assignments may not overlap.
const longMinutes = 30

// Check returns every problem of res as the result of a run over sc, in
// order of event ref and then rule; nil when there is none. sc should come
// from scenario.Parse (defaults filled in); a hand-built Scenario whose
// Settings are the zero value is checked with the product's defaults.
// Neither sc nor res may be nil, and Check changes neither.
func Check(sc *scenario.Scenario, res *scenario.Result) []Problem {
	c := newChecker(sc, res)
	c.matchBumps()
	c.checkBumps()
	c.checkCoverage()
	c.buildFinal()
	for i := range res.Proposals {
		c.checkPlacement(i)
	}
	c.checkEmployees()
	c.checkMovedSupervisors()
	slices.SortStableFunc(c.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Event, b.Event), cmp.Compare(a.Rule, b.Rule))
	})
	return c.problems
}

// slot is one assignment of the final schedule.
type slot struct {
	event    *scenario.Event
	employee string
	at       civil.DateTime
	proposal int // index in the result's proposals; -1 for a posted assignment
}

func (s *slot) isProposal() bool { return s.proposal >= 0 }

// start and end are in minutes since 0001-01-01 00:00, so that an
// assignment running past midnight still meets the next day's.
func (s *slot) start() int64 { return int64(s.at.Date)*24*60 + int64(s.at.Clock) }
func (s *slot) end() int64   { return s.start() + int64(duration(s.event)) }

type checker struct {
	sc       *scenario.Scenario
	res      *scenario.Result
	settings scenario.Settings
	today    civil.Date

	employees map[string]*scenario.Employee
	events    map[int64]*scenario.Event
	posted    map[int64]scenario.Assignment // by event ref
	holidays  map[civil.Date]bool
	locked    map[civil.Date]bool

	// bumpedBy maps the event ref of each posted assignment that a proposal
	// bumps (naming it exactly) to that proposal's index.
	bumpedBy map[int64]int
	// final is the final schedule; finalOf indexes it by event ref.
	final   []slot
	finalOf map[int64][]int

	problems []Problem
}

func newChecker(sc *scenario.Scenario, res *scenario.Result) *checker {
	c := &checker{
		sc:        sc,
		res:       res,
		settings:  sc.Settings,
		today:     sc.Now.Date,
		employees: make(map[string]*scenario.Employee, len(sc.Employees)),
		events:    make(map[int64]*scenario.Event, len(sc.Events)),
		posted:    make(map[int64]scenario.Assignment, len(sc.Posted)),
		holidays:  make(map[civil.Date]bool, len(sc.Holidays)),
		locked:    make(map[civil.Date]bool, len(sc.LockedDays)),
		bumpedBy:  make(map[int64]int),
		finalOf:   make(map[int64][]int),
	}
	if c.settings.EarliestOffsetDays == nil && c.settings.MaxWorkDaysPerWeek == 0 && c.settings.CoreSlots == nil {
		c.settings = scenario.DefaultSettings()
	}
	if c.settings.MaxWorkDaysPerWeek == 0 {
		c.settings.MaxWorkDaysPerWeek = scenario.DefaultMaxWorkDaysPerWeek
	}
	for i := range sc.Employees {
		c.employees[sc.Employees[i].ID] = &sc.Employees[i]
	}
	for i := range sc.Events {
		c.events[sc.Events[i].Ref] = &sc.Events[i]
	}
	for _, a := range sc.Posted {
		c.posted[a.Event] = a
	}
	for _, h := range sc.Holidays {
		c.holidays[h.Date] = true
	}
	for _, l := range sc.LockedDays {
		c.locked[l.Date] = true
	}
	return c
}

func (c *checker) report(event int64, rule, format string, args ...any) {
	c.problems = append(c.problems, Problem{Event: event, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// matchBumps records which posted assignments the proposals bump. A bump
// must name a posted assignment exactly (event, employee and time), and
// each posted assignment can be bumped once.
func (c *checker) matchBumps() {
	for i, p := range c.res.Proposals {
		if p.Bumps == nil {
			continue
		}
		b := *p.Bumps
		posted, ok := c.posted[b.Event]
		switch {
		case !ok:
			c.report(p.Event, RuleBump, "bumps event %d, which has no posted assignment", b.Event)
		case posted != b:
			c.report(p.Event, RuleBump, "bumps %s, but event %d is posted as %s at %s",
				describe(b), b.Event, posted.Employee, posted.At)
		default:
			if j, dup := c.bumpedBy[b.Event]; dup {
				c.report(p.Event, RuleBump, "bumps %s, which the proposal for event %d already bumps",
					describe(b), c.res.Proposals[j].Event)
				continue
			}
			c.bumpedBy[b.Event] = i
		}
	}
}

// checkBumps checks each matched bump: never on a locked day; a core due
// strictly earlier displaces a core not due within bump_protect_days of
// today; or a supervisor moves with its bumped core.
func (c *checker) checkBumps() {
	for _, ref := range sortedKeys(c.bumpedBy) {
		p := c.res.Proposals[c.bumpedBy[ref]]
		b := *p.Bumps
		if c.locked[b.At.Date] {
			c.report(p.Event, RuleBump, "bumps %s on locked day %s", describe(b), b.At.Date)
		}
		displacing, displaced := c.events[p.Event], c.events[b.Event]
		if displacing == nil || displaced == nil {
			continue // an unknown proposal event is a coverage problem
		}
		if p.Event == b.Event && eventType(displacing) == typeSupervisor {
			c.checkSupervisorMove(p, displacing)
			continue
		}
		if p.Event == b.Event {
			c.report(p.Event, RuleBump, "moves its own posted assignment %s; a run never moves a posted assignment by itself", describe(b))
			continue
		}
		if t := eventType(displacing); t != typeCore {
			c.report(p.Event, RuleBump, "a %s event bumps event %d; only a core event may bump", t, b.Event)
		}
		if t := eventType(displaced); t != typeCore {
			c.report(p.Event, RuleBump, "bumps event %d, a %s event; only a core assignment may be bumped", b.Event, t)
		}
		if !displacing.Due.Before(displaced.Due) {
			c.report(p.Event, RuleBump, "bumps event %d due %s, but is due %s itself; the displaced event must be due strictly later",
				b.Event, displaced.Due, displacing.Due)
		}
		if protect := c.today.AddDays(c.settings.BumpProtectDays); !displaced.Due.After(protect) {
			c.report(p.Event, RuleBump, "bumps event %d due %s, within bump_protect_days (%d) of today %s",
				b.Event, displaced.Due, c.settings.BumpProtectDays, c.today)
		}
	}
}

// checkSupervisorMove checks a supervisor proposal that replaces its own
// posted assignment: that is allowed only when its core's posted
// assignment is bumped.
func (c *checker) checkSupervisorMove(p scenario.Proposal, sup *scenario.Event) {
	core := c.coreOf(sup)
	if core == nil {
		c.report(p.Event, RuleBump, "a supervisor moves only with its core, and it has no core event")
		return
	}
	if _, ok := c.bumpedBy[core.Ref]; !ok {
		c.report(p.Event, RuleBump, "a supervisor moves only with its core, and its core %d is not bumped", core.Ref)
	}
}

// mustDecide reports whether the run has to propose or fail ev: an
// unstaffed event without a posted schedule, or one whose posted
// assignment a proposal bumps.
func (c *checker) mustDecide(ev *scenario.Event) bool {
	if _, ok := c.bumpedBy[ev.Ref]; ok {
		return true
	}
	_, posted := c.posted[ev.Ref]
	return !posted && (ev.Condition == "unstaffed" || ev.Condition == "")
}

// checkCoverage checks that every event the run must decide appears
// exactly once in proposals or failures, and that nothing else appears.
func (c *checker) checkCoverage() {
	seen := make(map[int64][]string)
	for i, p := range c.res.Proposals {
		if c.events[p.Event] == nil {
			c.report(p.Event, RuleCoverage, "proposals[%d] is for event %d, which is not in the scenario", i, p.Event)
			continue
		}
		seen[p.Event] = append(seen[p.Event], fmt.Sprintf("proposals[%d]", i))
	}
	for i, f := range c.res.Failures {
		if c.events[f.Event] == nil {
			c.report(f.Event, RuleCoverage, "failures[%d] is for event %d, which is not in the scenario", i, f.Event)
			continue
		}
		seen[f.Event] = append(seen[f.Event], fmt.Sprintf("failures[%d]", i))
	}
	for i := range c.sc.Events {
		ev := &c.sc.Events[i]
		where := seen[ev.Ref]
		_, bumped := c.bumpedBy[ev.Ref]
		switch {
		case len(where) > 1:
			c.report(ev.Ref, RuleCoverage, "appears %d times (%s); it must appear once", len(where), strings.Join(where, ", "))
		case len(where) == 0 && bumped:
			c.report(ev.Ref, RuleCoverage, "its posted assignment is bumped, but it is neither re-placed nor failed")
		case len(where) == 0 && c.mustDecide(ev):
			c.report(ev.Ref, RuleCoverage, "is unstaffed and not posted, but is neither proposed nor failed")
		}
		if len(where) > 0 && !c.mustDecide(ev) {
			if _, posted := c.posted[ev.Ref]; posted {
				c.report(ev.Ref, RuleCoverage, "appears in %s, but it is posted and its posted assignment is not bumped", strings.Join(where, ", "))
			} else {
				c.report(ev.Ref, RuleCoverage, "appears in %s, but its condition is %q; only unstaffed events are placed", strings.Join(where, ", "), ev.Condition)
			}
		}
	}
}

// buildFinal builds the final schedule: posted assignments that are not
// bumped, then every proposal for a known event.
func (c *checker) buildFinal() {
	add := func(s slot) {
		c.finalOf[s.event.Ref] = append(c.finalOf[s.event.Ref], len(c.final))
		c.final = append(c.final, s)
	}
	for _, a := range c.sc.Posted {
		ev := c.events[a.Event]
		if _, bumped := c.bumpedBy[a.Event]; bumped || ev == nil {
			continue
		}
		add(slot{event: ev, employee: a.Employee, at: a.At, proposal: -1})
	}
	for i, p := range c.res.Proposals {
		if ev := c.events[p.Event]; ev != nil {
			add(slot{event: ev, employee: p.Employee, at: p.At, proposal: i})
		}
	}
}

// checkPlacement checks the rules that concern one proposal alone: window,
// earliest day, closed and locked days, whether the employee can work that
// day and is qualified, and the supervisor's pairing with its core.
func (c *checker) checkPlacement(i int) {
	p := c.res.Proposals[i]
	ev := c.events[p.Event]
	if ev == nil {
		return // reported as coverage
	}
	d := p.At.Date
	t := eventType(ev)

	if d.Before(ev.Start) {
		c.report(ev.Ref, RuleWindow, "%s is before start %s", d, ev.Start)
	}
	if d.After(ev.Due) {
		c.report(ev.Ref, RuleWindow, "%s is after due %s", d, ev.Due)
	}
	off := c.earliestOffset(t)
	if earliest := c.today.AddDays(off); d.Before(earliest) {
		c.report(ev.Ref, RuleEarliestDay, "%s is before %s, the earliest day for a %s event (today %s + %d)", d, earliest, t, c.today, off)
	}
	if c.holidays[d] {
		c.report(ev.Ref, RuleClosedDay, "%s is a holiday", d)
	}
	if c.locked[d] {
		c.report(ev.Ref, RuleLockedDay, "%s is a locked day", d)
	}

	emp := c.employees[p.Employee]
	if emp == nil {
		c.report(ev.Ref, RuleCanWork, "there is no employee %q", p.Employee)
	} else {
		if why := cannotWork(emp, d); why != "" {
			c.report(ev.Ref, RuleCanWork, "%s cannot work %s: %s", emp.ID, d, why)
		}
		switch role := string(emp.Role); {
		case t == typeCore && role == roleClubSupervisor:
			c.report(ev.Ref, RuleRolePreference, "%s is a club supervisor, who is never put on a core event automatically", emp.ID)
		case !slices.Contains(qualifiedRoles(t), role):
			c.report(ev.Ref, RuleQualified, "%s is a %s, and a %s event takes %s", emp.ID, role, t, strings.Join(qualifiedRoles(t), " or "))
		}
	}

	if t == typeSupervisor {
		c.checkPairing(ev, d)
	}
}

// earliestOffset returns the earliest-day offset of event type t: the
// scenario's setting, else the product's default.
func (c *checker) earliestOffset(t string) int {
	for k, v := range c.settings.EarliestOffsetDays {
		if string(k) == t {
			return v
		}
	}
	if t == typeCore || t == typeSupervisor {
		return 1
	}
	return 3
}

// cannotWork says why emp cannot work day d, "" when they can.
func cannotWork(emp *scenario.Employee, d civil.Date) string {
	if !emp.Active {
		return "not active"
	}
	if !emp.TerminatedOn.IsZero() && !emp.TerminatedOn.After(d) {
		return "terminated on " + emp.TerminatedOn.String()
	}
	for _, off := range emp.TimeOff {
		if !d.Before(off.Start) && !d.After(off.End) {
			return fmt.Sprintf("time off %s to %s", off.Start, off.End)
		}
	}
	// The scenario format has no date-specific availability override, so
	// a date-specific unavailability decides, then the weekly pattern.
	if slices.Contains(emp.Unavailable, d) {
		return "unavailable that day"
	}
	if emp.Weekly != nil && !emp.Weekly[d.Weekday()] {
		return "does not work on " + d.Weekday().String() + "s"
	}
	return ""
}

// qualifiedRoles returns the roles that may do an event of type t. A club
// supervisor is left out of core on purpose: checkPlacement reports that
// as role_preference.
func qualifiedRoles(t string) []string {
	switch t {
	case typeCore:
		return []string{roleLead, roleSpecialist, roleJuicer}
	case typeSupervisor:
		return []string{roleClubSupervisor, roleLead}
	case typeJuicer:
		return []string{roleJuicer}
	default: // freeosk, digital, other
		return []string{roleLead, roleClubSupervisor}
	}
}

// checkPairing checks that supervisor event sup, proposed on day d, is on
// the same day as its core's assignment in the final schedule.
func (c *checker) checkPairing(sup *scenario.Event, d civil.Date) {
	core := c.coreOf(sup)
	if core == nil {
		switch num := pairingNumber(sup.Name); {
		case sup.ParentRef != 0:
			c.report(sup.Ref, RuleSupervisorPairing, "its parent_ref %d names no core event", sup.ParentRef)
		case num == "":
			c.report(sup.Ref, RuleSupervisorPairing, "has no core event: no parent_ref, and no six-digit number in its name")
		default:
			c.report(sup.Ref, RuleSupervisorPairing, "has no core event: no parent_ref, and no core event's name has its number %s", num)
		}
		return
	}
	idx := c.finalOf[core.Ref]
	if len(idx) == 0 {
		c.report(sup.Ref, RuleSupervisorPairing, "its core %d is neither posted nor proposed", core.Ref)
		return
	}
	var days []string
	for _, k := range idx {
		if c.final[k].at.Date == d {
			return
		}
		days = append(days, c.final[k].at.Date.String())
	}
	c.report(sup.Ref, RuleSupervisorPairing, "is on %s, but its core %d is on %s", d, core.Ref, strings.Join(days, ", "))
}

// coreOf returns the core event of supervisor event sup: the event its
// parent_ref names, else the first core event whose name has the same
// first six-digit number; nil when there is none.
func (c *checker) coreOf(sup *scenario.Event) *scenario.Event {
	if sup.ParentRef != 0 {
		if ev := c.events[sup.ParentRef]; ev != nil && eventType(ev) == typeCore {
			return ev
		}
		return nil
	}
	num := pairingNumber(sup.Name)
	if num == "" {
		return nil
	}
	for i := range c.sc.Events {
		ev := &c.sc.Events[i]
		if eventType(ev) == typeCore && pairingNumber(ev.Name) == num {
			return ev
		}
	}
	return nil
}

// pairingNumber returns the first run of exactly six digits in name, ""
// when there is none.
func pairingNumber(name string) string {
	for i := 0; i < len(name); {
		if !isDigit(name[i]) {
			i++
			continue
		}
		j := i
		for j < len(name) && isDigit(name[j]) {
			j++
		}
		if j-i == 6 {
			return name[i:j]
		}
		i = j
	}
	return ""
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// checkEmployees checks the rules that span an employee's final schedule:
// one core a day, a juicer's core only on a day without a juicer event of
// theirs, no overlap of long assignments, and the working days per week.
// A problem is reported only where a proposal takes part, on a proposal's
// event.
func (c *checker) checkEmployees() {
	byEmployee := make(map[string][]*slot)
	for k := range c.final {
		s := &c.final[k]
		if c.employees[s.employee] != nil { // an unknown employee is a can_work problem
			byEmployee[s.employee] = append(byEmployee[s.employee], s)
		}
	}
	for _, id := range sortedKeys(byEmployee) {
		slots := byEmployee[id]
		slices.SortStableFunc(slots, func(a, b *slot) int { return cmp.Compare(a.start(), b.start()) })
		c.checkDays(c.employees[id], slots)
		c.checkOverlap(id, slots)
		c.checkWeeks(id, slots)
	}
}

// checkDays checks one core a day, and that a juicer does a core only on a
// day with no juicer event of theirs. slots are sorted by start.
func (c *checker) checkDays(emp *scenario.Employee, slots []*slot) {
	for _, day := range groupBy(slots, func(s *slot) civil.Date { return s.at.Date }) {
		var cores, juicer []*slot
		for _, s := range day {
			switch eventType(s.event) {
			case typeCore:
				cores = append(cores, s)
			case typeJuicer:
				juicer = append(juicer, s)
			}
		}
		d := day[0].at.Date
		if len(cores) > 1 {
			if p := firstProposal(cores); p != nil {
				c.report(p.event.Ref, RuleOneCorePerDay, "%s has %d core events on %s: %s", emp.ID, len(cores), d, refs(cores))
			}
		}
		if string(emp.Role) == roleJuicer && len(cores) > 0 && len(juicer) > 0 {
			if p := firstProposal(append(slices.Clone(cores), juicer...)); p != nil {
				c.report(p.event.Ref, RuleQualified, "juicer %s has core %s and juicer event %s on %s; a juicer does a core only on a day with no juicer event of theirs",
					emp.ID, refs(cores), refs(juicer), d)
			}
		}
	}
}

// checkOverlap checks that no two long assignments overlap. slots are
// sorted by start.
func (c *checker) checkOverlap(id string, slots []*slot) {
	for i, a := range slots {
		if duration(a.event) <= longMinutes {
			continue
		}
		for _, b := range slots[i+1:] {
			if b.start() >= a.end() {
				break
			}
			if duration(b.event) <= longMinutes || (!a.isProposal() && !b.isProposal()) {
				continue
			}
			on := b
			if !b.isProposal() {
				on = a
			}
			other := a
			if on == a {
				other = b
			}
			c.report(on.event.Ref, RuleNoOverlap, "%s's assignment at %s (%d min) overlaps their event %d at %s (%d min)",
				id, on.at, duration(on.event), other.event.Ref, other.at, duration(other.event))
		}
	}
}

// checkWeeks checks the working days per Sunday-based week, where a
// proposal adds a day the posted assignments do not already work. slots
// are sorted by start.
func (c *checker) checkWeeks(id string, slots []*slot) {
	limit := c.settings.MaxWorkDaysPerWeek
	for _, week := range groupBy(slots, func(s *slot) civil.Date { return s.at.Date.WeekStart() }) {
		days := groupBy(week, func(s *slot) civil.Date { return s.at.Date })
		if len(days) <= limit {
			continue
		}
		for _, day := range days {
			if !slices.ContainsFunc(day, func(s *slot) bool { return !s.isProposal() }) {
				c.report(day[0].event.Ref, RuleMaxWorkDays, "%s works %d days in the week of %s (at most %d)",
					id, len(days), week[0].at.Date.WeekStart(), limit)
				break
			}
		}
	}
}

// checkMovedSupervisors checks the posted supervisors whose core's posted
// assignment is bumped: when the core is re-placed on another day, the
// supervisor must move with it.
func (c *checker) checkMovedSupervisors() {
	for _, a := range c.sc.Posted {
		sup := c.events[a.Event]
		if sup == nil || eventType(sup) != typeSupervisor {
			continue
		}
		if _, moved := c.bumpedBy[a.Event]; moved {
			continue
		}
		core := c.coreOf(sup)
		if core == nil {
			continue
		}
		if _, bumped := c.bumpedBy[core.Ref]; !bumped {
			continue
		}
		for _, k := range c.finalOf[core.Ref] {
			if d := c.final[k].at.Date; d != a.At.Date {
				c.report(sup.Ref, RuleSupervisorPairing, "its core %d moves to %s, but the supervisor stays posted on %s", core.Ref, d, a.At.Date)
				break
			}
		}
	}
}

// eventType returns ev's type, detected from its name when the event has
// none: upper-cased, first match wins.
func eventType(ev *scenario.Event) string {
	if ev.Type != "" {
		return string(ev.Type)
	}
	u := strings.ToUpper(ev.Name)
	switch {
	case strings.Contains(u, "CORE"):
		return typeCore
	case strings.Contains(u, "DIGITAL"):
		return typeDigital
	case strings.Contains(u, "JUICER"):
		return typeJuicer
	case strings.Contains(u, "SUPERVISOR"), strings.Contains(u, "V2-SUPER"):
		return typeSupervisor
	case strings.Contains(u, "FREEOSK"):
		return typeFreeosk
	}
	return typeOther
}

// duration returns ev's length in minutes: its own, else its type's
// default.
func duration(ev *scenario.Event) int {
	if ev.DurationMin > 0 {
		return ev.DurationMin
	}
	switch eventType(ev) {
	case typeCore:
		return 390
	case typeSupervisor:
		return 5
	case typeJuicer:
		if ev.Kind == "survey" || (ev.Kind == "" && strings.Contains(strings.ToUpper(ev.Name), "SURVEY")) {
			return 15
		}
		return 540
	}
	return 15
}

// describe returns an assignment as "event 611990 (E03 at 2026-03-04T09:45)".
func describe(a scenario.Assignment) string {
	return fmt.Sprintf("event %d (%s at %s)", a.Event, a.Employee, a.At)
}

func firstProposal(slots []*slot) *slot {
	for _, s := range slots {
		if s.isProposal() {
			return s
		}
	}
	return nil
}

func refs(slots []*slot) string {
	var b strings.Builder
	for i, s := range slots {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, s.event.Ref)
	}
	return b.String()
}

// groupBy splits sorted slots into runs with the same key.
func groupBy[K comparable](slots []*slot, key func(*slot) K) [][]*slot {
	var groups [][]*slot
	for i, s := range slots {
		if i == 0 || key(slots[i-1]) != key(s) {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], s)
	}
	return groups
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
