package rule

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// APIVersion is the rule API version this package speaks.
const APIVersion = 1

// Rule is a constraint rule: a plugin that checks candidate placements.
type Rule interface {
	plugin.Plugin
	// Check returns one Verdict per candidate of b, in the same order. An
	// error means the rule could not decide at all (the host then fails
	// the run: a run never goes on without its hard rules); a candidate
	// that breaks the rule is a Verdict with a Violation, not an error.
	// Check must not change b: in a plugin its slices are shared with
	// other batches of the same ContextKey, and calls may run
	// concurrently.
	Check(ctx context.Context, b *Batch) ([]Verdict, error)
}

// Mode says who asks: the auto-scheduler, a person placing or editing by
// hand, or the verification of a schedule that already exists. Some rules
// apply to automatic placements only (the earliest day); rules about
// changing the schedule (locked days) do not apply to verification.
type Mode int

// The modes of a check.
const (
	ModeAutomatic Mode = iota
	ModeManual
	// ModeVerify checks assignments that are already posted, each against
	// the rest of the schedule, with Replaces naming its own event.
	ModeVerify
)

// Severity is how binding a violation is.
type Severity int

// A hard violation is never broken by the auto-scheduler and by a person
// only with an override and a reason; a soft one is advice.
const (
	Hard Severity = iota
	Soft
)

// Violation is one reason a candidate breaks a rule, worded for the person
// who must act on it.
type Violation struct {
	// Rule is the id of the broken rule ("window", "locked_day",
	// "one_core_per_day", ...).
	Rule string `json:"rule"`
	// Severity is Hard or Soft.
	Severity Severity `json:"severity"`
	// Message says what is wrong in the store's terms: "Ana Ruiz is on
	// time off 2026-03-05 to 2026-03-06".
	Message string `json:"message"`
	// Reach says how far the violation holds beyond its candidate; the
	// zero value, ReachCandidate, claims nothing more.
	Reach Reach `json:"reach,omitempty"`
}

// Reach is how far a violation holds beyond the candidate it was found
// for. A rule that can say so spares the host from asking about other
// candidates it already knows the answer for: the auto-scheduler asks
// about thousands of candidates that differ only in their event.
//
// A reach beyond the candidate is a promise about the other candidates it
// covers that place an event not yet assigned, with Replaces 0, in a
// batch of the same Mode and context (see Batch.ContextKey): the
// violation holds for each of them as long as none of the employee's
// assignments is taken away; adding assignments must never lift it. Its
// Message is then shown for those other candidates too, so it must not
// name the candidate's event: "Ana Ruiz already has core event 612103 on
// 2026-03-05; at most one core event a day", not "… so not core 612104".
type Reach int

// The reaches of a violation.
const (
	// ReachCandidate: the violation is about this candidate only.
	ReachCandidate Reach = iota
	// ReachEventType: it holds for every event of the candidate event's
	// type, for the candidate's employee on the candidate's day.
	ReachEventType
	// ReachDay: it holds for every event, for the candidate's employee on
	// the candidate's day.
	ReachDay
)

// Reaching returns v with its reach set to r.
func (v Violation) Reaching(r Reach) Violation {
	v.Reach = r
	return v
}

// String returns "candidate", "event_type" or "day".
func (r Reach) String() string {
	switch r {
	case ReachCandidate:
		return "candidate"
	case ReachEventType:
		return "event_type"
	case ReachDay:
		return "day"
	}
	return "reach(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText writes the reach as its String.
func (r Reach) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Hardf returns a hard violation of rule id with a formatted message.
func Hardf(id, format string, args ...any) Violation {
	return Violation{Rule: id, Severity: Hard, Message: fmt.Sprintf(format, args...)}
}

// String returns "hard" or "soft".
func (s Severity) String() string {
	switch s {
	case Hard:
		return "hard"
	case Soft:
		return "soft"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the severity as "hard" or "soft".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Verdict is a rule's answer for one candidate: it passes when it has no
// violations.
type Verdict struct {
	Violations []Violation
}

// OK reports whether the candidate passes.
func (v Verdict) OK() bool { return len(v.Violations) == 0 }

// Candidate is one placement to check: an employee on an event at a date
// and time.
type Candidate struct {
	Event    int64
	Employee string
	Date     civil.Date
	Start    civil.Clock
	// Replaces, when not zero, is the ref of the event whose assignment
	// this placement would take over (a bump, or a move of the candidate
	// event itself): rules ignore that assignment when they look at the
	// employee's day, and the calendar rule checks its day is not locked.
	Replaces int64
}

// Batch is one scheduling step's candidates with the facts the rules need.
// Events and Employees hold every event and employee a candidate or an
// assignment names. Assignments holds at least, for each candidate, the
// posted and proposed assignments of its employee in its Sunday-to-Saturday
// week, of the events linked to its event (a supervisor's cores by parent
// ref or number, a core's supervisors), and of the event it Replaces; a
// host may send more (a check of a schedule by hand sends whole weeks).
//
// What a rule may base a verdict on is therefore the candidate, the
// batch's context, Now, Mode and Settings, and those assignments. The
// auto-scheduler relies on it to decide many events on one batch: it
// checks what it decided again with the next batch, so a rule that needs
// more (a store-wide cap on a day) is never broken, but the run may then
// differ from one decided event by event.
type Batch struct {
	// Now is the store-local moment of the check: "today" is Now.Date.
	Now civil.DateTime
	// Mode says who asks.
	Mode Mode
	// Settings are the store's scheduler settings.
	Settings Settings
	// Candidates are what to check.
	Candidates []Candidate

	Events      []Event
	Employees   []Employee
	Assignments []Assignment
	// Holidays are the company holidays (the store is closed).
	Holidays []civil.Date
	// LockedDays are days on which nothing may change.
	LockedDays []civil.Date

	// ContextKey, when not 0, names the batch's context: Events,
	// Employees, Holidays and LockedDays. The host promises that every
	// batch with the same key has the same context (it takes a new key
	// whenever any of it changes, at the latest with each run); a rule
	// plugin then keeps the context between calls and the host sends it
	// once, not with every scheduling step. Rules ignore it.
	ContextKey uint64

	once  sync.Once
	index *batchIndex
	// kept is the Context set on the batch, whose lookups it shares.
	kept *Context
	// derived keeps Derived values of a batch without a kept Context.
	derived *Context
	// wire caches the batch's CheckRequest in wire form, with [0] and
	// without [1] its context, for the plugin clients that share one batch.
	wireMu sync.Mutex
	wire   [2]struct {
		key uint64 // the ContextKey it was encoded with
		req []byte
		err error
	}
}

// Settings are the scheduler settings rules read.
type Settings struct {
	// EarliestOffsetDays is, per event type, how many days after today an
	// automatic placement may be at the earliest; "default" covers types
	// without an entry.
	EarliestOffsetDays map[string]int
	// MaxWorkDaysPerWeek caps an employee's working days in one
	// Sunday-to-Saturday week.
	MaxWorkDaysPerWeek int
}

// OffsetDays returns the earliest-day offset of an event type.
func (s Settings) OffsetDays(t EventType) int {
	if n, ok := s.EarliestOffsetDays[string(t)]; ok {
		return n
	}
	return s.EarliestOffsetDays["default"]
}

// EventType is what kind of work an event is.
type EventType string

// The event types.
const (
	EventCore       EventType = "core"
	EventSupervisor EventType = "supervisor"
	EventJuicer     EventType = "juicer"
	EventFreeosk    EventType = "freeosk"
	EventDigital    EventType = "digital"
	EventOther      EventType = "other"
)

// Role is an employee's job.
type Role string

// The roles, most senior first.
const (
	RoleClubSupervisor Role = "club_supervisor"
	RoleLead           Role = "lead"
	RoleSpecialist     Role = "specialist"
	RoleJuicer         Role = "juicer"
)

// Event is an event's facts.
type Event struct {
	Ref  int64
	Name string
	Type EventType
	// Kind refines digital (setup, refresh, teardown) and juicer
	// (production, survey) events; "" for the others.
	Kind        string
	Start, Due  civil.Date
	DurationMin int
	// ParentRef is a supervisor event's core event, 0 when not given.
	ParentRef int64
}

// Long reports whether the event lasts over 30 minutes: long assignments
// of one employee may not overlap, short ones may.
func (e *Event) Long() bool { return e.DurationMin > 30 }

// Employee is an employee's facts.
type Employee struct {
	ID   string
	Name string
	Role Role
	// Active is false for someone who no longer works shifts.
	Active bool
	// TerminatedOn, when not zero, is the first day the employee no
	// longer works.
	TerminatedOn civil.Date
	// Weekly says which weekdays (by time.Weekday) the employee works;
	// nil means every day.
	Weekly *[7]bool
	// Unavailable dates, and Overrides: dates the employee is available
	// on whatever the weekly pattern or an unavailability says.
	Unavailable []civil.Date
	Overrides   []civil.Date
	// TimeOff ranges, inclusive.
	TimeOff []DateRange
	// Attributes carry facts for rules beyond the built-in ones, such as
	// "adult_beverage_trained": "true".
	Attributes map[string]string
}

// DateRange is an inclusive range of dates.
type DateRange struct {
	Start, End civil.Date
	Reason     string
}

// Contains reports whether d is in the range.
func (r DateRange) Contains(d civil.Date) bool { return d >= r.Start && d <= r.End }

// Assignment is a posted or proposed assignment already made.
type Assignment struct {
	Event    int64
	Employee string
	Date     civil.Date
	Start    civil.Clock
	// Proposed is true for a proposal of the current run, false for a
	// posted (confirmed) assignment.
	Proposed bool
}

// End returns when an assignment of ev starting at a ends, in minutes after
// midnight (it may pass 24:00).
func End(start civil.Clock, ev *Event) int { return start.Minutes() + ev.DurationMin }
