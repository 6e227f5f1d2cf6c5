package scenario_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

func generate(t testing.TB, opts scenario.GenerateOptions) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Generate(opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return s
}

func written(t testing.TB, s *scenario.Scenario) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := scenario.Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGenerateDeterministic(t *testing.T) {
	opts := scenario.GenerateOptions{Employees: 60, Weeks: 4, Seed: 42}
	a, b := written(t, generate(t, opts)), written(t, generate(t, opts))
	if !bytes.Equal(a, b) {
		t.Error("the same options gave different scenarios")
	}
	opts.Seed = 43
	if c := written(t, generate(t, opts)); bytes.Equal(a, c) {
		t.Error("different seeds gave the same scenario")
	}
}

func TestGenerateOptionLimits(t *testing.T) {
	for _, tt := range []struct {
		employees, weeks int
		msg              string
	}{
		{1, 1, "1 employees is out of range: want 4 to 1000 (at least one of each role)"},
		{3, 4, "3 employees is out of range"},
		{1001, 4, "1001 employees is out of range"},
		{12, 0, "0 weeks is out of range: want 1 to 13"},
		{12, 14, "14 weeks is out of range"},
	} {
		_, err := scenario.Generate(scenario.GenerateOptions{Employees: tt.employees, Weeks: tt.weeks})
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Generate(%d employees, %d weeks) error = %v, want %q", tt.employees, tt.weeks, err, tt.msg)
		}
	}
}

// TestGenerateValid checks that generated scenarios, small and large, pass
// Parse and hold together as the scheduling rules expect.
func TestGenerateValid(t *testing.T) {
	type size struct{ employees, weeks int }
	var sizes []size
	for n := scenario.MinEmployees; n <= 13; n++ {
		sizes = append(sizes, size{n, 1}, size{n, 2})
	}
	sizes = append(sizes, size{24, 3}, size{60, 4}, size{100, 6}, size{200, 13})
	for _, sz := range sizes {
		seeds := 10
		switch {
		case sz.employees*sz.weeks > 1000:
			seeds = 1
		case sz.employees*sz.weeks > 100:
			seeds = 2
		}
		for seed := range uint64(seeds) {
			opts := scenario.GenerateOptions{Employees: sz.employees, Weeks: sz.weeks, Seed: seed}
			t.Run(fmt.Sprintf("%dx%d-seed%d", sz.employees, sz.weeks, seed), func(t *testing.T) {
				s := generate(t, opts)
				roundTrip(t, s)
				checkGenerated(t, s, opts)
			})
		}
	}
}

func TestGenerateNow(t *testing.T) {
	now := civil.DateTime{Date: civil.MustParseDate("2027-12-30"), Clock: civil.NewClock(7, 30)}
	s := generate(t, scenario.GenerateOptions{Employees: 20, Weeks: 2, Seed: 9, Now: now})
	if s.Now != now {
		t.Errorf("now = %s, want %s", s.Now, now)
	}
	roundTrip(t, s)
	checkGenerated(t, s, scenario.GenerateOptions{Employees: 20, Weeks: 2, Now: now})
}

func TestGenerateLargest(t *testing.T) {
	if testing.Short() {
		t.Skip("the largest scenario takes a while")
	}
	s := generate(t, scenario.GenerateOptions{Employees: scenario.MaxEmployees, Weeks: scenario.MaxWeeks, Seed: 1})
	for _, e := range s.Events {
		if e.Type != store.EventSupervisor && e.Ref > 999999 {
			t.Fatalf("event %d: ref is not six digits", e.Ref)
		}
	}
}

// checkGenerated checks what Parse does not: the shape of a generated
// scenario and that its posted assignments follow the scheduling rules.
func checkGenerated(t *testing.T, s *scenario.Scenario, opts scenario.GenerateOptions) {
	t.Helper()
	now := opts.Now.Date
	if now.IsZero() {
		now = scenario.DefaultNow.Date
	}
	last := now.AddDays(7 * opts.Weeks)

	if len(s.Employees) != opts.Employees {
		t.Errorf("%d employees, want %d", len(s.Employees), opts.Employees)
	}
	byID := map[string]*scenario.Employee{}
	roles := map[store.Role]int{}
	for i := range s.Employees {
		e := &s.Employees[i]
		byID[e.ID] = e
		roles[e.Role]++
	}
	for _, r := range store.Roles {
		if roles[r] == 0 {
			t.Errorf("no %s among %d employees", r, len(s.Employees))
		}
	}
	for _, wd := range []int{0, 1, 2, 3, 4, 5, 6} {
		if s.Rotations.Juicer[wd] == "" || s.Rotations.PrimaryLead[wd] == "" {
			t.Errorf("weekday %d has no rotation", wd)
		}
	}
	if len(s.LockedDays) != 1 {
		t.Errorf("%d locked days, want 1", len(s.LockedDays))
	}
	if wantHolidays := min(1, opts.Weeks/2); len(s.Holidays) != wantHolidays {
		t.Errorf("%d holidays, want %d", len(s.Holidays), wantHolidays)
	}

	types := map[store.EventType]int{}
	events := map[int64]*scenario.Event{}
	for i := range s.Events {
		e := &s.Events[i]
		events[e.Ref] = e
		types[e.Type]++
		if e.Type == store.EventSupervisor {
			if e.ParentRef == 0 && store.PairingNumber(e.Name) == "" {
				t.Errorf("supervisor %d pairs with no core", e.Ref)
			}
		}
		if e.Start.Before(now.AddDays(-3)) || e.Start.After(last) {
			t.Errorf("event %d starts %s, outside the horizon", e.Ref, e.Start)
		}
	}
	for _, typ := range store.EventTypes {
		if types[typ] == 0 && typ != store.EventFreeosk && typ != store.EventOther {
			t.Errorf("no %s events", typ)
		}
	}

	holiday := map[civil.Date]bool{}
	for _, h := range s.Holidays {
		holiday[h.Date] = true
	}
	type empDay struct {
		emp string
		day civil.Date
	}
	cores := map[empDay]bool{}
	weekDays := map[empDay]int{}
	for _, a := range s.Posted {
		e, emp, d := events[a.Event], byID[a.Employee], a.At.Date
		switch {
		case e.Type != store.EventCore:
			t.Errorf("posted %d is a %s event", a.Event, e.Type)
		case emp.Role != store.RoleLead && emp.Role != store.RoleSpecialist:
			t.Errorf("posted %d to a %s", a.Event, emp.Role)
		case d.Before(e.Start) || d.After(e.Due) || !d.After(now) || d.After(last):
			t.Errorf("posted %d on %s, outside its window %s..%s or the horizon", a.Event, d, e.Start, e.Due)
		case holiday[d]:
			t.Errorf("posted %d on holiday %s", a.Event, d)
		case !canWork(emp, d):
			t.Errorf("posted %d to %s, who cannot work %s", a.Event, a.Employee, d)
		case cores[empDay{a.Employee, d}]:
			t.Errorf("%s has two cores on %s", a.Employee, d)
		case !slices.Contains(s.Settings.CoreSlots, a.At.Clock):
			t.Errorf("posted %d at %s, not a core slot", a.Event, a.At.Clock)
		case e.Condition != store.ConditionScheduled:
			t.Errorf("posted %d is %s", a.Event, e.Condition)
		}
		cores[empDay{a.Employee, d}] = true
		weekDays[empDay{a.Employee, d.WeekStart()}]++
		if n := weekDays[empDay{a.Employee, d.WeekStart()}]; n > s.Settings.MaxWorkDaysPerWeek {
			t.Errorf("%s works %d days in the week of %s", a.Employee, n, d.WeekStart())
		}
	}
}

// canWork is the People rule of the scheduling rules, written again here
// so the test does not trust the generator's own.
func canWork(e *scenario.Employee, d civil.Date) bool {
	if !e.Active || (!e.TerminatedOn.IsZero() && !d.Before(e.TerminatedOn)) {
		return false
	}
	for _, t := range e.TimeOff {
		if !d.Before(t.Start) && !d.After(t.End) {
			return false
		}
	}
	if slices.Contains(e.Unavailable, d) {
		return false
	}
	return e.Weekly == nil || e.Weekly[d.Weekday()]
}

// TestGenerateShape compares generated scenarios with the shared examples:
// region-month has 60 people, 2,121 events over four weeks.
func TestGenerateShape(t *testing.T) {
	for _, tt := range []struct {
		employees, min, max int
	}{
		{60, 1800, 2400},
		{500, 14000, 18000},
	} {
		for seed := range uint64(3) {
			s := generate(t, scenario.GenerateOptions{Employees: tt.employees, Weeks: 4, Seed: seed})
			if n := len(s.Events); n < tt.min || n > tt.max {
				t.Errorf("%d people, 4 weeks, seed %d: %d events, want %d to %d", tt.employees, seed, n, tt.min, tt.max)
			}
			roles := map[store.Role]int{}
			for _, e := range s.Employees {
				roles[e.Role]++
			}
			n := float64(tt.employees)
			for role, share := range map[store.Role]float64{store.RoleClubSupervisor: 1.0 / 12, store.RoleLead: 1.0 / 6, store.RoleJuicer: 1.0 / 8} {
				if got := float64(roles[role]) / n; got < share*0.8 || got > share*1.2 {
					t.Errorf("%d people: %.3f %s, want about %.3f", tt.employees, got, role, share)
				}
			}
			var cores, sups, named int
			for _, e := range s.Events {
				switch e.Type {
				case store.EventCore:
					cores++
				case store.EventSupervisor:
					sups++
					if e.ParentRef == 0 {
						named++
					}
				}
			}
			if r := float64(sups) / float64(cores); r < 0.4 || r > 0.6 {
				t.Errorf("%d supervisors for %d cores", sups, cores)
			}
			if r := float64(named) / float64(sups); r < 0.12 || r > 0.3 {
				t.Errorf("%d of %d supervisors pair by name only, want about 1 in 5", named, sups)
			}
			if r := float64(len(s.Posted)) / float64(cores); r < 0.1 || r > 0.2 {
				t.Errorf("%d of %d cores posted, want about 15%%", len(s.Posted), cores)
			}
			if len(s.RotationExceptions) != 1 || len(s.Holidays) != 1 || len(s.LockedDays) != 1 {
				t.Errorf("%d exceptions, %d holidays, %d locked days; want one each", len(s.RotationExceptions), len(s.Holidays), len(s.LockedDays))
			}
		}
	}
}

func BenchmarkGenerate500x4(b *testing.B) {
	for b.Loop() {
		if _, err := scenario.Generate(scenario.GenerateOptions{Employees: 500, Weeks: 4, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
