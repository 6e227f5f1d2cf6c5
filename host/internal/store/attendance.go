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
	// Scanned by hand: a store's year of history is tens of thousands of
	// rows, which reflection scans several times slower.
	rows, err := q.Order("a.date, a.event_ref, a.employee_id").Rows()
	if err != nil {
		return nil, translate(err, "list worked assignments")
	}
	defer rows.Close()
	var out []WorkedAssignment
	for rows.Next() {
		var w WorkedAssignment
		if err := rows.Scan(&w.EventRef, &w.EmployeeID, &w.Date, &w.Status, &w.MinutesLate, &w.Type, &w.Kind,
			&w.StartDate, &w.DueDate, &w.DurationMin, &w.StartMinute, &w.Reassigned); err != nil {
			return nil, translate(err, "list worked assignments")
		}
		out = append(out, w)
	}
	return out, translate(rows.Err(), "list worked assignments")
}

// WorkedVersion returns a text that changes whenever what ListWorked(ctx,
// before) returns may have changed: counts and latest changes of the
// attendance records and posted schedules before that day, and the events
// they name. A caller keeps what it built from ListWorked while the
// version stays the same.
func (s *Store) WorkedVersion(ctx context.Context, before civil.Date) (string, error) {
	var v struct {
		N, MaxID, P, MaxP  int64
		Last, LastP, LastE string
	}
	err := s.r(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM attendance_records WHERE date < ?) AS n,
		(SELECT COALESCE(MAX(id), 0) FROM attendance_records) AS max_id,
		(SELECT COALESCE(CAST(MAX(recorded_at) AS TEXT), '') FROM attendance_records) AS last,
		(SELECT COUNT(*) FROM posted_schedules WHERE date < ?) AS p,
		(SELECT COALESCE(MAX(id), 0) FROM posted_schedules) AS max_p,
		(SELECT COALESCE(CAST(MAX(created_at) AS TEXT), '') FROM posted_schedules) AS last_p,
		(SELECT COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM events) AS last_e`, before, before).Scan(&v).Error
	if err != nil {
		return "", translate(err, "read the worked assignments' version")
	}
	return fmt.Sprintf("%s %d %d %s %d %d %s %s", before, v.N, v.MaxID, v.Last, v.P, v.MaxP, v.LastP, v.LastE), nil
}
