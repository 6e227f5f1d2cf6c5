package store

import (
	"context"
	"fmt"
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
	"gorm.io/gorm/clause"
)

// Validate checks an attendance record's own fields.
func (a *AttendanceRecord) Validate() error {
	var p problems
	if a.EventRef <= 0 {
		p.add("event", "is required")
	}
	if a.EmployeeID == "" {
		p.add("employee", "is required")
	}
	if a.Date.IsZero() {
		p.add("date", "is required")
	}
	if !a.Status.Valid() {
		p.add("status", "%q is not on_time, late, called_in, no_call_no_show or excused", a.Status)
	}
	if a.MinutesLate < 0 {
		p.add("minutes_late", "cannot be negative")
	}
	return p.err()
}

// RecordAttendance saves how an employee worked an event, replacing an
// earlier record for the same event and employee.
func (s *Store) RecordAttendance(ctx context.Context, by Actor, a *AttendanceRecord) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.RecordedBy = string(by)
	a.RecordedAt = time.Now().UTC()
	return s.InTx(ctx, func(tx *Store) error {
		err := tx.w(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "event_ref"}, {Name: "employee_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"date", "status", "minutes_late", "note", "recorded_by", "recorded_at"}),
		}).Create(a).Error
		if err := translate(err, fmt.Sprintf("record attendance of %s at event %d", a.EmployeeID, a.EventRef)); err != nil {
			return err
		}
		return tx.audit(ctx, by, "put", "attendance", fmt.Sprintf("%d/%s", a.EventRef, a.EmployeeID), "", a)
	})
}

// AttendanceFilter selects attendance records.
type AttendanceFilter struct {
	DateRange
	EmployeeID string
}

// ListAttendance returns attendance records by date.
func (s *Store) ListAttendance(ctx context.Context, f AttendanceFilter) ([]AttendanceRecord, error) {
	q := f.apply(s.r(ctx).Model(&AttendanceRecord{}))
	if f.EmployeeID != "" {
		q = q.Where("employee_id = ?", f.EmployeeID)
	}
	var out []AttendanceRecord
	return out, translate(q.Order("date, event_ref, employee_id").Find(&out).Error, "list attendance")
}

// WorkedAssignment is an attendance record with what the ranking models
// need of its event: the type, the start (the posted schedule's when the
// event still has one for that employee, else 0) and the duration.
type WorkedAssignment struct {
	EventRef    int64
	EmployeeID  string
	Date        civil.Date
	Status      Attendance
	MinutesLate int
	Type        EventType
	Kind        EventKind
	StartDate   civil.Date // the event's window
	DueDate     civil.Date
	DurationMin int
	StartMinute civil.Clock
	// Reassigned is true when the event's posted schedule names someone
	// else now: the work went to another employee.
	Reassigned bool
}

// ListWorked returns the attendance records of days before before (all
// of them when before is zero), with their events, by date.
func (s *Store) ListWorked(ctx context.Context, before civil.Date) ([]WorkedAssignment, error) {
	q := s.r(ctx).Table("attendance_records AS a").
		Select(`a.event_ref, a.employee_id, a.date, a.status, a.minutes_late, e.type, e.kind, e.start_date, e.due_date, e.duration_min,
			COALESCE(p.start_minute, 0) AS start_minute,
			(p.employee_id IS NOT NULL AND p.employee_id <> a.employee_id) AS reassigned`).
		Joins("JOIN events AS e ON e.ref = a.event_ref").
		Joins("LEFT JOIN posted_schedules AS p ON p.event_ref = a.event_ref")
	if !before.IsZero() {
		q = q.Where("a.date < ?", before)
	}
	var out []WorkedAssignment
	return out, translate(q.Order("a.date, a.event_ref, a.employee_id").Scan(&out).Error, "list worked assignments")
}
