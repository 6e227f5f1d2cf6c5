package store

import (
	"context"
	"fmt"
	"time"

	"github.com/crewplan/crewplan/sdk/civil"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DateRange selects rows by date, inclusive; a zero date leaves that side
// open.
type DateRange struct {
	From, To civil.Date
}

func (r DateRange) apply(q *gorm.DB) *gorm.DB {
	if !r.From.IsZero() {
		q = q.Where("date >= ?", r.From)
	}
	if !r.To.IsZero() {
		q = q.Where("date <= ?", r.To)
	}
	return q
}

// ListHolidays returns the company holidays in r, by date.
func (s *Store) ListHolidays(ctx context.Context, r DateRange) ([]Holiday, error) {
	var out []Holiday
	return out, translate(r.apply(s.r(ctx).Model(&Holiday{})).Order("date").Find(&out).Error, "list holidays")
}

// PutHoliday adds a holiday or renames the one on its date.
func (s *Store) PutHoliday(ctx context.Context, by Actor, h *Holiday) error {
	var p problems
	if h.Date.IsZero() {
		p.add("date", "is required")
	}
	if h.Name == "" {
		p.add("name", "is required")
	}
	if err := p.err(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		err := tx.w(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "date"}}, DoUpdates: clause.AssignmentColumns([]string{"name"})}).Create(h).Error
		if err := translate(err, "save holiday "+h.Date.String()); err != nil {
			return err
		}
		return tx.audit(ctx, by, "put", "holiday", h.Date.String(), "", h)
	})
}

// DeleteHoliday removes the holiday on d.
func (s *Store) DeleteHoliday(ctx context.Context, by Actor, d civil.Date) error {
	return s.deleteByDate(ctx, by, &Holiday{}, "holiday", d, "")
}

func (s *Store) deleteByDate(ctx context.Context, by Actor, model any, entity string, d civil.Date, reason string) error {
	return s.InTx(ctx, func(tx *Store) error {
		res := tx.w(ctx).Where("date = ?", d).Delete(model)
		if err := translate(res.Error, "delete "+entity+" "+d.String()); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%s %s: %w", entity, d, ErrNotFound)
		}
		return tx.audit(ctx, by, "delete", entity, d.String(), reason, nil)
	})
}

// ListLockedDays returns the locked days in r, by date.
func (s *Store) ListLockedDays(ctx context.Context, r DateRange) ([]LockedDay, error) {
	var out []LockedDay
	return out, translate(r.apply(s.r(ctx).Model(&LockedDay{})).Order("date").Find(&out).Error, "list locked days")
}

// LockDay locks a day: nothing on it changes until it is unlocked. Locking
// a locked day is a conflict.
func (s *Store) LockDay(ctx context.Context, by Actor, ld *LockedDay) error {
	var p problems
	if ld.Date.IsZero() {
		p.add("date", "is required")
	}
	if ld.Reason == "" {
		p.add("reason", "is required: say why the day is locked")
	}
	if err := p.err(); err != nil {
		return err
	}
	ld.LockedBy = string(by)
	if ld.LockedBy == "" {
		ld.LockedBy = string(SystemActor)
	}
	ld.LockedAt = time.Now().UTC()
	return s.InTx(ctx, func(tx *Store) error {
		if err := translate(tx.w(ctx).Create(ld).Error, "lock "+ld.Date.String()); err != nil {
			return err
		}
		return tx.audit(ctx, by, "lock", "day", ld.Date.String(), ld.Reason, ld)
	})
}

// UnlockDay unlocks d.
func (s *Store) UnlockDay(ctx context.Context, by Actor, d civil.Date, reason string) error {
	return s.deleteByDate(ctx, by, &LockedDay{}, "locked_day", d, reason)
}

// ListRotations returns every rotation day, by type and weekday.
func (s *Store) ListRotations(ctx context.Context) ([]Rotation, error) {
	var out []Rotation
	return out, translate(s.r(ctx).Order("type, weekday").Find(&out).Error, "list rotations")
}

// SetRotation replaces the whole weekly rotation of one type; days left out
// have nobody.
func (s *Store) SetRotation(ctx context.Context, by Actor, t RotationType, days []Rotation) error {
	var p problems
	if !t.Valid() {
		p.add("type", "%q is not a rotation (juicer, primary_lead)", t)
	}
	seen := map[time.Weekday]bool{}
	for i := range days {
		days[i].Type = t
		f := fmt.Sprintf("days[%d]", i)
		if days[i].Weekday < time.Sunday || days[i].Weekday > time.Saturday {
			p.add(f+".weekday", "%d is not a day of the week", days[i].Weekday)
		} else if seen[days[i].Weekday] {
			p.add(f+".weekday", "%s is given twice", Weekdays[days[i].Weekday])
		}
		seen[days[i].Weekday] = true
		if days[i].EmployeeID == "" {
			p.add(f+".employee", "is required")
		}
	}
	if err := p.err(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.checkRotationRoles(ctx, t, days); err != nil {
			return err
		}
		if err := translate(tx.w(ctx).Where("type = ?", t).Delete(&Rotation{}).Error, "replace rotation "+string(t)); err != nil {
			return err
		}
		if len(days) > 0 {
			if err := translate(tx.w(ctx).Create(&days).Error, "replace rotation "+string(t)); err != nil {
				return err
			}
		}
		return tx.audit(ctx, by, "put", "rotation", string(t), "", days)
	})
}

// checkRotationRoles checks that a juicer rotation names juicers and a
// primary-lead rotation names leads.
func (s *Store) checkRotationRoles(ctx context.Context, t RotationType, days []Rotation) error {
	want := RoleJuicer
	if t == RotationPrimaryLead {
		want = RoleLead
	}
	var p problems
	for i, d := range days {
		var e []Employee
		if err := s.w(ctx).Where("id = ?", d.EmployeeID).Limit(1).Find(&e).Error; err != nil {
			return translate(err, "read employee")
		}
		switch {
		case len(e) == 0:
			p.add(fmt.Sprintf("days[%d].employee", i), "no employee %q", d.EmployeeID)
		case e[0].Role != want:
			p.add(fmt.Sprintf("days[%d].employee", i), "%s is a %s, not a %s", d.EmployeeID, e[0].Role, want)
		}
	}
	return p.err()
}

// ListRotationExceptions returns the one-day rotation exceptions in r.
func (s *Store) ListRotationExceptions(ctx context.Context, r DateRange) ([]RotationException, error) {
	var out []RotationException
	return out, translate(r.apply(s.r(ctx).Model(&RotationException{})).Order("date, type").Find(&out).Error, "list rotation exceptions")
}

// PutRotationException sets who works a rotation on one date, replacing an
// earlier exception for that date and type.
func (s *Store) PutRotationException(ctx context.Context, by Actor, x *RotationException) error {
	var p problems
	if x.Date.IsZero() {
		p.add("date", "is required")
	}
	if !x.Type.Valid() {
		p.add("type", "%q is not a rotation (juicer, primary_lead)", x.Type)
	}
	if x.EmployeeID == "" {
		p.add("employee", "is required")
	}
	if err := p.err(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.checkRotationRoles(ctx, x.Type, []Rotation{{Type: x.Type, EmployeeID: x.EmployeeID}}); err != nil {
			return err
		}
		err := tx.w(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "date"}, {Name: "type"}},
			DoUpdates: clause.AssignmentColumns([]string{"employee_id", "reason"}),
		}).Create(x).Error
		if err := translate(err, "save rotation exception "+x.Date.String()); err != nil {
			return err
		}
		return tx.audit(ctx, by, "put", "rotation_exception", x.Date.String()+"/"+string(x.Type), x.Reason, x)
	})
}

// DeleteRotationException removes the exception for d and t.
func (s *Store) DeleteRotationException(ctx context.Context, by Actor, d civil.Date, t RotationType) error {
	return s.InTx(ctx, func(tx *Store) error {
		res := tx.w(ctx).Where("date = ? AND type = ?", d, t).Delete(&RotationException{})
		if err := translate(res.Error, "delete rotation exception"); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("rotation exception %s %s: %w", d, t, ErrNotFound)
		}
		return tx.audit(ctx, by, "delete", "rotation_exception", d.String()+"/"+string(t), "", nil)
	})
}
