package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Validate checks an employee and its availability and time off, filling in
// nothing; it reports every problem.
func (e *Employee) Validate() error {
	var p problems
	switch {
	case e.ID == "":
		p.add("id", "is required")
	case len(e.ID) > 64:
		p.add("id", "is longer than 64 characters")
	}
	if e.Name == "" {
		p.add("name", "is required")
	}
	if !e.Role.Valid() {
		p.add("role", "%q is not a role (club_supervisor, lead, specialist, juicer)", e.Role)
	}
	if e.ExternalID != nil && *e.ExternalID == "" {
		p.add("external_id", "is empty: leave it out instead")
	}
	if e.TerminatedOn != nil && e.TerminatedOn.IsZero() {
		p.add("terminated_on", "is not a date")
	}
	seen := map[time.Weekday]bool{}
	for i, w := range e.Weekly {
		if w.Weekday < time.Sunday || w.Weekday > time.Saturday {
			p.add(fmt.Sprintf("weekly[%d].weekday", i), "%d is not a day of the week (0 Sunday to 6 Saturday)", w.Weekday)
		} else if seen[w.Weekday] {
			p.add(fmt.Sprintf("weekly[%d].weekday", i), "%s is given twice", Weekdays[w.Weekday])
		}
		seen[w.Weekday] = true
	}
	type dk struct {
		d string
		k DateKind
	}
	seenDates := map[dk]bool{}
	for i, d := range e.DateAvailability {
		f := fmt.Sprintf("date_availability[%d]", i)
		if d.Date.IsZero() {
			p.add(f+".date", "is required")
		}
		if d.Kind != DateUnavailable && d.Kind != DateOverride {
			p.add(f+".kind", "%q is not unavailable or override", d.Kind)
		}
		key := dk{d.Date.String(), d.Kind}
		if seenDates[key] {
			p.add(f+".date", "%s is given twice as %s", d.Date, d.Kind)
		}
		seenDates[key] = true
	}
	for i, t := range e.TimeOff {
		f := fmt.Sprintf("time_off[%d]", i)
		if t.StartDate.IsZero() {
			p.add(f+".start", "is required")
		}
		if t.EndDate.IsZero() {
			p.add(f+".end", "is required")
		}
		if !t.StartDate.IsZero() && !t.EndDate.IsZero() && t.EndDate < t.StartDate {
			p.add(f+".end", "%s is before start %s", t.EndDate, t.StartDate)
		}
	}
	return p.err()
}

// EmployeeFilter selects employees; the zero filter selects everyone.
type EmployeeFilter struct {
	ActiveOnly bool
	Role       Role
}

func preloadEmployee(q *gorm.DB) *gorm.DB {
	return q.Preload("Weekly", func(db *gorm.DB) *gorm.DB { return db.Order("weekday") }).
		Preload("DateAvailability", func(db *gorm.DB) *gorm.DB { return db.Order("date, kind") }).
		Preload("TimeOff", func(db *gorm.DB) *gorm.DB { return db.Order("start_date, id") })
}

// ListEmployees returns employees by id, with their availability and time
// off.
func (s *Store) ListEmployees(ctx context.Context, f EmployeeFilter) ([]Employee, error) {
	q := preloadEmployee(s.r(ctx).Model(&Employee{}))
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	var out []Employee
	return out, translate(q.Order("id").Find(&out).Error, "list employees")
}

// GetEmployee returns one employee with availability and time off.
func (s *Store) GetEmployee(ctx context.Context, id string) (*Employee, error) {
	var e Employee
	err := preloadEmployee(s.r(ctx)).Where("id = ?", id).Take(&e).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("employee %q", id))
	}
	return &e, nil
}

// CreateEmployee adds an employee with its availability and time off.
func (s *Store) CreateEmployee(ctx context.Context, by Actor, e *Employee) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.insertEmployees(ctx, []Employee{*e}); err != nil {
			return translate(err, fmt.Sprintf("create employee %q", e.ID))
		}
		got, err := tx.GetEmployee(ctx, e.ID)
		if err != nil {
			return err
		}
		*e = *got
		return tx.audit(ctx, by, "create", "employee", e.ID, "", e)
	})
}

// insertEmployees inserts employees and their children; used by
// CreateEmployee and the bulk import.
func (s *Store) insertEmployees(ctx context.Context, emps []Employee) error {
	if len(emps) == 0 {
		return nil
	}
	db := s.w(ctx).Omit("Weekly", "DateAvailability", "TimeOff")
	if err := db.CreateInBatches(emps, 200).Error; err != nil {
		return err
	}
	return s.insertChildren(ctx, emps)
}

// insertChildren inserts the weekly pattern, date availability and time off
// of employees whose base rows exist.
func (s *Store) insertChildren(ctx context.Context, emps []Employee) error {
	var weekly []WeeklyAvailability
	var dates []DateAvailability
	var off []TimeOff
	for _, e := range emps {
		for _, w := range e.Weekly {
			w.EmployeeID = e.ID
			weekly = append(weekly, w)
		}
		for _, d := range e.DateAvailability {
			d.EmployeeID = e.ID
			dates = append(dates, d)
		}
		for _, t := range e.TimeOff {
			t.EmployeeID = e.ID
			t.ID = 0
			off = append(off, t)
		}
	}
	if len(weekly) > 0 {
		if err := s.w(ctx).CreateInBatches(weekly, 500).Error; err != nil {
			return err
		}
	}
	if len(dates) > 0 {
		if err := s.w(ctx).CreateInBatches(dates, 500).Error; err != nil {
			return err
		}
	}
	if len(off) > 0 {
		if err := s.w(ctx).CreateInBatches(off, 500).Error; err != nil {
			return err
		}
	}
	return nil
}

// UpdateEmployee replaces an employee's fields, availability and time off.
func (s *Store) UpdateEmployee(ctx context.Context, by Actor, e *Employee) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetEmployee(ctx, e.ID)
		if err != nil {
			return err
		}
		res := tx.w(ctx).Model(&Employee{}).Where("id = ?", e.ID).Select("name", "role", "active", "terminated_on", "external_id", "adult_beverage_trained", "updated_at").
			Updates(map[string]any{"name": e.Name, "role": e.Role, "active": e.Active, "terminated_on": e.TerminatedOn, "external_id": e.ExternalID, "adult_beverage_trained": e.AdultBeverageTrained, "updated_at": time.Now().UTC()})
		if err := translate(res.Error, fmt.Sprintf("update employee %q", e.ID)); err != nil {
			return err
		}
		for _, m := range []any{&WeeklyAvailability{}, &DateAvailability{}, &TimeOff{}} {
			if err := tx.w(ctx).Where("employee_id = ?", e.ID).Delete(m).Error; err != nil {
				return translate(err, fmt.Sprintf("update employee %q", e.ID))
			}
		}
		if err := tx.insertChildren(ctx, []Employee{*e}); err != nil {
			return translate(err, fmt.Sprintf("update employee %q", e.ID))
		}
		after, err := tx.GetEmployee(ctx, e.ID)
		if err != nil {
			return err
		}
		*e = *after
		return tx.audit(ctx, by, "update", "employee", e.ID, "", map[string]any{"before": before, "after": after})
	})
}

// DeleteEmployee removes an employee who has no posted schedule; an
// employee with posted work is deactivated instead, by the caller.
func (s *Store) DeleteEmployee(ctx context.Context, by Actor, id string) error {
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetEmployee(ctx, id)
		if err != nil {
			return err
		}
		res := tx.w(ctx).Where("id = ?", id).Delete(&Employee{})
		if err := translate(res.Error, fmt.Sprintf("delete employee %q", id)); err != nil {
			return err
		}
		return tx.audit(ctx, by, "delete", "employee", id, "", before)
	})
}
