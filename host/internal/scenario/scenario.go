// Package scenario reads, writes and generates scenario files: one JSON
// document that holds everything the auto-scheduler needs to decide one run
// (people, events, calendar, posted assignments and the moment "now"), as
// shared/spec/scenario-format.md describes.
//
// Parse is strict: unknown fields, wrong types, bad dates and references to
// people or events that do not exist are all reported, each with the JSON
// path of the field, in one *ValidationError. After Parse every default is
// filled in, so the scheduler never has to ask whether a field was given.
// Write produces the canonical form, which Parse reads back unchanged.
//
//	s, err := scenario.ParseFile("club-week.json")
//	var verr *scenario.ValidationError
//	if errors.As(err, &verr) {
//		for _, p := range verr.Problems {
//			fmt.Println(p.Path, p.Message) // events[3].due 2026-03-01 is before start 2026-03-05
//		}
//	}
//
// Generate builds realistic scenarios of any size for tests, benchmarks and
// demo data; GenerateHistory adds past, worked assignments with attendance
// for ranking models to learn from.
package scenario

import (
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Version is the only scenario format version this package reads and
// writes.
const Version = 1

// Scenario is one scenario document with every default filled in. Lists that
// are empty are nil.
type Scenario struct {
	Version            int
	Now                civil.DateTime
	Settings           Settings
	Employees          []Employee
	Events             []Event
	Rotations          Rotations
	RotationExceptions []RotationException
	Holidays           []Holiday
	LockedDays         []LockedDay
	Posted             []Assignment
}

// Settings are the scheduler settings a scenario runs with.
type Settings struct {
	// CoreSlots are the start times a core event may be given, in the
	// document's order.
	CoreSlots []civil.Clock
	// EarliestOffsetDays holds, for every event type, how many days after
	// now's date an automatic placement may be at the earliest. After Parse
	// it has a value for each of store.EventTypes.
	EarliestOffsetDays map[store.EventType]int
	// MaxWorkDaysPerWeek caps the working days of one employee in one
	// Sunday-to-Saturday week (1 to 7).
	MaxWorkDaysPerWeek int
	// BumpProtectDays protects posted events due within this many days of
	// today from being bumped (0 to 60).
	BumpProtectDays int
}

// The product's default settings.
const (
	DefaultMaxWorkDaysPerWeek = 6
	DefaultBumpProtectDays    = 2
)

// DefaultCoreSlots returns the default core slots: 09:45, 10:30, 11:00 and
// 11:30.
func DefaultCoreSlots() []civil.Clock {
	return []civil.Clock{civil.NewClock(9, 45), civil.NewClock(10, 30), civil.NewClock(11, 0), civil.NewClock(11, 30)}
}

// DefaultEarliestOffset returns the default earliest-day offset of event
// type t: 1 day for core and supervisor events, 3 for the others.
func DefaultEarliestOffset(t store.EventType) int {
	if t == store.EventCore || t == store.EventSupervisor {
		return 1
	}
	return 3
}

// DefaultSettings returns the product's default settings.
func DefaultSettings() Settings {
	off := make(map[store.EventType]int, len(store.EventTypes))
	for _, t := range store.EventTypes {
		off[t] = DefaultEarliestOffset(t)
	}
	return Settings{
		CoreSlots:          DefaultCoreSlots(),
		EarliestOffsetDays: off,
		MaxWorkDaysPerWeek: DefaultMaxWorkDaysPerWeek,
		BumpProtectDays:    DefaultBumpProtectDays,
	}
}

// Employee is a person who can be scheduled.
type Employee struct {
	ID         string
	Name       string
	Role       store.Role
	Active     bool
	ExternalID string // "" when none
	// Weekly says which days of the week the employee works, indexed by
	// time.Weekday; nil when the document gives no pattern (available every
	// day).
	Weekly       *[7]bool
	TimeOff      []TimeOff
	Unavailable  []civil.Date
	TerminatedOn civil.Date // zero when not terminated
}

// TimeOff is an inclusive range of days off.
type TimeOff struct {
	Start  civil.Date
	End    civil.Date
	Reason string
}

// Event is a piece of work to staff.
type Event struct {
	Ref         int64
	Name        string
	Type        store.EventType
	Kind        store.EventKind // always derived from Type and Name
	Start       civil.Date
	Due         civil.Date
	DurationMin int
	ParentRef   int64 // 0 when none
	Condition   store.Condition
}

// Rotations say who works each daily rotation on each day of the week.
type Rotations struct {
	Juicer      [7]string // employee id per time.Weekday; "" when nobody
	PrimaryLead [7]string // employee id per time.Weekday; "" when nobody
}

// On returns the employee id of rotation t on weekday wd, "" when nobody.
func (r *Rotations) On(t store.RotationType, wd time.Weekday) string {
	switch t {
	case store.RotationJuicer:
		return r.Juicer[wd]
	case store.RotationPrimaryLead:
		return r.PrimaryLead[wd]
	}
	return ""
}

func (r *Rotations) days(t store.RotationType) *[7]string {
	if t == store.RotationJuicer {
		return &r.Juicer
	}
	return &r.PrimaryLead
}

// RotationException replaces the weekly rotation of one type on one date.
type RotationException struct {
	Date     civil.Date
	Type     store.RotationType
	Employee string
}

// Holiday is a day the store is closed.
type Holiday struct {
	Date civil.Date
	Name string
}

// LockedDay is a day on which nothing changes.
type LockedDay struct {
	Date   civil.Date
	Reason string
}

// Assignment is a posted (confirmed) assignment of an employee to an event.
type Assignment struct {
	Event    int64
	Employee string
	At       civil.DateTime
}

// weekdayKeys are the day keys of a weekly pattern or rotation in the order
// the writer emits them: Monday first, as people read a week.
var weekdayKeys = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
