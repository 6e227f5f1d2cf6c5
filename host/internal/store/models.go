package store

import (
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
)

// Employee is a person who can be scheduled, with the weekly pattern,
// date-specific availability and time off that decide which days they can
// work.
type Employee struct {
	ID                   string      `gorm:"primaryKey" json:"id"`
	Name                 string      `json:"name"`
	Role                 Role        `json:"role"`
	Active               bool        `json:"active"`
	TerminatedOn         *civil.Date `json:"terminated_on"`
	ExternalID           *string     `json:"external_id"`
	AdultBeverageTrained bool        `json:"adult_beverage_trained"`
	CreatedAt            time.Time   `json:"created_at"`
	UpdatedAt            time.Time   `json:"updated_at"`

	Weekly           []WeeklyAvailability `gorm:"foreignKey:EmployeeID" json:"weekly"`
	DateAvailability []DateAvailability   `gorm:"foreignKey:EmployeeID" json:"date_availability"`
	TimeOff          []TimeOff            `gorm:"foreignKey:EmployeeID" json:"time_off"`
}

// WeeklyAvailability says whether an employee works a day of the week. A
// day without a row is available.
type WeeklyAvailability struct {
	EmployeeID string       `gorm:"primaryKey" json:"-"`
	Weekday    time.Weekday `gorm:"primaryKey" json:"weekday"`
	Available  bool         `json:"available"`
}

// TableName is the table of WeeklyAvailability.
func (WeeklyAvailability) TableName() string { return "weekly_availability" }

// DateKind is the kind of a date-specific availability row.
type DateKind string

// The kinds of date-specific availability. An override (available on that
// date) wins over an unavailability, which wins over the weekly pattern.
const (
	DateUnavailable DateKind = "unavailable"
	DateOverride    DateKind = "override"
)

// DateAvailability is an employee's date-specific unavailability or
// override.
type DateAvailability struct {
	EmployeeID string     `gorm:"primaryKey" json:"-"`
	Date       civil.Date `gorm:"primaryKey" json:"date"`
	Kind       DateKind   `gorm:"primaryKey" json:"kind"`
	Reason     string     `json:"reason"`
}

// TableName is the table of DateAvailability.
func (DateAvailability) TableName() string { return "date_availability" }

// TimeOff is an inclusive range of days an employee is off.
type TimeOff struct {
	ID         int64      `gorm:"primaryKey" json:"id"`
	EmployeeID string     `json:"-"`
	StartDate  civil.Date `json:"start"`
	EndDate    civil.Date `json:"end"`
	Reason     string     `json:"reason"`
}

// TableName is the table of TimeOff.
func (TimeOff) TableName() string { return "time_off" }

// Event is a piece of work the store must staff, as the external planning
// system describes it. Ref is the external system's plan id.
type Event struct {
	Ref         int64      `gorm:"primaryKey;autoIncrement:false" json:"ref"`
	Name        string     `json:"name"`
	Type        EventType  `json:"type"`
	Kind        EventKind  `json:"kind"`
	StartDate   civil.Date `json:"start"`
	DueDate     civil.Date `json:"due"`
	DurationMin int        `json:"duration_min"`
	Condition   Condition  `json:"condition"`
	ParentRef   *int64     `json:"parent_ref"`
	StoreID     string     `json:"store_id"`
	LocationID  string     `json:"location_id"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ScheduleSource says where a posted schedule came from.
type ScheduleSource string

// The sources of a posted schedule.
const (
	SourceManual ScheduleSource = "manual"
	SourceRun    ScheduleSource = "run"
	SourceImport ScheduleSource = "import"
	SourceSync   ScheduleSource = "sync"
)

// PostedSchedule is a confirmed assignment of an employee to an event at a
// date and time. An event has at most one.
type PostedSchedule struct {
	ID             int64          `gorm:"primaryKey" json:"id"`
	EventRef       int64          `json:"event"`
	EmployeeID     string         `json:"employee"`
	Date           civil.Date     `json:"date"`
	StartMinute    civil.Clock    `json:"start"`
	ExternalID     *string        `json:"external_id"`
	Source         ScheduleSource `json:"source"`
	RunID          *int64         `json:"run_id"`
	PostedBy       string         `json:"posted_by"`
	OverrideReason string         `json:"override_reason,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
}

// RunStatus is the state of a scheduler run.
type RunStatus string

// The states of a scheduler run.
const (
	RunRunning    RunStatus = "running"
	RunCompleted  RunStatus = "completed"
	RunFailed     RunStatus = "failed"
	RunSuperseded RunStatus = "superseded"
	RunApproved   RunStatus = "approved"
	RunRejected   RunStatus = "rejected"
)

// SchedulerRun records one auto-scheduler run: what it considered, placed
// and failed, how long it took and which ranker decided.
type SchedulerRun struct {
	ID             int64      `gorm:"primaryKey" json:"id"`
	Status         RunStatus  `json:"status"`
	TriggeredBy    string     `json:"triggered_by"`
	RequestedBy    string     `json:"requested_by"`
	Host           string     `json:"host"`
	RunNow         string     `json:"now"`
	StartedAt      time.Time  `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	Considered     int        `json:"considered"`
	Placed         int        `json:"placed"`
	Failed         int        `json:"failed"`
	Bumps          int        `json:"bumps"`
	Bound          *int       `json:"bound"`
	Ranker         string     `json:"ranker"`
	Fallbacks      int        `json:"fallbacks"`
	FallbackDetail string     `json:"fallback_detail"`
	// Shadow is the shadow-mode report, a JSON object ({} without one).
	Shadow    string `json:"shadow"`
	ElapsedMS int64  `gorm:"column:elapsed_ms" json:"elapsed_ms"`
	Error     string `json:"error,omitempty"`
}

// ProposalStatus is the state of a pending schedule.
type ProposalStatus string

// The states of a pending schedule.
const (
	ProposalPending    ProposalStatus = "pending"
	ProposalApproved   ProposalStatus = "approved"
	ProposalRejected   ProposalStatus = "rejected"
	ProposalFailed     ProposalStatus = "failed"
	ProposalSuperseded ProposalStatus = "superseded"
)

// PendingSchedule is a run's proposal. When it displaces a posted
// assignment, BumpsPostedID names the posted schedule it would replace; the
// bump is applied only on approval.
type PendingSchedule struct {
	ID             int64          `gorm:"primaryKey" json:"id"`
	RunID          int64          `json:"run_id"`
	EventRef       int64          `json:"event"`
	EmployeeID     string         `json:"employee"`
	Date           civil.Date     `json:"date"`
	StartMinute    civil.Clock    `json:"start"`
	BumpsPostedID  *int64         `json:"bumps_posted_id"`
	BumpedEventRef *int64         `json:"bumped_event"`
	Status         ProposalStatus `json:"status"`
	Error          string         `json:"error,omitempty"`
	EditedBy       string         `json:"edited_by,omitempty"`
	OverrideReason string         `json:"override_reason,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// RunFailure is an event a run could not place, with the reason.
type RunFailure struct {
	RunID    int64  `gorm:"primaryKey" json:"run_id"`
	EventRef int64  `gorm:"primaryKey;autoIncrement:false" json:"event"`
	Reason   string `json:"reason"`
}

// Rotation names who works a rotation on a day of the week.
type Rotation struct {
	Type       RotationType `gorm:"primaryKey" json:"type"`
	Weekday    time.Weekday `gorm:"primaryKey;autoIncrement:false" json:"weekday"`
	EmployeeID string       `json:"employee"`
}

// RotationException replaces the weekly rotation on one date.
type RotationException struct {
	Date       civil.Date   `gorm:"primaryKey" json:"date"`
	Type       RotationType `gorm:"primaryKey" json:"type"`
	EmployeeID string       `json:"employee"`
	Reason     string       `json:"reason"`
}

// Holiday is a day the store is closed: nothing is placed on it.
type Holiday struct {
	Date civil.Date `gorm:"primaryKey" json:"date"`
	Name string     `json:"name"`
}

// TableName is the table of Holiday.
func (Holiday) TableName() string { return "company_holidays" }

// LockedDay is a day on which nothing changes until an admin unlocks it.
type LockedDay struct {
	Date     civil.Date `gorm:"primaryKey" json:"date"`
	Reason   string     `json:"reason"`
	LockedBy string     `json:"locked_by"`
	LockedAt time.Time  `json:"locked_at"`
}

// Setting is one stored settings document, as JSON.
type Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedBy string
	UpdatedAt time.Time
}

// AttendanceRecord says how an employee worked an assigned event.
type AttendanceRecord struct {
	ID          int64      `gorm:"primaryKey" json:"id"`
	EventRef    int64      `json:"event"`
	EmployeeID  string     `json:"employee"`
	Date        civil.Date `json:"date"`
	Status      Attendance `json:"status"`
	MinutesLate int        `json:"minutes_late"`
	Note        string     `json:"note"`
	RecordedBy  string     `json:"recorded_by"`
	RecordedAt  time.Time  `json:"recorded_at"`
}

// User is a person who signs in to crewplan.
type User struct {
	ID           int64     `gorm:"primaryKey" json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Role         UserRole  `json:"role"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// Session is a signed-in browser; ID is the SHA-256 of its token.
type Session struct {
	ID         string
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// AuditEntry records one change a person (or the system) made.
type AuditEntry struct {
	ID       int64     `gorm:"primaryKey" json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Reason   string    `json:"reason,omitempty"`
	Details  string    `json:"details"`
}

// TableName is the table of AuditEntry.
func (AuditEntry) TableName() string { return "audit_log" }
