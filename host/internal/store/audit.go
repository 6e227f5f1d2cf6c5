package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
)

// Actor names who makes a change: a user name, or "system" for the
// scheduler and imports.
type Actor string

// SystemActor is the actor of changes nobody made by hand.
const SystemActor Actor = "system"

// audit records a change in the audit log, in the same transaction as the
// change when s is one.
func (s *Store) audit(ctx context.Context, by Actor, action, entity, id, reason string, details any) error {
	d := "{}"
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			return fmt.Errorf("audit %s %s: %w", action, entity, err)
		}
		d = string(b)
	}
	if by == "" {
		by = SystemActor
	}
	e := AuditEntry{At: time.Now().UTC(), Actor: string(by), Action: action, Entity: entity, EntityID: id, Reason: reason, Details: d}
	return translate(s.w(ctx).Create(&e).Error, "write audit log")
}

// AuditFilter selects audit log entries; zero fields match everything.
type AuditFilter struct {
	Entity   string
	EntityID string
	Since    time.Time
	Limit    int
}

// ListAudit returns audit log entries, newest first (at most 1,000).
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q := s.r(ctx).Model(&AuditEntry{})
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since.UTC())
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	var out []AuditEntry
	err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error
	return out, translate(err, "list audit log")
}

// dateLocked reports whether d is a locked day, inside s's transaction.
func (s *Store) dateLocked(ctx context.Context, d civil.Date) (*LockedDay, error) {
	var ld []LockedDay
	if err := s.w(ctx).Where("date = ?", d).Limit(1).Find(&ld).Error; err != nil {
		return nil, translate(err, "read locked days")
	}
	if len(ld) == 0 {
		return nil, nil
	}
	return &ld[0], nil
}

// errLocked is the conflict of a change on a locked day.
func errLocked(ld *LockedDay) error {
	return fmt.Errorf("%w: %s is locked (%s, by %s): an admin must unlock it first", ErrConflict, ld.Date, ld.Reason, ld.LockedBy)
}
