package scenario

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// GenerateOptions size and seed a generated scenario.
type GenerateOptions struct {
	Employees int    // MinEmployees to MaxEmployees
	Weeks     int    // MinWeeks to MaxWeeks: the horizon after Now
	Seed      uint64 // the same seed and sizes give the same scenario
	// Now is the scenario's moment; zero means DefaultNow, the shared
	// examples' 2026-03-02T08:00.
	Now civil.DateTime
}

// The sizes Generate accepts. A scenario needs one employee of each role for
// every event type to have someone qualified and both rotations to be
// staffed; the upper bounds keep event refs six-digit numbers.
const (
	MinEmployees = 4
	MaxEmployees = 1000
	MinWeeks     = 1
	MaxWeeks     = 13
)

// DefaultNow is the moment of a generated scenario when none is given.
var DefaultNow = civil.DateTime{Date: civil.NewDate(2026, 3, 2), Clock: civil.NewClock(8, 0)}

// The shape of a generated scenario, taken from the shared examples
// (region-month: 60 people, four weeks, 2,121 events).
const (
	coresPerPersonDay = 0.75 // new core events per employee per day
	supervisorShare   = 0.5  // cores that have a supervisor event
	parentRefShare    = 0.8  // supervisor events that name their core
	postedShare       = 0.15 // core events already posted
	peoplePerUnit     = 60   // people per set of daily juicer/digital/freeosk/other events
	supervisorOffset  = 500000
	firstRef          = 600000
	maxCoreRef        = 999999
)

// Generate builds a realistic scenario: a role mix of about one club
// supervisor per 12 people, one lead per 6 and one juicer per 8, the rest
// specialists; weekly patterns with days off, scattered unavailable dates
// and time off; core events (about half with a supervisor event, a fifth
// of which pair by name only), daily juicer production and survey, digital,
// freeosk and other events; rotations, one rotation exception, a locked day,
// a holiday from two weeks on, and about 15% of core events posted to
// someone who can work them. The result passes Parse's checks, and the same
// options always give the same scenario.
func Generate(opts GenerateOptions) (*Scenario, error) {
	if opts.Employees < MinEmployees || opts.Employees > MaxEmployees {
		return nil, fmt.Errorf("generate scenario: %d employees is out of range: want %d to %d (at least one of each role)", opts.Employees, MinEmployees, MaxEmployees)
	}
	if opts.Weeks < MinWeeks || opts.Weeks > MaxWeeks {
		return nil, fmt.Errorf("generate scenario: %d weeks is out of range: want %d to %d", opts.Weeks, MinWeeks, MaxWeeks)
	}
	now := opts.Now
	if now.IsZero() {
		now = DefaultNow
	}
	g := &generator{
		rng:  rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		now:  now.Date,
		days: 7 * opts.Weeks,
		s:    &Scenario{Version: Version, Now: now, Settings: DefaultSettings()},
	}
	g.employees(opts.Employees)
	g.rotations()
	g.calendar()
	g.events(opts.Employees)
	if g.ref > maxCoreRef {
		return nil, fmt.Errorf("generate scenario: %d employees for %d weeks need more than six-digit event refs", opts.Employees, opts.Weeks)
	}
	g.post()

	var ps problems
	check(g.s, &ps)
	if err := ps.err(); err != nil {
		return nil, fmt.Errorf("generate scenario: produced an invalid scenario (a bug): %w", err)
	}
	return g.s, nil
}

type generator struct {
	rng  *rand.Rand
	now  civil.Date
	days int // the horizon: now+1 to now+days
	s    *Scenario

	leads, juicers, coreWorkers []int // employee indexes
	ref                         int64
}

var (
	firstNames = []string{"Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Mia", "Nico", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vik", "Wen", "Xia", "Yara", "Zed"}
	lastNames  = []string{"Berg", "Chen", "Diaz", "Evans", "Haddad", "Ito", "Kim", "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Ruiz", "Silva", "Smith", "Tanaka", "Weber"}
	products   = []string{"Apple Slices", "Beef Jerky", "Cold Brew", "Dark Chocolate", "Energy Drink", "Frozen Pizza", "Granola", "Greek Yogurt", "Hummus", "Kombucha", "Mac and Cheese", "Oat Milk", "Pasta Sauce", "Protein Bars", "Rotisserie Chicken", "Salsa", "Sparkling Water", "Trail Mix"}
	offReasons = []string{"vacation", "vacation", "vacation", "sick", "personal"}
)

// roundDiv returns n/k rounded half up.
func roundDiv(n, k int) int { return (2*n + k) / (2 * k) }

func (g *generator) day(offset int) civil.Date { return g.now.AddDays(offset) }

// horizonDay returns a random day of the horizon.
func (g *generator) horizonDay() civil.Date { return g.day(1 + g.rng.IntN(g.days)) }

func (g *generator) employees(n int) {
	sups := max(1, roundDiv(n, 12))
	leads := max(1, roundDiv(n, 6))
	juicers := max(1, roundDiv(n, 8))
	width := max(3, len(strconv.Itoa(n)))
	g.s.Employees = make([]Employee, n)
	for i := range n {
		e := &g.s.Employees[i]
		e.ID = fmt.Sprintf("E%0*d", width, i+1)
		e.Name = firstNames[g.rng.IntN(len(firstNames))] + " " + lastNames[g.rng.IntN(len(lastNames))]
		e.Active = true
		e.ExternalID = strconv.Itoa(1000 + i)
		switch {
		case i < sups:
			e.Role = store.RoleClubSupervisor
		case i < sups+leads:
			e.Role = store.RoleLead
			g.leads = append(g.leads, i)
			g.coreWorkers = append(g.coreWorkers, i)
		case i < sups+leads+juicers:
			e.Role = store.RoleJuicer
			g.juicers = append(g.juicers, i)
		default:
			e.Role = store.RoleSpecialist
			g.coreWorkers = append(g.coreWorkers, i)
		}

		w := [7]bool{true, true, true, true, true, true, true}
		off := 0
		switch r := g.rng.Float64(); {
		case r < 0.62:
		case r < 0.77:
			off = 1
		case r < 0.82:
			off = 2
		default:
			off = 3
		}
		for _, wd := range g.rng.Perm(7)[:off] {
			w[wd] = false
		}
		e.Weekly = &w

		if g.rng.Float64() < 0.14 {
			for range 1 + g.rng.IntN(2) {
				if d := g.horizonDay(); !slices.Contains(e.Unavailable, d) {
					e.Unavailable = append(e.Unavailable, d)
				}
			}
			slices.Sort(e.Unavailable)
		}
		if g.rng.Float64() < 0.18 {
			start := g.horizonDay()
			e.TimeOff = []TimeOff{{Start: start, End: start.AddDays(g.rng.IntN(5)), Reason: offReasons[g.rng.IntN(len(offReasons))]}}
		}
		if e.Role == store.RoleSpecialist {
			switch r := g.rng.Float64(); {
			case r < 0.03:
				e.Active = false
			case r < 0.05:
				e.TerminatedOn = g.horizonDay()
			}
		}
	}
}

// rotations fills the weekly rotations round-robin (Monday first, as in
// the examples), makes sure everyone on a rotation works their rotation
// days, and adds one exception.
func (g *generator) rotations() {
	r := &g.s.Rotations
	for k, wd := range weekdayKeys {
		j := g.juicers[k%len(g.juicers)]
		l := g.leads[k%len(g.leads)]
		r.Juicer[wd] = g.s.Employees[j].ID
		r.PrimaryLead[wd] = g.s.Employees[l].ID
		g.s.Employees[j].Weekly[wd] = true
		g.s.Employees[l].Weekly[wd] = true
	}

	t, pool := store.RotationJuicer, g.juicers
	if len(pool) < 2 {
		t, pool = store.RotationPrimaryLead, g.leads
	}
	if len(pool) < 2 {
		return
	}
	day := g.horizonDay()
	regular := r.On(t, day.Weekday())
	var cands []int
	for _, i := range pool {
		if e := &g.s.Employees[i]; e.ID != regular && canWork(e, day) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return
	}
	who := g.s.Employees[cands[g.rng.IntN(len(cands))]].ID
	g.s.RotationExceptions = []RotationException{{Date: day, Type: t, Employee: who}}
}

// calendar adds a locked day early in the horizon and, from two weeks on, a
// holiday.
func (g *generator) calendar() {
	g.s.LockedDays = []LockedDay{{Date: g.day(3 + g.rng.IntN(3)), Reason: "inventory count"}}
	if g.days >= 14 {
		g.s.Holidays = []Holiday{{Date: g.day(8 + g.rng.IntN(5)), Name: "Store closed"}}
	}
}

// coreWeight shapes how many core events start on day offset o: fewer
// before now (most of those are posted or done already) and at the end of
// the horizon (not released yet), as in the examples.
func coreWeight(o, days int) float64 {
	w := 1.0
	if o <= 1 {
		w = []float64{0.3, 0.45, 0.55, 0.7, 0.85}[o+3]
	}
	if tail := days - o; tail < 3 {
		w = min(w, []float64{0.15, 0.45, 0.6}[tail])
	}
	return w
}

func (g *generator) nextRef() int64 {
	g.ref += 1 + int64(g.rng.IntN(3))
	return g.ref
}

func (g *generator) add(e Event) {
	fillEvent(&e)
	g.s.Events = append(g.s.Events, e)
}

// events adds the events day by day, refs rising: the cores released that
// day, each followed by its supervisor event, then the day's daily events.
func (g *generator) events(people int) {
	units := max(1, roundDiv(people, peoplePerUnit))
	g.ref = firstRef + int64(g.rng.IntN(9000))
	rng := g.rng
	for o := -3; o <= g.days; o++ {
		day := g.day(o)
		mean := coresPerPersonDay * float64(people) * coreWeight(o, g.days)
		n := int(mean*(0.85+0.3*rng.Float64()) + rng.Float64())
		for range n {
			ref := g.nextRef()
			product := products[rng.IntN(len(products))]
			upc := fmt.Sprintf("%06d%06d", rng.IntN(1000000), rng.IntN(1000000))
			due := day.AddDays(7 + rng.IntN(7))
			base := fmt.Sprintf("%d-CF-%s (%s) - V2-", ref, product, upc)
			g.add(Event{Ref: ref, Name: base + "CORE", Type: store.EventCore, Start: day, Due: due})
			if rng.Float64() < supervisorShare {
				sup := Event{Ref: ref + supervisorOffset, Name: base + "Supervisor", Type: store.EventSupervisor, Start: day, Due: due}
				if rng.Float64() < parentRefShare {
					sup.ParentRef = ref
				}
				g.add(sup)
			}
		}
		if o < 1 {
			continue
		}
		stamp := day.String()
		_, month, dom := day.YMD()
		for range units {
			ref := g.nextRef()
			g.add(Event{Ref: ref, Name: fmt.Sprintf("%d-JUICER-PRODUCTION-SPCLTY %s", ref, stamp), Type: store.EventJuicer, Start: day, Due: day.AddDays(rng.IntN(3))})
			ref = g.nextRef()
			g.add(Event{Ref: ref, Name: fmt.Sprintf("%d-JUICER SURVEY %s", ref, stamp), Type: store.EventJuicer, Start: day, Due: day.AddDays(rng.IntN(3))})
			kinds := []string{"Setup", "Refresh", "Teardown"}
			rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
			for _, kind := range kinds[:1+rng.IntN(3)] {
				ref = g.nextRef()
				g.add(Event{Ref: ref, Name: fmt.Sprintf("%02d.%02d %d Digital %s", int(month), dom, ref, kind), Type: store.EventDigital, Start: day, Due: day.AddDays(2 + rng.IntN(5))})
			}
			if rng.Float64() < 0.57 {
				ref = g.nextRef()
				g.add(Event{Ref: ref, Name: fmt.Sprintf("%d Freeosk Daily Service-9AM", ref), Type: store.EventFreeosk, Start: day, Due: day.AddDays(1)})
			}
			if rng.Float64() < 0.8 {
				ref = g.nextRef()
				g.add(Event{Ref: ref, Name: fmt.Sprintf("%d %s - Vendor Performed", ref, products[rng.IntN(len(products))]), Type: store.EventOther, Start: day, Due: day.AddDays(3 + rng.IntN(5))})
			}
		}
	}
}

// post posts about postedShare of the core events, each on a day of its
// window within the horizon that is not a holiday, to a lead or specialist who can
// work that day, has no other core that day and stays within the week's
// working days. A posted event's condition becomes scheduled.
func (g *generator) post() {
	type empDay struct {
		emp int
		day civil.Date
	}
	busy := map[empDay]bool{}
	weekDays := map[empDay]int{} // day is the week's Sunday
	holiday := map[civil.Date]bool{}
	for _, h := range g.s.Holidays {
		holiday[h.Date] = true
	}
	slots := g.s.Settings.CoreSlots
	first, last := g.day(1), g.day(g.days)
	for i := range g.s.Events {
		e := &g.s.Events[i]
		if e.Type != store.EventCore || g.rng.Float64() >= postedShare {
			continue
		}
		lo, hi := max(e.Start, first), min(e.Due, last)
		if hi.Before(lo) {
			continue
		}
		span := lo.DaysUntil(hi) + 1
		for range 12 {
			day := lo.AddDays(g.rng.IntN(span))
			emp := g.coreWorkers[g.rng.IntN(len(g.coreWorkers))]
			week := empDay{emp, day.WeekStart()}
			if holiday[day] || busy[empDay{emp, day}] || weekDays[week] >= g.s.Settings.MaxWorkDaysPerWeek || !canWork(&g.s.Employees[emp], day) {
				continue
			}
			busy[empDay{emp, day}] = true
			weekDays[week]++
			e.Condition = store.ConditionScheduled
			g.s.Posted = append(g.s.Posted, Assignment{
				Event:    e.Ref,
				Employee: g.s.Employees[emp].ID,
				At:       civil.DateTime{Date: day, Clock: slots[g.rng.IntN(len(slots))]},
			})
			break
		}
	}
}

// canWork reports whether e can work day d by the People rules of the
// scheduling rules: active, not terminated on or before d, not on time off,
// not unavailable, and working that day of the week.
func canWork(e *Employee, d civil.Date) bool {
	if !e.Active || (!e.TerminatedOn.IsZero() && !e.TerminatedOn.After(d)) {
		return false
	}
	return availableOn(e, d)
}

// availableOn is canWork without the employment checks.
func availableOn(e *Employee, d civil.Date) bool {
	if e.Weekly != nil && !e.Weekly[d.Weekday()] {
		return false
	}
	for _, t := range e.TimeOff {
		if !d.Before(t.Start) && !d.After(t.End) {
			return false
		}
	}
	return !slices.Contains(e.Unavailable, d)
}
