package store

import (
	"context"
	"fmt"

	"github.com/crewplan/crewplan/sdk/civil"
)

// Validate checks the fields of a posted schedule that need no other row.
func (p *PostedSchedule) Validate() error {
	var ps problems
	if p.EventRef <= 0 {
		ps.add("event", "is required")
	}
	if p.EmployeeID == "" {
		ps.add("employee", "is required")
	}
	if p.Date.IsZero() {
		ps.add("date", "is required")
	}
	if !p.StartMinute.Valid() {
		ps.add("start", "%d is not a time of day", p.StartMinute)
	}
	switch p.Source {
	case SourceManual, SourceRun, SourceImport, SourceSync:
	default:
		ps.add("source", "%q is not manual, run, import or sync", p.Source)
	}
	return ps.err()
}

// ScheduleFilter selects posted schedules by date (inclusive; zero leaves a
// side open) and employee.
type ScheduleFilter struct {
	From, To   civil.Date
	EmployeeID string
}

// ListPosted returns posted schedules by date, start and event.
func (s *Store) ListPosted(ctx context.Context, f ScheduleFilter) ([]PostedSchedule, error) {
	q := s.r(ctx).Model(&PostedSchedule{})
	if !f.From.IsZero() {
		q = q.Where("date >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("date <= ?", f.To)
	}
	if f.EmployeeID != "" {
		q = q.Where("employee_id = ?", f.EmployeeID)
	}
	var out []PostedSchedule
	return out, translate(q.Order("date, start_minute, event_ref").Find(&out).Error, "list posted schedules")
}

// GetPosted returns one posted schedule.
func (s *Store) GetPosted(ctx context.Context, id int64) (*PostedSchedule, error) {
	var p PostedSchedule
	if err := s.r(ctx).Where("id = ?", id).Take(&p).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("posted schedule %d", id))
	}
	return &p, nil
}

// PostSchedule posts an assignment and marks its event scheduled. It is a
// conflict when the event already has one or the day is locked. Hard rules
// beyond the lock are the rule engine's to check before calling.
func (s *Store) PostSchedule(ctx context.Context, by Actor, p *PostedSchedule) error {
	if p.Source == "" {
		p.Source = SourceManual
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.checkUnlocked(ctx, "post a schedule", p.Date); err != nil {
			return err
		}
		p.ID = 0
		p.PostedBy = string(by)
		if err := translate(tx.w(ctx).Create(p).Error, fmt.Sprintf("post schedule for event %d", p.EventRef)); err != nil {
			return err
		}
		if err := tx.setCondition(ctx, p.EventRef, ConditionScheduled); err != nil {
			return err
		}
		return tx.audit(ctx, by, "create", "posted_schedule", fmt.Sprint(p.ID), p.OverrideReason, p)
	})
}

// MoveSchedule changes the employee, date or start of a posted schedule.
// Neither the old day nor the new one may be locked.
func (s *Store) MoveSchedule(ctx context.Context, by Actor, p *PostedSchedule) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetPosted(ctx, p.ID)
		if err != nil {
			return err
		}
		if before.EventRef != p.EventRef {
			return &ValidationError{Fields: []FieldError{{Field: "event", Message: "a posted schedule cannot change its event: delete it and post a new one"}}}
		}
		if err := tx.checkUnlocked(ctx, "move a schedule from", before.Date); err != nil {
			return err
		}
		if err := tx.checkUnlocked(ctx, "move a schedule to", p.Date); err != nil {
			return err
		}
		res := tx.w(ctx).Model(&PostedSchedule{}).Where("id = ?", p.ID).Updates(map[string]any{
			"employee_id": p.EmployeeID, "date": p.Date, "start_minute": p.StartMinute, "override_reason": p.OverrideReason,
		})
		if err := translate(res.Error, fmt.Sprintf("move posted schedule %d", p.ID)); err != nil {
			return err
		}
		after, err := tx.GetPosted(ctx, p.ID)
		if err != nil {
			return err
		}
		*p = *after
		return tx.audit(ctx, by, "update", "posted_schedule", fmt.Sprint(p.ID), p.OverrideReason, map[string]any{"before": before, "after": after})
	})
}

// DeletePosted removes a posted schedule and marks its event unstaffed,
// unless the day is locked.
func (s *Store) DeletePosted(ctx context.Context, by Actor, id int64, reason string) error {
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetPosted(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.checkUnlocked(ctx, "remove a schedule on", before.Date); err != nil {
			return err
		}
		if err := translate(tx.w(ctx).Where("id = ?", id).Delete(&PostedSchedule{}).Error, fmt.Sprintf("delete posted schedule %d", id)); err != nil {
			return err
		}
		if err := tx.setCondition(ctx, before.EventRef, ConditionUnstaffed); err != nil {
			return err
		}
		return tx.audit(ctx, by, "delete", "posted_schedule", fmt.Sprint(id), reason, before)
	})
}

func (s *Store) checkUnlocked(ctx context.Context, what string, d civil.Date) error {
	ld, err := s.dateLocked(ctx, d)
	if err != nil {
		return err
	}
	if ld != nil {
		return fmt.Errorf("%s %s: %w", what, d, errLocked(ld))
	}
	return nil
}

func (s *Store) setCondition(ctx context.Context, ref int64, c Condition) error {
	res := s.w(ctx).Model(&Event{}).Where("ref = ?", ref).Update("condition", c)
	if err := translate(res.Error, fmt.Sprintf("mark event %d %s", ref, c)); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("mark event %d %s: %w", ref, c, ErrNotFound)
	}
	return nil
}
