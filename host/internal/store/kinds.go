package store

import (
	"regexp"
	"strings"
)

// Role is an employee's job, most senior first.
type Role string

// The roles of scheduling-rules.md, most senior first.
const (
	RoleClubSupervisor Role = "club_supervisor"
	RoleLead           Role = "lead"
	RoleSpecialist     Role = "specialist"
	RoleJuicer         Role = "juicer"
)

// Roles lists every role, most senior first.
var Roles = []Role{RoleClubSupervisor, RoleLead, RoleSpecialist, RoleJuicer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return oneOf(r, Roles) }

// EventType is what kind of work an event is.
type EventType string

// The event types of scheduling-rules.md.
const (
	EventCore       EventType = "core"
	EventSupervisor EventType = "supervisor"
	EventJuicer     EventType = "juicer"
	EventFreeosk    EventType = "freeosk"
	EventDigital    EventType = "digital"
	EventOther      EventType = "other"
)

// EventTypes lists every event type in the run's priority order on equal
// due dates: juicer, core, supervisor, freeosk, digital, other.
var EventTypes = []EventType{EventJuicer, EventCore, EventSupervisor, EventFreeosk, EventDigital, EventOther}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool { return oneOf(t, EventTypes) }

// EventKind refines a digital event (setup, refresh, teardown) or a juicer
// event (production, survey); other types have no kind.
type EventKind string

// The event kinds, detected from an event's name.
const (
	KindNone       EventKind = ""
	KindSetup      EventKind = "setup"
	KindRefresh    EventKind = "refresh"
	KindTeardown   EventKind = "teardown"
	KindProduction EventKind = "production"
	KindSurvey     EventKind = "survey"
)

// EventKinds lists every kind, KindNone first.
var EventKinds = []EventKind{KindNone, KindSetup, KindRefresh, KindTeardown, KindProduction, KindSurvey}

// Valid reports whether k is one of EventKinds.
func (k EventKind) Valid() bool { return oneOf(k, EventKinds) }

// Condition is an event's state in the external planning system.
type Condition string

// The conditions the external system reports. Only unstaffed events without
// a posted schedule are placed by a run.
const (
	ConditionUnstaffed Condition = "unstaffed"
	ConditionScheduled Condition = "scheduled"
	ConditionSubmitted Condition = "submitted"
	ConditionCanceled  Condition = "canceled"
	ConditionExpired   Condition = "expired"
)

// Conditions lists every condition.
var Conditions = []Condition{ConditionUnstaffed, ConditionScheduled, ConditionSubmitted, ConditionCanceled, ConditionExpired}

// Valid reports whether c is one of Conditions.
func (c Condition) Valid() bool { return oneOf(c, Conditions) }

// Attendance is how an assignment was worked: the ranking models learn from
// it.
type Attendance string

// The attendance outcomes of a worked assignment.
const (
	AttendanceOnTime       Attendance = "on_time"
	AttendanceLate         Attendance = "late"
	AttendanceCalledIn     Attendance = "called_in"
	AttendanceNoCallNoShow Attendance = "no_call_no_show"
	AttendanceExcused      Attendance = "excused"
)

// Attendances lists every attendance outcome.
var Attendances = []Attendance{AttendanceOnTime, AttendanceLate, AttendanceCalledIn, AttendanceNoCallNoShow, AttendanceExcused}

// Valid reports whether a is one of Attendances.
func (a Attendance) Valid() bool { return oneOf(a, Attendances) }

// RotationType names a daily rotation.
type RotationType string

// The rotations: which juicer works the juicer events, and who is the day's
// primary lead.
const (
	RotationJuicer      RotationType = "juicer"
	RotationPrimaryLead RotationType = "primary_lead"
)

// RotationTypes lists every rotation type.
var RotationTypes = []RotationType{RotationJuicer, RotationPrimaryLead}

// Valid reports whether t is one of RotationTypes.
func (t RotationType) Valid() bool { return oneOf(t, RotationTypes) }

// UserRole is what a person may do in crewplan.
type UserRole string

// The user roles: an admin may also override hard rules, lock and unlock
// days, and manage users; a scheduler runs, edits and approves; a viewer
// reads.
const (
	UserAdmin     UserRole = "admin"
	UserScheduler UserRole = "scheduler"
	UserViewer    UserRole = "viewer"
)

// UserRoles lists every user role.
var UserRoles = []UserRole{UserAdmin, UserScheduler, UserViewer}

// Valid reports whether r is one of UserRoles.
func (r UserRole) Valid() bool { return oneOf(r, UserRoles) }

func oneOf[T comparable](v T, set []T) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// DetectEventType returns the type of an event from its name, as the rules
// say: upper-cased, first match wins: CORE, DIGITAL, JUICER,
// SUPERVISOR or V2-SUPER, FREEOSK, else other.
func DetectEventType(name string) EventType {
	u := strings.ToUpper(name)
	switch {
	case strings.Contains(u, "CORE"):
		return EventCore
	case strings.Contains(u, "DIGITAL"):
		return EventDigital
	case strings.Contains(u, "JUICER"):
		return EventJuicer
	case strings.Contains(u, "SUPERVISOR"), strings.Contains(u, "V2-SUPER"):
		return EventSupervisor
	case strings.Contains(u, "FREEOSK"):
		return EventFreeosk
	default:
		return EventOther
	}
}

// DetectEventKind returns a digital event's kind (teardown, refresh, else
// setup) or a juicer event's kind (survey, else production) from its name.
// Other types have no kind.
func DetectEventKind(t EventType, name string) EventKind {
	u := strings.ToUpper(name)
	switch t {
	case EventDigital:
		switch {
		case strings.Contains(u, "TEARDOWN"):
			return KindTeardown
		case strings.Contains(u, "REFRESH"):
			return KindRefresh
		default:
			return KindSetup
		}
	case EventJuicer:
		if strings.Contains(u, "SURVEY") {
			return KindSurvey
		}
		return KindProduction
	default:
		return KindNone
	}
}

// DefaultDuration returns the default length in minutes of an event of type
// t and kind k.
func DefaultDuration(t EventType, k EventKind) int {
	switch t {
	case EventCore:
		return 390
	case EventSupervisor:
		return 5
	case EventJuicer:
		if k == KindSurvey {
			return 15
		}
		return 540
	default:
		return 15
	}
}

var sixDigits = regexp.MustCompile(`(^|[^0-9])([0-9]{6})([^0-9]|$)`)

// PairingNumber returns the first six-digit number in an event's name, the
// fallback that pairs a supervisor event with its core when no parent ref is
// given; "" when the name has none.
func PairingNumber(name string) string {
	m := sixDigits.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	return m[2]
}

// Weekdays are the keys of a weekly pattern in scenario files and the API,
// indexed by time.Weekday.
var Weekdays = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
