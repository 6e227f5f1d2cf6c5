package store

import (
	"context"
	"fmt"
	"time"

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
