package scenario_test

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

func TestGenerateHistoryDeterministic(t *testing.T) {
	s := generate(t, scenario.GenerateOptions{Employees: 30, Weeks: 2, Seed: 5})
	a := scenario.GenerateHistory(s, scenario.HistoryOptions{Weeks: 4, Seed: 1})
	b := scenario.GenerateHistory(s, scenario.HistoryOptions{Weeks: 4, Seed: 1})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("the same options gave different histories:\n%s", diff)
	}
	if c := scenario.GenerateHistory(s, scenario.HistoryOptions{Weeks: 4, Seed: 2}); cmp.Equal(a, c) {
		t.Error("different seeds gave the same history")
	}
	if h := scenario.GenerateHistory(s, scenario.HistoryOptions{Weeks: 0, Seed: 1}); h != nil {
		t.Errorf("0 weeks gave %d assignments", len(h))
	}
}

// qualified says which roles may work an event type (scheduling-rules.md).
var qualified = map[store.EventType][]store.Role{
	store.EventCore:       {store.RoleLead, store.RoleSpecialist, store.RoleJuicer},
	store.EventSupervisor: {store.RoleClubSupervisor, store.RoleLead},
	store.EventJuicer:     {store.RoleJuicer},
	store.EventFreeosk:    {store.RoleLead, store.RoleClubSupervisor},
	store.EventDigital:    {store.RoleLead, store.RoleClubSupervisor},
	store.EventOther:      {store.RoleLead, store.RoleClubSupervisor},
}

func TestGenerateHistoryFollowsRules(t *testing.T) {
	for _, file := range []string{"", sharedDir + "/club-week.json"} {
		var s *scenario.Scenario
		if file == "" {
			s = generate(t, scenario.GenerateOptions{Employees: 60, Weeks: 4, Seed: 11})
		} else {
			var err error
			if s, err = scenario.ParseFile(file); err != nil {
				t.Skipf("shared scenarios: %v", err)
			}
		}
		const weeks = 6
		hist := scenario.GenerateHistory(s, scenario.HistoryOptions{Weeks: weeks, Seed: 3})
		if len(hist) < 10*weeks*7 {
			t.Fatalf("only %d past assignments for %d employees", len(hist), len(s.Employees))
		}
		checkHistory(t, s, hist, weeks)
	}
}

func checkHistory(t *testing.T, s *scenario.Scenario, hist []scenario.PastAssignment, weeks int) {
	t.Helper()
	byID := map[string]*scenario.Employee{}
	for i := range s.Employees {
		byID[s.Employees[i].ID] = &s.Employees[i]
	}
	scenarioRefs := map[int64]bool{}
	for _, e := range s.Events {
		scenarioRefs[e.Ref] = true
	}
	holiday := map[civil.Date]bool{}
	for _, h := range s.Holidays {
		holiday[h.Date] = true
	}
	first := s.Now.Date.AddDays(-7 * weeks)
	type empDay struct {
		emp string
		day civil.Date
	}
	seen := map[int64]bool{}
	cores := map[empDay]int{}
	juicing := map[empDay]bool{}
	worked := map[empDay]bool{}
	coreRefs := map[civil.Date][]string{} // pairing numbers of the day's cores
	for i, a := range hist {
		e := byID[a.Employee]
		switch {
		case e == nil:
			t.Fatalf("hist[%d]: unknown employee %q", i, a.Employee)
		case scenarioRefs[a.Event]:
			t.Errorf("hist[%d]: ref %d is one of the scenario's", i, a.Event)
		case seen[a.Event]:
			t.Errorf("hist[%d]: ref %d is used twice", i, a.Event)
		case a.Date.Before(first) || !a.Date.Before(s.Now.Date):
			t.Errorf("hist[%d]: %s is not in the %d weeks before %s", i, a.Date, weeks, s.Now)
		case holiday[a.Date]:
			t.Errorf("hist[%d]: worked on holiday %s", i, a.Date)
		case !slices.Contains(qualified[a.Type], e.Role):
			t.Errorf("hist[%d]: a %s works a %s event", i, e.Role, a.Type)
		case store.DetectEventType(a.Name) != a.Type:
			t.Errorf("hist[%d]: name %q does not say %s", i, a.Name, a.Type)
		case !a.Attendance.Valid() || (a.Attendance == store.AttendanceLate) != (a.MinutesLate > 0):
			t.Errorf("hist[%d]: attendance %s, %d minutes late", i, a.Attendance, a.MinutesLate)
		case e.Active && !canWork(e, a.Date):
			t.Errorf("hist[%d]: %s cannot work %s", i, a.Employee, a.Date)
		}
		if i > 0 && a.Date.Before(hist[i-1].Date) {
			t.Errorf("hist[%d]: not in date order", i)
		}
		seen[a.Event] = true
		k := empDay{a.Employee, a.Date}
		worked[k] = true
		switch a.Type {
		case store.EventCore:
			cores[k]++
			coreRefs[a.Date] = append(coreRefs[a.Date], store.PairingNumber(a.Name))
		case store.EventJuicer:
			juicing[k] = true
		}
	}
	for k, n := range cores {
		if n > 1 {
			t.Errorf("%s works %d cores on %s", k.emp, n, k.day)
		}
		if juicing[k] {
			t.Errorf("%s works a core and juicer events on %s", k.emp, k.day)
		}
	}
	weekDays := map[empDay]int{}
	for k := range worked {
		weekDays[empDay{k.emp, k.day.WeekStart()}]++
	}
	for k, n := range weekDays {
		if n > s.Settings.MaxWorkDaysPerWeek {
			t.Errorf("%s works %d days in the week of %s", k.emp, n, k.day)
		}
	}
	for i, a := range hist {
		if a.Type == store.EventSupervisor && !slices.Contains(coreRefs[a.Date], store.PairingNumber(a.Name)) {
			t.Errorf("hist[%d]: supervisor %q has no core on %s", i, a.Name, a.Date)
		}
	}
}

// TestGenerateHistorySignal checks that attendance says something about a
// person: their on-time rate in the first half of the history predicts the
// second half, and people differ.
func TestGenerateHistorySignal(t *testing.T) {
	s := generate(t, scenario.GenerateOptions{Employees: 120, Weeks: 1, Seed: 8})
	hist := scenario.GenerateHistory(s, scenario.HistoryOptions{Weeks: 16, Seed: 4})
	mid := s.Now.Date.AddDays(-7 * 8)
	type counts struct{ onTime, all [2]float64 }
	per := map[string]*counts{}
	outcomes := map[store.Attendance]int{}
	for _, a := range hist {
		c := per[a.Employee]
		if c == nil {
			c = &counts{}
			per[a.Employee] = c
		}
		half := 0
		if !a.Date.Before(mid) {
			half = 1
		}
		c.all[half]++
		if a.Attendance == store.AttendanceOnTime {
			c.onTime[half]++
		}
		outcomes[a.Attendance]++
	}
	for _, o := range store.Attendances {
		if outcomes[o] == 0 {
			t.Errorf("no %s in %d assignments", o, len(hist))
		}
	}
	if r := float64(outcomes[store.AttendanceOnTime]) / float64(len(hist)); r < 0.75 || r > 0.95 {
		t.Errorf("%.2f on time overall, want most but not all", r)
	}
	var xs, ys []float64
	for _, c := range per {
		if c.all[0] >= 10 && c.all[1] >= 10 {
			xs = append(xs, c.onTime[0]/c.all[0])
			ys = append(ys, c.onTime[1]/c.all[1])
		}
	}
	if len(xs) < 60 {
		t.Fatalf("only %d employees worked both halves", len(xs))
	}
	if r := correlation(xs, ys); r < 0.5 {
		t.Errorf("on-time rates of the two halves correlate %.2f, want a person's reliability to persist", r)
	}
	if lo, hi := slices.Min(xs), slices.Max(xs); lo > 0.7 || hi < 0.95 {
		t.Errorf("on-time rates range %.2f to %.2f, want people to differ", lo, hi)
	}
}

func correlation(xs, ys []float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxx, syy, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		syy += ys[i] * ys[i]
		sxy += xs[i] * ys[i]
	}
	return (n*sxy - sx*sy) / math.Sqrt((n*sxx-sx*sx)*(n*syy-sy*sy))
}
