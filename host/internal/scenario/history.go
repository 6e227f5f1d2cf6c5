package scenario

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// HistoryOptions size and seed a generated history.
type HistoryOptions struct {
	Weeks int    // weeks before the scenario's now; 0 or less gives none, at most MaxHistoryWeeks
	Seed  uint64 // the same scenario and options give the same history
}

// MaxHistoryWeeks caps HistoryOptions.Weeks.
const MaxHistoryWeeks = 104

// PastAssignment is an assignment that was worked (or not) before a
// scenario's now, with how the employee attended it.
type PastAssignment struct {
	Event       int64 // a past event's ref; never one of the scenario's refs
	Name        string
	Type        store.EventType
	Employee    string
	Date        civil.Date
	Start       civil.Clock
	Attendance  store.Attendance
	MinutesLate int // how late, when Attendance is late; else 0
}

// GenerateHistory returns the assignments of the opts.Weeks weeks before
// s.Now, in date and start order, for demo data and for ranking models to
// learn from.
//
// Every employee has a hidden reliability that stays with them for the
// whole history: most are reliably on time, some are often late or call in,
// a few do not show up without calling. Two hidden habits shape it further:
// people who are not morning people are late more often for starts before
// 10:00, and weekend flakes call in more on Fridays to Sundays. Employees
// who are inactive now were less reliable, and stopped working at some
// point. One outcome covers a person's whole day: a call-in or no-show
// misses all of that day's assignments; lateness applies to the first.
//
// The work respects the roles: the day's rotation juicer does the juicer
// production and survey, other juicers and specialists work core events,
// leads work cores and the primary lead the freeosk and digital setup or
// refresh, other leads the digital teardown, and the club supervisor (else
// a lead) the supervisor events of the day's cores and the other tasks.
// Nobody works more than one core a day or more than the scenario's
// working days per week; holidays and days off are respected.
func GenerateHistory(s *Scenario, opts HistoryOptions) []PastAssignment {
	weeks := min(opts.Weeks, MaxHistoryWeeks)
	if weeks <= 0 || len(s.Employees) == 0 {
		return nil
	}
	h := &historian{
		s:     s,
		rng:   rand.New(rand.NewPCG(opts.Seed, opts.Seed^0xd1b54a32d192ed03)),
		first: s.Now.Date.AddDays(-7 * weeks),
	}
	h.profiles()
	for d := h.first; d.Before(s.Now.Date); d = d.AddDays(1) {
		h.workDay(d)
	}
	return h.finish()
}

// profile is an employee's hidden attendance behaviour.
type profile struct {
	pLate, pCalledIn, pNoShow, pExcused float64
	reliability                         float64 // 0 (never shows) to 1
	morningPerson                       bool
	weekendFlake                        bool
	lastDay                             civil.Date // inactive employees worked until then
}

// task is a past assignment before its event gets a ref and a name.
type task struct {
	PastAssignment
	product, upc string
	parent       int // for a supervisor task, the index of its core task; else -1
	emp          int
	kind         string // a digital kind
}

type historian struct {
	s     *Scenario
	rng   *rand.Rand
	first civil.Date

	prof      []profile
	weekDays  map[[2]int]int // employee index, week start → days worked
	tasks     []task
	slotTurn  int
	digitalAt int
}

func (h *historian) profiles() {
	h.prof = make([]profile, len(h.s.Employees))
	h.weekDays = map[[2]int]int{}
	days := h.first.DaysUntil(h.s.Now.Date)
	for i := range h.s.Employees {
		p := &h.prof[i]
		switch r := h.rng.Float64(); {
		case r < 0.55: // reliable
			p.reliability = 0.9 + 0.1*h.rng.Float64()
		case r < 0.85: // average
			p.reliability = 0.7 + 0.2*h.rng.Float64()
		case r < 0.96: // often late or calls in
			p.reliability = 0.4 + 0.3*h.rng.Float64()
		default: // no-call-no-shows
			p.reliability = 0.1 + 0.3*h.rng.Float64()
		}
		p.morningPerson = h.rng.Float64() < 0.6
		p.weekendFlake = h.rng.Float64() < 0.2
		if !h.s.Employees[i].Active {
			p.reliability = max(0.05, p.reliability-0.3)
			p.lastDay = h.first.AddDays(h.rng.IntN(days))
		}
		u := 1 - p.reliability
		p.pNoShow = 0.3 * u * u
		p.pCalledIn = 0.45 * u
		p.pLate = 0.35 * u
		p.pExcused = 0.015
	}
}

// canWorkPast is canWork for a past day: employees inactive now were
// active until their profile's last day.
func (h *historian) canWorkPast(i int, d civil.Date) bool {
	e := &h.s.Employees[i]
	if !e.Active && d.After(h.prof[i].lastDay) {
		return false
	}
	if !e.TerminatedOn.IsZero() && !e.TerminatedOn.After(d) {
		return false
	}
	return availableOn(e, d)
}

// rotation returns the employee index on rotation t on day d (an exception
// wins over the weekly rotation), -1 when nobody is.
func (h *historian) rotation(t store.RotationType, d civil.Date) int {
	id := h.s.Rotations.On(t, d.Weekday())
	for _, x := range h.s.RotationExceptions {
		if x.Date == d && x.Type == t {
			id = x.Employee
		}
	}
	return slices.IndexFunc(h.s.Employees, func(e Employee) bool { return e.ID == id && id != "" })
}

func (h *historian) workDay(d civil.Date) {
	for _, hol := range h.s.Holidays {
		if hol.Date == d {
			return
		}
	}
	rng := h.rng
	week := int(d.WeekStart())
	juicer := h.rotation(store.RotationJuicer, d)
	lead := h.rotation(store.RotationPrimaryLead, d)

	// Who works today.
	maxDays := cmp.Or(h.s.Settings.MaxWorkDaysPerWeek, DefaultMaxWorkDaysPerWeek)
	working := make([]bool, len(h.s.Employees))
	for i := range h.s.Employees {
		p := 0.7
		if i == juicer || i == lead {
			p = 0.95
		}
		if h.canWorkPast(i, d) && h.weekDays[[2]int{i, week}] < maxDays && rng.Float64() < p {
			working[i] = true
		}
	}
	role := func(i int) store.Role { return h.s.Employees[i].Role }
	firstWorking := func(r store.Role, skip int) int {
		for i := range h.s.Employees {
			if working[i] && role(i) == r && i != skip {
				return i
			}
		}
		return -1
	}
	if juicer < 0 || !working[juicer] || role(juicer) != store.RoleJuicer {
		juicer = firstWorking(store.RoleJuicer, -1)
	}
	if lead < 0 || !working[lead] || role(lead) != store.RoleLead {
		lead = firstWorking(store.RoleLead, -1)
	}

	start := len(h.tasks)
	add := func(emp int, t store.EventType, at civil.Clock) *task {
		h.tasks = append(h.tasks, task{
			PastAssignment: PastAssignment{Type: t, Employee: h.s.Employees[emp].ID, Date: d, Start: at},
			parent:         -1, emp: emp,
		})
		return &h.tasks[len(h.tasks)-1]
	}
	core := func(emp int) {
		slots := h.s.Settings.CoreSlots
		if len(slots) == 0 {
			slots = DefaultCoreSlots()
		}
		h.slotTurn++
		t := add(emp, store.EventCore, slots[h.slotTurn%len(slots)])
		t.product = products[rng.IntN(len(products))]
		t.upc = fmt.Sprintf("%06d%06d", rng.IntN(1000000), rng.IntN(1000000))
	}
	digital := func(emp int, kind string) {
		var at civil.Clock
		if kind == "Teardown" {
			at = civil.NewClock(18, 15*(h.digitalAt%4))
		} else {
			at = civil.NewClock(10, 15+15*(h.digitalAt%4))
		}
		h.digitalAt++
		add(emp, store.EventDigital, at).kind = kind
	}

	if juicer >= 0 {
		add(juicer, store.EventJuicer, civil.NewClock(9, 0)).kind = "production"
		add(juicer, store.EventJuicer, civil.NewClock(17, 0)).kind = "survey"
	}
	for i := range h.s.Employees {
		if !working[i] {
			continue
		}
		switch role(i) {
		case store.RoleSpecialist:
			core(i)
		case store.RoleJuicer:
			if i != juicer && rng.Float64() < 0.7 {
				core(i)
			}
		case store.RoleLead:
			if rng.Float64() < 0.85 {
				core(i)
			}
			if i != lead && rng.Float64() < 0.4 {
				digital(i, "Teardown")
			}
		}
	}
	sup := firstWorking(store.RoleClubSupervisor, -1)
	if lead >= 0 {
		if rng.Float64() < 0.6 {
			add(lead, store.EventFreeosk, civil.NewClock(10, 0))
		}
		for range rng.IntN(3) {
			digital(lead, []string{"Setup", "Refresh"}[rng.IntN(2)])
		}
	} else if sup >= 0 && rng.Float64() < 0.6 {
		add(sup, store.EventFreeosk, civil.NewClock(10, 0))
	}
	boss := sup
	if boss < 0 {
		boss = lead
	}
	if boss >= 0 && rng.Float64() < 0.7 {
		add(boss, store.EventOther, civil.NewClock(11, 0))
	}
	// Supervisor events go with about half of the day's cores: to the club
	// supervisors working today in turn, else the primary lead, else
	// another lead.
	var bosses []int
	for i := range h.s.Employees {
		if working[i] && role(i) == store.RoleClubSupervisor {
			bosses = append(bosses, i)
		}
	}
	if len(bosses) == 0 && lead >= 0 {
		bosses = []int{lead}
	}
	end := len(h.tasks)
	for k := start; k < end && len(bosses) > 0; k++ {
		if h.tasks[k].Type != store.EventCore || rng.Float64() >= supervisorShare {
			continue
		}
		t := add(bosses[k%len(bosses)], store.EventSupervisor, civil.NewClock(12, 0))
		t.parent = k
	}

	// Attendance: one outcome per person and day.
	firstOfDay := make([]int, len(h.s.Employees)) // task index + 1; 0 when none
	for k := start; k < len(h.tasks); k++ {
		emp := h.tasks[k].emp
		if f := firstOfDay[emp] - 1; f < 0 || h.tasks[k].Start < h.tasks[f].Start {
			firstOfDay[emp] = k + 1
		}
	}
	for emp, f := range firstOfDay {
		if f--; f < 0 {
			continue
		}
		h.weekDays[[2]int{emp, week}]++
		outcome, late := h.attend(emp, d, h.tasks[f].Start)
		for k := start; k < len(h.tasks); k++ {
			if h.tasks[k].emp != emp {
				continue
			}
			t := &h.tasks[k]
			t.Attendance = outcome
			if outcome == store.AttendanceLate && k != f {
				t.Attendance = store.AttendanceOnTime
			}
			if t.Attendance == store.AttendanceLate {
				t.MinutesLate = late
			}
		}
	}
}

// attend draws how employee emp attends day d, starting at start.
func (h *historian) attend(emp int, d civil.Date, start civil.Clock) (store.Attendance, int) {
	p := &h.prof[emp]
	pLate, pCalled := p.pLate, p.pCalledIn
	if !p.morningPerson && start < civil.NewClock(10, 0) {
		pLate *= 1.8
	}
	if wd := d.Weekday(); p.weekendFlake && (wd == time.Friday || wd == time.Saturday || wd == time.Sunday) {
		pCalled *= 2
	}
	r := h.rng.Float64()
	switch {
	case r < p.pNoShow:
		return store.AttendanceNoCallNoShow, 0
	case r < p.pNoShow+pCalled:
		return store.AttendanceCalledIn, 0
	case r < p.pNoShow+pCalled+p.pExcused:
		return store.AttendanceExcused, 0
	case r < p.pNoShow+pCalled+p.pExcused+pLate:
		late := 3 + int(h.rng.ExpFloat64()*10*(1.5-p.reliability))
		return store.AttendanceLate, min(late, 120)
	}
	return store.AttendanceOnTime, 0
}

// finish gives the past events refs below the scenario's (skipping any the
// scenario uses) and names, and sorts the history.
func (h *historian) finish() []PastAssignment {
	used := make(map[int64]bool, len(h.s.Events)+len(h.tasks))
	lowest := int64(firstRef)
	for _, e := range h.s.Events {
		used[e.Ref] = true
		if e.Ref < lowest && e.Ref >= 100000 {
			lowest = e.Ref
		}
	}
	base := 0
	for _, t := range h.tasks {
		if t.parent < 0 {
			base++
		}
	}
	ref := max(100000, lowest-int64(2*base)-1000)
	free := func(r int64) int64 {
		for used[r] {
			r++
		}
		used[r] = true
		return r
	}
	out := make([]PastAssignment, len(h.tasks))
	for k := range h.tasks {
		t := &h.tasks[k]
		if t.parent >= 0 {
			continue
		}
		ref = free(ref + 1 + int64(h.rng.IntN(2)))
		t.Event = ref
		stamp := t.Date.String()
		_, month, dom := t.Date.YMD()
		switch t.Type {
		case store.EventCore:
			t.Name = fmt.Sprintf("%d-CF-%s (%s) - V2-CORE", ref, t.product, t.upc)
		case store.EventJuicer:
			if t.kind == "survey" {
				t.Name = fmt.Sprintf("%d-JUICER SURVEY %s", ref, stamp)
			} else {
				t.Name = fmt.Sprintf("%d-JUICER-PRODUCTION-SPCLTY %s", ref, stamp)
			}
		case store.EventDigital:
			t.Name = fmt.Sprintf("%02d.%02d %d Digital %s", int(month), dom, ref, t.kind)
		case store.EventFreeosk:
			t.Name = fmt.Sprintf("%d Freeosk Daily Service-9AM", ref)
		default:
			t.Name = fmt.Sprintf("%d %s - Vendor Performed", ref, products[h.rng.IntN(len(products))])
		}
	}
	for k := range h.tasks {
		t := &h.tasks[k]
		if t.parent < 0 {
			continue
		}
		c := &h.tasks[t.parent]
		t.Event = free(c.Event + supervisorOffset)
		t.Name = fmt.Sprintf("%d-CF-%s (%s) - V2-Supervisor", c.Event, c.product, c.upc)
	}
	for k := range h.tasks {
		out[k] = h.tasks[k].PastAssignment
	}
	slices.SortStableFunc(out, func(a, b PastAssignment) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Start, b.Start), cmp.Compare(a.Employee, b.Employee), cmp.Compare(a.Event, b.Event))
	})
	return out
}
