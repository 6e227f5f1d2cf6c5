// Package features turns a store's own data into the feature rows the
// ranking models score: one row per candidate of a placement (an employee,
// an event, a day). The same extractor serves training, evaluation and
// scoring, so the three cannot drift: a training example is the row of a
// past assignment as of its day, a scoring row is the row of a run's
// candidate as of the run.
//
// # The features
//
// Names lists them in column order, in five groups (the first PastCount,
// which depend only on the history, first):
//
//   - history (hist_*): how the employee's past assignments before the
//     row's day went — how many, their success rate and the rates of each
//     attendance outcome, the last 28 days' rate, streaks, days since the
//     last failure, how many events of this type and how they went, how
//     the same weekday went, lateness for starts before 10:00, minutes
//     late. Rates are smoothed toward the store's rate over the same
//     history (SmoothingWeight pseudo-assignments), so a newcomer's rate
//     is the store's and not a 0/0.
//   - experience, from the history too: days since the employee last
//     worked, days since their first assignment on record, the share of
//     their past work of this type.
//   - workload (week_*, day_*): the employee's assignments, hours and days
//     worked in the row's week and assignments on its day, as the schedule
//     stands (for training: the rest of the worked week).
//   - role: the role (one-hot) and the preference tier of the spec's
//     automatic preference for the event on that day.
//   - event context: type, duration, start hour, days from the row's day
//     to the due date, days from now to the due date (urgency), the
//     window's length.
//   - time: weekday, weekend, month, whether the week holds a holiday.
//
// An assignment succeeds when it was worked as scheduled: on time or late,
// by the employee it was posted to. It fails when it ended in a call-in, a
// no-show, an excused absence, or a reassignment (the event's posted
// schedule names someone else now). Record.Succeeded reports this.
package features

import (
	"cmp"
	"slices"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Names are the features in column order: the model's metadata must list
// exactly these.
var Names = []string{
	// history
	"hist_assignments",
	"hist_success_rate",
	"hist_on_time_rate",
	"hist_late_rate",
	"hist_called_in_rate",
	"hist_no_show_rate",
	"hist_recent_success_rate",
	"hist_recent_assignments",
	"hist_success_streak",
	"hist_failure_streak",
	"hist_days_since_failure",
	"hist_type_assignments",
	"hist_type_success_rate",
	"hist_weekday_success_rate",
	"hist_morning_late_rate",
	"hist_mean_minutes_late",
	"days_since_worked",
	// experience (from the history too)
	"tenure_days",
	"type_share",
	// workload
	"week_assignments",
	"week_hours",
	"week_days_worked",
	"day_assignments",
	// role
	"role_lead",
	"role_specialist",
	"role_juicer",
	"role_club_supervisor",
	"preference_tier",
	// event context
	"event_type",
	"event_hours",
	"event_start_hour",
	"days_to_due",
	"urgency_days",
	"window_days",
	// time
	"weekday",
	"weekend",
	"month",
	"holiday_week",
}

// Count is the number of features.
var Count = len(Names)

// PastCount is the number of leading features that depend only on the
// history, the employee, the day and the event type (see History.Past):
// hist_*, days_since_worked, tenure_days and type_share.
const PastCount = 19

// The history's constants.
const (
	// SmoothingWeight is how many pseudo-assignments at the store's rate
	// a rate starts from.
	SmoothingWeight = 4
	// RecentDays is the span of the hist_recent_* features.
	RecentDays = 28
	// MaxDays caps the features counted in days.
	MaxDays = 365
	// MorningBefore is the start before which an assignment counts as a
	// morning one for hist_morning_late_rate.
	MorningBefore = civil.Clock(10 * 60)
)

// Types are the event types in the order of the event_type feature.
var Types = []rule.EventType{rule.EventCore, rule.EventSupervisor, rule.EventJuicer, rule.EventFreeosk, rule.EventDigital, rule.EventOther}

func typeIndex(t rule.EventType) int {
	if i := slices.Index(Types, t); i >= 0 {
		return i
	}
	return len(Types) - 1 // other
}

// Succeeded reports whether r was worked as scheduled (see the package
// doc).
func (r *Record) Succeeded() bool {
	return !r.Reassigned && (r.Status == store.AttendanceOnTime || r.Status == store.AttendanceLate)
}

// Record is one past assignment and how it was worked.
type Record struct {
	Employee    string
	Type        rule.EventType
	Date        civil.Date
	Start       civil.Clock
	DurationMin int
	Status      store.Attendance
	MinutesLate int
	Reassigned  bool // the event went to someone else
}

// Candidate is the employee side of a row.
type Candidate struct {
	Employee string
	Role     rule.Role
	// Tier is the employee's place in the automatic preference (0 first).
	Tier int
	// Load is the employee's schedule in the row's week.
	Week   int // assignments in the week, the row's own not counted
	Minute int // their total minutes
	Days   int // days of the week with at least one
	Today  int // assignments on the row's day, the row's own not counted
}

// Context is the event side of a row.
type Context struct {
	Type        rule.EventType
	Date        civil.Date // the day the event would be worked
	Start       civil.Clock
	DurationMin int
	Due         civil.Date
	WindowStart civil.Date
	// Now is the day the decision is made: the run's today, or for a past
	// assignment its own day.
	Now         civil.Date
	HolidayWeek bool
}

// counts are a history's running totals up to and including a record.
type counts struct {
	n, success, onTime, late, calledIn, noShow int32
	minutesLate                                int32
	morning, morningLate                       int32
	byType                                     [6]int32
	typeSuccess                                [6]int32
	byWeekday                                  [7]int32
	weekdaySuccess                             [7]int32
}

func (c *counts) add(r *Record) {
	c.n++
	ok := r.Succeeded()
	if ok {
		c.success++
	}
	switch r.Status {
	case store.AttendanceOnTime:
		c.onTime++
	case store.AttendanceLate:
		c.late++
		c.minutesLate += int32(max(r.MinutesLate, 0))
	case store.AttendanceCalledIn:
		c.calledIn++
	case store.AttendanceNoCallNoShow:
		c.noShow++
	}
	if r.Start < MorningBefore && ok {
		c.morning++
		if r.Status == store.AttendanceLate {
			c.morningLate++
		}
	}
	t := typeIndex(r.Type)
	c.byType[t]++
	wd := r.Date.Weekday()
	c.byWeekday[wd]++
	if ok {
		c.typeSuccess[t]++
		c.weekdaySuccess[wd]++
	}
}

// person is one employee's history in date order, with running totals.
type person struct {
	dates []civil.Date
	cum   []counts // cum[i]: records 0..i-1; len(dates)+1 entries
	// lastFail[i] and lastSuccess[i]: the index of the last failure and
	// success among records 0..i-1, -1 when none.
	lastFail, lastSuccess []int32
}

// History is a store's past assignments, indexed for rows as of any day:
// a row as of day d sees only the records before d. It is read-only once
// built and safe for concurrent use.
type History struct {
	people map[string]*person
	store  *person // every record, for the store's rates
}

// nobody is the history of an employee without records.
var nobody = func() *person {
	var p person
	p.init(0)
	return &p
}()

// NewHistory indexes records (in any order; they are not changed).
func NewHistory(records []Record) *History {
	sorted := slices.Clone(records)
	slices.SortStableFunc(sorted, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Start, b.Start))
	})
	h := &History{people: map[string]*person{}, store: &person{}}
	h.store.init(len(sorted))
	for i := range sorted {
		r := &sorted[i]
		p := h.people[r.Employee]
		if p == nil {
			p = &person{}
			p.init(0)
			h.people[r.Employee] = p
		}
		p.add(r)
		h.store.add(r)
	}
	return h
}

func (p *person) init(n int) {
	p.dates = make([]civil.Date, 0, n)
	p.cum = append(make([]counts, 0, n+1), counts{})
	p.lastFail = append(make([]int32, 0, n+1), -1)
	p.lastSuccess = append(make([]int32, 0, n+1), -1)
}

func (p *person) add(r *Record) {
	i := int32(len(p.dates))
	p.dates = append(p.dates, r.Date)
	c := p.cum[len(p.cum)-1]
	c.add(r)
	p.cum = append(p.cum, c)
	lf, ls := p.lastFail[len(p.lastFail)-1], p.lastSuccess[len(p.lastSuccess)-1]
	if r.Succeeded() {
		ls = i
	} else {
		lf = i
	}
	p.lastFail = append(p.lastFail, lf)
	p.lastSuccess = append(p.lastSuccess, ls)
}

// before returns how many of p's records are before day d.
func (p *person) before(d civil.Date) int {
	i, _ := slices.BinarySearch(p.dates, d)
	return i
}

// Len returns the number of records in h.
func (h *History) Len() int { return len(h.store.dates) }

// Append appends c's row for the event of x to dst and returns it: Count
// values, in the order of Names. Only records before x.Date count.
func (h *History) Append(dst []float32, c *Candidate, x *Context) []float32 {
	return AppendRest(h.Past(dst, c.Employee, x.Date, x.Type), c, x)
}

// Past appends the first PastCount values of a row of employee emp for an
// event of type t on day d: those that depend only on the history before
// d. They stay the same for the whole of a run, which may keep them.
func (h *History) Past(dst []float32, emp string, d civil.Date, typ rule.EventType) []float32 {
	p := h.people[emp]
	if p == nil {
		p = nobody
	}
	k := p.before(d)
	cur := &p.cum[k]
	all := &h.store.cum[h.store.before(d)]

	storeRate := ratio(all.success, all.n, 1) // no history at all: trust
	rate := func(hits, n int32, prior float64) float32 {
		return float32((float64(hits) + SmoothingWeight*prior) / (float64(n) + SmoothingWeight))
	}
	recent := &p.cum[p.before(d.AddDays(-RecentDays))]
	t := typeIndex(typ)
	wd := d.Weekday()

	successStreak, failureStreak := 0, 0
	daysSinceFailure, daysSinceWorked, tenure := MaxDays, MaxDays, 0
	if k > 0 {
		lf, ls := int(p.lastFail[k]), int(p.lastSuccess[k])
		successStreak = k - 1 - lf // records after the last failure
		failureStreak = k - 1 - ls
		if lf >= 0 {
			daysSinceFailure = min(p.dates[lf].DaysUntil(d), MaxDays)
		}
		daysSinceWorked = min(p.dates[k-1].DaysUntil(d), MaxDays)
		tenure = min(p.dates[0].DaysUntil(d), 10*MaxDays)
	}
	meanLate := float32(0)
	if cur.late > 0 {
		meanLate = float32(cur.minutesLate) / float32(cur.late)
	}
	return append(dst,
		float32(cur.n),
		rate(cur.success, cur.n, storeRate),
		rate(cur.onTime, cur.n, ratio(all.onTime, all.n, 1)),
		rate(cur.late, cur.n, ratio(all.late, all.n, 0)),
		rate(cur.calledIn, cur.n, ratio(all.calledIn, all.n, 0)),
		rate(cur.noShow, cur.n, ratio(all.noShow, all.n, 0)),
		rate(cur.success-recent.success, cur.n-recent.n, storeRate),
		float32(cur.n-recent.n),
		float32(successStreak),
		float32(failureStreak),
		float32(daysSinceFailure),
		float32(cur.byType[t]),
		rate(cur.typeSuccess[t], cur.byType[t], ratio(all.typeSuccess[t], all.byType[t], storeRate)),
		rate(cur.weekdaySuccess[wd], cur.byWeekday[wd], ratio(all.weekdaySuccess[wd], all.byWeekday[wd], storeRate)),
		rate(cur.morningLate, cur.morning, ratio(all.morningLate, all.morning, 0)),
		meanLate,
		float32(daysSinceWorked),
		float32(tenure),
		float32(ratio(cur.byType[t], cur.n, 0)),
	)
}

// AppendRest appends the values of a row after the first PastCount: the
// candidate's (AppendCandidate), then the event's (AppendContext).
func AppendRest(dst []float32, c *Candidate, x *Context) []float32 {
	return AppendContext(AppendCandidate(dst, c), x)
}

// CandidateCount is the number of values AppendCandidate appends: the
// workload and the role.
const CandidateCount = 9

// AppendCandidate appends the candidate's values of a row, after the
// first PastCount: the workload and the role.
func AppendCandidate(dst []float32, c *Candidate) []float32 {
	var role [4]float32
	switch c.Role {
	case rule.RoleLead:
		role[0] = 1
	case rule.RoleSpecialist:
		role[1] = 1
	case rule.RoleJuicer:
		role[2] = 1
	case rule.RoleClubSupervisor:
		role[3] = 1
	}
	return append(dst,
		// workload
		float32(c.Week),
		float32(c.Minute)/60,
		float32(c.Days),
		float32(c.Today),
		// role
		role[0], role[1], role[2], role[3],
		float32(c.Tier),
	)
}

// ContextCount is the number of values AppendContext appends: the event
// context and the time, the last of a row.
const ContextCount = 10

// AppendContext appends the event's values of a row, its last ones: the
// event context and the time. They are the same for every candidate of a
// placement.
func AppendContext(dst []float32, x *Context) []float32 {
	wd := x.Date.Weekday()
	holiday := float32(0)
	if x.HolidayWeek {
		holiday = 1
	}
	weekend := float32(0)
	if wd == 0 || wd == 6 {
		weekend = 1
	}
	return append(dst,
		// event context
		float32(typeIndex(x.Type)),
		float32(x.DurationMin)/60,
		float32(x.Start)/60,
		float32(clampDays(x.Date.DaysUntil(x.Due))),
		float32(clampDays(x.Now.DaysUntil(x.Due))),
		float32(clampDays(x.WindowStart.DaysUntil(x.Due))),
		// time
		float32(wd),
		weekend,
		float32(month(x.Date)),
		holiday,
	)
}

// ratio is hits/n, or prior when n is 0.
func ratio(hits, n int32, prior float64) float64 {
	if n == 0 {
		return prior
	}
	return float64(hits) / float64(n)
}

func clampDays(d int) int { return max(-MaxDays, min(d, MaxDays)) }

func month(d civil.Date) time.Month {
	_, m, _ := d.YMD()
	return m
}

// FromStore converts the store's worked assignments to records.
func FromStore(ws []store.WorkedAssignment) []Record {
	out := make([]Record, len(ws))
	for i, w := range ws {
		out[i] = Record{
			Employee: w.EmployeeID, Type: rule.EventType(w.Type), Date: w.Date, Start: w.StartMinute,
			DurationMin: w.DurationMin, Status: w.Status, MinutesLate: w.MinutesLate, Reassigned: w.Reassigned,
		}
	}
	return out
}
