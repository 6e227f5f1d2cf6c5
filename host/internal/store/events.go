package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
	"gorm.io/gorm"
)

// Normalize fills in what an event may leave out: the type from the name,
// the kind, the type's default duration and the unstaffed condition.
func (e *Event) Normalize() {
	if e.Type == "" && e.Name != "" {
		e.Type = DetectEventType(e.Name)
	}
	if e.Kind == "" && e.Type.Valid() {
		e.Kind = DetectEventKind(e.Type, e.Name)
	}
	if e.DurationMin == 0 && e.Type.Valid() {
		e.DurationMin = DefaultDuration(e.Type, e.Kind)
	}
	if e.Condition == "" {
		e.Condition = ConditionUnstaffed
	}
}

// Validate checks a normalized event and reports every problem.
func (e *Event) Validate() error {
	var p problems
	if e.Ref <= 0 {
		p.add("ref", "must be a positive number")
	}
	if e.Name == "" {
		p.add("name", "is required")
	}
	if !e.Type.Valid() {
		p.add("type", "%q is not an event type (core, supervisor, juicer, freeosk, digital, other)", e.Type)
	}
	if !e.Kind.Valid() {
		p.add("kind", "%q is not an event kind (setup, refresh, teardown, production, survey)", e.Kind)
	}
	if e.StartDate.IsZero() {
		p.add("start", "is required")
	}
	if e.DueDate.IsZero() {
		p.add("due", "is required")
	}
	if !e.StartDate.IsZero() && !e.DueDate.IsZero() && e.DueDate < e.StartDate {
		p.add("due", "%s is before start %s", e.DueDate, e.StartDate)
	}
	if e.DurationMin < 1 || e.DurationMin > 1440 {
		p.add("duration_min", "%d is not between 1 and 1440 minutes", e.DurationMin)
	}
	if !e.Condition.Valid() {
		p.add("condition", "%q is not a condition (unstaffed, scheduled, submitted, canceled, expired)", e.Condition)
	}
	if e.ParentRef != nil && *e.ParentRef == e.Ref {
		p.add("parent_ref", "an event cannot be its own parent")
	}
	return p.err()
}

// EventFilter selects events. From and To select the events whose window
// [start, due] overlaps [From, To]; zero dates leave that side open.
type EventFilter struct {
	From, To  civil.Date
	Type      EventType
	Condition Condition
	Limit     int
	Offset    int
}

// EventWithSchedule is an event and its posted schedule, if it has one.
type EventWithSchedule struct {
	Event
	Schedule *PostedSchedule `json:"schedule"`
}

// ListEvents returns the events f selects, by due date then ref, each with
// its posted schedule. It is the hot read of the API and the pages: one
// query, scanned without reflection, and without the events' CreatedAt and
// UpdatedAt (left zero: parsing two timestamps per row was a tenth of the
// time on SQLite, and lists do not show them; GetEvent has them).
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]EventWithSchedule, error) {
	q := eventFilterOn(s.r(ctx).Table("events").Select(eventColumns), f).Order("events.due_date, events.ref")
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	rows, err := q.Rows()
	if err != nil {
		return nil, translate(err, "list events")
	}
	defer rows.Close()
	out := make([]EventWithSchedule, 0, 256)
	for rows.Next() {
		var e EventWithSchedule
		err := rows.Scan(&e.Ref, &e.Name, &e.Type, &e.Kind, &e.StartDate, &e.DueDate, &e.DurationMin, &e.Condition,
			&e.ParentRef, &e.StoreID, &e.LocationID)
		if err != nil {
			return nil, translate(err, "list events")
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "list events")
	}
	if len(out) == 0 {
		return out, nil
	}
	// The posted schedules of the same events: a second, small query (most
	// events in a window are not posted yet).
	idx := make(map[int64]int, len(out))
	for i := range out {
		idx[out[i].Ref] = i
	}
	pq := eventFilterOn(s.r(ctx).Table("posted_schedules").Select(postedColumns).
		Joins("JOIN events ON events.ref = posted_schedules.event_ref"), f)
	prows, err := pq.Rows()
	if err != nil {
		return nil, translate(err, "list events' schedules")
	}
	defer prows.Close()
	for prows.Next() {
		p := new(PostedSchedule)
		if err := scanPosted(prows, p); err != nil {
			return nil, translate(err, "list events' schedules")
		}
		if j, ok := idx[p.EventRef]; ok {
			out[j].Schedule = p
		}
	}
	if err := prows.Err(); err != nil {
		return nil, translate(err, "list events' schedules")
	}
	return out, nil
}

// postedColumns are the columns scanPosted reads, in order.
const postedColumns = "posted_schedules.id, posted_schedules.event_ref, posted_schedules.employee_id, posted_schedules.date, " +
	"posted_schedules.start_minute, posted_schedules.external_id, posted_schedules.source, posted_schedules.run_id, " +
	"posted_schedules.posted_by, posted_schedules.override_reason, posted_schedules.created_at"

// scanPosted reads one row of postedColumns.
func scanPosted(rows *sql.Rows, p *PostedSchedule) error {
	return rows.Scan(&p.ID, &p.EventRef, &p.EmployeeID, &p.Date, &p.StartMinute, &p.ExternalID, &p.Source, &p.RunID,
		&p.PostedBy, &p.OverrideReason, &p.CreatedAt)
}

// eventColumns are the columns ListEvents scans, in order.
const eventColumns = "events.ref, events.name, events.type, events.kind, events.start_date, events.due_date, " +
	"events.duration_min, events.condition, events.parent_ref, events.store_id, events.location_id"

func eventFilterOn(q *gorm.DB, f EventFilter) *gorm.DB {
	if !f.To.IsZero() {
		q = q.Where("events.start_date <= ?", f.To)
	}
	if !f.From.IsZero() {
		q = q.Where("events.due_date >= ?", f.From)
	}
	if f.Type != "" {
		q = q.Where("events.type = ?", f.Type)
	}
	if f.Condition != "" {
		q = q.Where("events.condition = ?", f.Condition)
	}
	return q
}

// GetEvent returns one event with its posted schedule.
func (s *Store) GetEvent(ctx context.Context, ref int64) (*EventWithSchedule, error) {
	var e Event
	if err := s.r(ctx).Where("ref = ?", ref).Take(&e).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("event %d", ref))
	}
	out := &EventWithSchedule{Event: e}
	var ps []PostedSchedule
	if err := s.r(ctx).Where("event_ref = ?", ref).Limit(1).Find(&ps).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("event %d", ref))
	}
	if len(ps) == 1 {
		out.Schedule = &ps[0]
	}
	return out, nil
}

// CreateEvent adds an event after normalizing and validating it.
func (s *Store) CreateEvent(ctx context.Context, by Actor, e *Event) error {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.checkParent(ctx, e); err != nil {
			return err
		}
		if err := translate(tx.w(ctx).Create(e).Error, fmt.Sprintf("create event %d", e.Ref)); err != nil {
			return err
		}
		return tx.audit(ctx, by, "create", "event", fmt.Sprint(e.Ref), "", e)
	})
}

func (s *Store) checkParent(ctx context.Context, e *Event) error {
	if e.ParentRef == nil {
		return nil
	}
	var parent []Event
	if err := s.w(ctx).Where("ref = ?", *e.ParentRef).Limit(1).Find(&parent).Error; err != nil {
		return translate(err, "read parent event")
	}
	if len(parent) == 0 {
		return &ValidationError{Fields: []FieldError{{Field: "parent_ref", Message: fmt.Sprintf("no event %d", *e.ParentRef)}}}
	}
	if parent[0].Type != EventCore {
		return &ValidationError{Fields: []FieldError{{Field: "parent_ref", Message: fmt.Sprintf("event %d is a %s event, not a core event", *e.ParentRef, parent[0].Type)}}}
	}
	return nil
}

// UpdateEvent replaces an event's fields.
func (s *Store) UpdateEvent(ctx context.Context, by Actor, e *Event) error {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetEvent(ctx, e.Ref)
		if err != nil {
			return err
		}
		if err := tx.checkParent(ctx, e); err != nil {
			return err
		}
		e.CreatedAt = before.CreatedAt
		e.UpdatedAt = time.Now().UTC()
		if err := translate(tx.w(ctx).Select("*").Save(e).Error, fmt.Sprintf("update event %d", e.Ref)); err != nil {
			return err
		}
		return tx.audit(ctx, by, "update", "event", fmt.Sprint(e.Ref), "", map[string]any{"before": before.Event, "after": e})
	})
}

// DeleteEvent removes an event and, with it, its posted schedule, unless
// that schedule is on a locked day.
func (s *Store) DeleteEvent(ctx context.Context, by Actor, ref int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetEvent(ctx, ref)
		if err != nil {
			return err
		}
		if before.Schedule != nil {
			ld, err := tx.dateLocked(ctx, before.Schedule.Date)
			if err != nil {
				return err
			}
			if ld != nil {
				return fmt.Errorf("delete event %d: its schedule on %w", ref, errLocked(ld))
			}
		}
		if err := translate(tx.w(ctx).Where("ref = ?", ref).Delete(&Event{}).Error, fmt.Sprintf("delete event %d", ref)); err != nil {
			return err
		}
		return tx.audit(ctx, by, "delete", "event", fmt.Sprint(ref), "", before)
	})
}
