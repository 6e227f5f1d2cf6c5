package features_test

import (
	"math"
	"slices"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

func day(s string) civil.Date { return civil.MustParseDate(s) }

// value returns the feature called name of row.
func value(t *testing.T, row []float32, name string) float32 {
	t.Helper()
	i := slices.Index(features.Names, name)
	if i < 0 {
		t.Fatalf("no feature %q", name)
	}
	return row[i]
}

func rec(emp, date string, typ rule.EventType, start civil.Clock, status store.Attendance) features.Record {
	return features.Record{Employee: emp, Type: typ, Date: day(date), Start: start, DurationMin: 390, Status: status}
}

func TestNames(t *testing.T) {
	if features.Count != len(features.Names) || features.Count < 30 || features.Count > 40 {
		t.Fatalf("%d features", features.Count)
	}
	h := features.NewHistory([]features.Record{rec("A", "2026-03-02", rule.EventCore, 600, store.AttendanceOnTime)})
	if n := len(h.Past(nil, "A", day("2026-03-09"), rule.EventCore)); n != features.PastCount {
		t.Errorf("Past appends %d values; PastCount is %d", n, features.PastCount)
	}
	if n := len(features.AppendCandidate(nil, &features.Candidate{})); n != features.CandidateCount {
		t.Errorf("AppendCandidate appends %d values; CandidateCount is %d", n, features.CandidateCount)
	}
	if n := len(features.AppendContext(nil, &features.Context{})); n != features.ContextCount || features.PastCount+features.CandidateCount+n != features.Count {
		t.Errorf("AppendContext appends %d values; ContextCount is %d, and %d are left after the history and the candidate", n, features.ContextCount, features.Count-features.PastCount-features.CandidateCount)
	}
	seen := map[string]bool{}
	for _, n := range features.Names {
		if seen[n] || n == "" {
			t.Errorf("feature %q empty or repeated", n)
		}
		seen[n] = true
	}
}

// TestRowByHand checks a row against values worked out by hand.
func TestRowByHand(t *testing.T) {
	nine, eleven := civil.NewClock(9, 0), civil.NewClock(11, 0)
	h := features.NewHistory([]features.Record{
		// Out of order on purpose: NewHistory sorts.
		rec("A", "2026-03-04", rule.EventCore, eleven, store.AttendanceCalledIn),
		rec("A", "2026-03-02", rule.EventCore, nine, store.AttendanceOnTime),
		rec("A", "2026-03-03", rule.EventJuicer, nine, store.AttendanceLate),
		rec("A", "2026-03-05", rule.EventCore, eleven, store.AttendanceOnTime),
		rec("A", "2026-03-06", rule.EventCore, eleven, store.AttendanceOnTime),
		rec("B", "2026-03-02", rule.EventCore, eleven, store.AttendanceNoCallNoShow),
		rec("B", "2026-03-03", rule.EventCore, eleven, store.AttendanceOnTime),
		rec("B", "2026-03-09", rule.EventCore, eleven, store.AttendanceOnTime), // after the row's day
	})
	if h.Len() != 8 {
		t.Fatalf("Len = %d", h.Len())
	}
	c := features.Candidate{Employee: "A", Role: rule.RoleSpecialist, Tier: 1, Week: 3, Minute: 405, Days: 2, Today: 1}
	x := features.Context{
		Type: rule.EventCore, Date: day("2026-03-07"), Start: civil.NewClock(10, 30), DurationMin: 390,
		Due: day("2026-03-10"), WindowStart: day("2026-03-05"), Now: day("2026-03-04"), HolidayWeek: true,
	}
	row := h.Append(nil, &c, &x)
	if len(row) != features.Count {
		t.Fatalf("%d values", len(row))
	}
	// The store before 03-07: 7 records, 5 successes (A: 4 of 5, B: 1 of 2).
	storeRate := 5.0 / 7
	w := float64(features.SmoothingWeight)
	for _, want := range []struct {
		name string
		v    float64
	}{
		{"hist_assignments", 5},
		{"hist_success_rate", (4 + w*storeRate) / (5 + w)},
		{"hist_on_time_rate", (3 + w*(4.0/7)) / (5 + w)},
		{"hist_late_rate", (1 + w*(1.0/7)) / (5 + w)},
		{"hist_called_in_rate", (1 + w*(1.0/7)) / (5 + w)},
		{"hist_no_show_rate", (0 + w*(1.0/7)) / (5 + w)},
		{"hist_recent_assignments", 5},
		{"hist_success_streak", 2},
		{"hist_failure_streak", 0},
		{"hist_days_since_failure", 3},
		{"hist_type_assignments", 4},
		{"hist_type_success_rate", (3 + w*(4.0/6)) / (4 + w)},
		// 03-07 is a Saturday: no Saturday on record, so the store's rate.
		{"hist_weekday_success_rate", storeRate},
		// Morning starts worked: A's two at 09:00, one late; the store's too.
		{"hist_morning_late_rate", (1 + w*0.5) / (2 + w)},
		{"week_assignments", 3},
		{"week_hours", 6.75},
		{"week_days_worked", 2},
		{"day_assignments", 1},
		{"days_since_worked", 1},
		{"role_lead", 0},
		{"role_specialist", 1},
		{"preference_tier", 1},
		{"tenure_days", 5},
		{"type_share", 0.8},
		{"event_type", 0},
		{"event_hours", 6.5},
		{"event_start_hour", 10.5},
		{"days_to_due", 3},
		{"urgency_days", 6},
		{"window_days", 5},
		{"weekday", 6},
		{"weekend", 1},
		{"month", 3},
		{"holiday_week", 1},
	} {
		if got := value(t, row, want.name); math.Abs(float64(got)-want.v) > 1e-6 {
			t.Errorf("%s = %v; want %v", want.name, got, want.v)
		}
	}
	// As of 03-04 only A's first two records count.
	x.Date = day("2026-03-04")
	row = h.Append(row[:0], &c, &x)
	if got := value(t, row, "hist_assignments"); got != 2 {
		t.Errorf("hist_assignments as of 03-04 = %v; want 2", got)
	}
	if got := value(t, row, "hist_days_since_failure"); got != features.MaxDays {
		t.Errorf("hist_days_since_failure without a failure = %v", got)
	}
}

// TestNewcomer: someone without history gets the store's rates, not a
// division by zero, and a store without history trusts everyone.
func TestNewcomer(t *testing.T) {
	for _, h := range []*features.History{
		features.NewHistory(nil),
		features.NewHistory([]features.Record{rec("B", "2026-03-02", rule.EventCore, 600, store.AttendanceCalledIn)}),
	} {
		c := features.Candidate{Employee: "new", Role: rule.RoleLead}
		x := features.Context{Type: rule.EventOther, Date: day("2026-03-07"), Due: day("2026-03-07"), WindowStart: day("2026-03-07"), Now: day("2026-03-06")}
		row := h.Append(nil, &c, &x)
		for i, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Errorf("%s = %v", features.Names[i], v)
			}
		}
		want := float32(1)
		if h.Len() == 1 {
			want = 0
		}
		if got := value(t, row, "hist_success_rate"); got != want {
			t.Errorf("newcomer's success rate = %v; want the store's %v", got, want)
		}
	}
}

// TestReassignedFails: work that went to someone else is a failure.
func TestReassignedFails(t *testing.T) {
	r := rec("A", "2026-03-02", rule.EventCore, 600, store.AttendanceOnTime)
	if !r.Succeeded() {
		t.Fatal("on time is a success")
	}
	r.Reassigned = true
	if r.Succeeded() {
		t.Error("a reassigned assignment succeeded")
	}
	for _, a := range []store.Attendance{store.AttendanceCalledIn, store.AttendanceNoCallNoShow, store.AttendanceExcused} {
		if (&features.Record{Status: a}).Succeeded() {
			t.Errorf("%s succeeded", a)
		}
	}
}

// FuzzRow: any history and any row give finite values, as many as Names.
func FuzzRow(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, int16(3), int16(-2), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, dayOff, dueOff int16, tier uint8) {
		var recs []features.Record
		for i := 0; i+3 <= len(raw) && len(recs) < 200; i += 3 {
			recs = append(recs, features.Record{
				Employee:    string(rune('A' + raw[i]%4)),
				Type:        features.Types[int(raw[i+1])%len(features.Types)],
				Date:        day("2026-03-01").AddDays(int(raw[i+1])),
				Start:       civil.Clock(int(raw[i+2]) * 5),
				Status:      store.Attendances[int(raw[i+2])%len(store.Attendances)],
				MinutesLate: int(raw[i]),
				Reassigned:  raw[i]&0x80 != 0,
			})
		}
		h := features.NewHistory(recs)
		d := day("2026-03-01").AddDays(int(dayOff))
		c := features.Candidate{Employee: "A", Role: rule.RoleJuicer, Tier: int(tier), Week: int(tier)}
		x := features.Context{Type: rule.EventType("unknown"), Date: d, Due: d.AddDays(int(dueOff)), WindowStart: d, Now: d.AddDays(-1)}
		row := h.Append(nil, &c, &x)
		if len(row) != features.Count {
			t.Fatalf("%d values", len(row))
		}
		for i, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s = %v", features.Names[i], v)
			}
		}
	})
}
