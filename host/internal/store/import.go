package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Dataset is a whole store's data to import at once: a scenario file, the
// demo store, a batch from the external planning system.
type Dataset struct {
	Settings           *Settings
	Employees          []Employee
	Events             []Event
	Posted             []PostedSchedule
	Rotations          []Rotation
	RotationExceptions []RotationException
	Holidays           []Holiday
	LockedDays         []LockedDay
	Attendance         []AttendanceRecord
}

// ImportCounts says how many rows of each kind an import wrote.
type ImportCounts struct {
	Employees          int `json:"employees"`
	Events             int `json:"events"`
	Posted             int `json:"posted"`
	Rotations          int `json:"rotations"`
	RotationExceptions int `json:"rotation_exceptions"`
	Holidays           int `json:"holidays"`
	LockedDays         int `json:"locked_days"`
	Attendance         int `json:"attendance"`
}

// Import writes a dataset in one transaction: all of it, or, on any error,
// nothing. An employee id or event ref that already exists is a conflict
// naming it. Locked days do not block posted schedules in an import: the
// import states what is already so.
func (s *Store) Import(ctx context.Context, by Actor, d *Dataset) (ImportCounts, error) {
	var n ImportCounts
	if d.Settings != nil {
		if err := d.Settings.Validate(); err != nil {
			return n, err
		}
	}
	for i := range d.Employees {
		if err := d.Employees[i].Validate(); err != nil {
			return n, fmt.Errorf("employee %q: %w", d.Employees[i].ID, err)
		}
	}
	for i := range d.Events {
		d.Events[i].Normalize()
		if err := d.Events[i].Validate(); err != nil {
			return n, fmt.Errorf("event %d: %w", d.Events[i].Ref, err)
		}
	}
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.checkNew(ctx, d); err != nil {
			return err
		}
		if d.Settings != nil {
			if err := tx.PutSettings(ctx, by, *d.Settings); err != nil {
				return err
			}
		}
		if err := tx.insertEmployees(ctx, d.Employees); err != nil {
			return translate(err, "import employees")
		}
		// Parents before the events that name them.
		evs := append([]Event(nil), d.Events...)
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].ParentRef == nil && evs[j].ParentRef != nil })
		if err := tx.createAll(ctx, evs, "import events"); err != nil {
			return err
		}
		for i := range d.Posted {
			d.Posted[i].ID = 0
			if d.Posted[i].Source == "" {
				d.Posted[i].Source = SourceImport
			}
			if d.Posted[i].PostedBy == "" {
				d.Posted[i].PostedBy = string(by)
			}
			if err := d.Posted[i].Validate(); err != nil {
				return fmt.Errorf("posted schedule of event %d: %w", d.Posted[i].EventRef, err)
			}
		}
		steps := []struct {
			rows any
			what string
		}{
			{d.Posted, "import posted schedules"},
			{d.Rotations, "import rotations"},
			{d.RotationExceptions, "import rotation exceptions"},
			{d.Holidays, "import holidays"},
			{d.LockedDays, "import locked days"},
			{d.Attendance, "import attendance"},
		}
		for _, st := range steps {
			if err := tx.createAll(ctx, st.rows, st.what); err != nil {
				return err
			}
		}
		n = ImportCounts{
			Employees: len(d.Employees), Events: len(d.Events), Posted: len(d.Posted), Rotations: len(d.Rotations),
			RotationExceptions: len(d.RotationExceptions), Holidays: len(d.Holidays), LockedDays: len(d.LockedDays), Attendance: len(d.Attendance),
		}
		return tx.audit(ctx, by, "import", "dataset", "", "", n)
	})
	if err != nil {
		return ImportCounts{}, err
	}
	return n, nil
}

// createAll inserts a slice of rows in batches; empty slices are skipped.
func (s *Store) createAll(ctx context.Context, rows any, what string) error {
	if sliceLen(rows) == 0 {
		return nil
	}
	return translate(s.w(ctx).CreateInBatches(rows, 500).Error, what)
}

func sliceLen(rows any) int {
	switch v := rows.(type) {
	case []Event:
		return len(v)
	case []PostedSchedule:
		return len(v)
	case []Rotation:
		return len(v)
	case []RotationException:
		return len(v)
	case []Holiday:
		return len(v)
	case []LockedDay:
		return len(v)
	case []AttendanceRecord:
		return len(v)
	}
	panic(fmt.Sprintf("store: createAll of %T", rows))
}

// checkNew names the employee ids and event refs of d that already exist.
func (s *Store) checkNew(ctx context.Context, d *Dataset) error {
	ids := make([]string, len(d.Employees))
	for i, e := range d.Employees {
		ids[i] = e.ID
	}
	var dupIDs []string
	for _, chunk := range chunks(ids, 500) {
		var got []string
		if err := s.w(ctx).Model(&Employee{}).Where("id IN ?", chunk).Order("id").Pluck("id", &got).Error; err != nil {
			return translate(err, "import employees")
		}
		dupIDs = append(dupIDs, got...)
	}
	refs := make([]int64, len(d.Events))
	for i, e := range d.Events {
		refs[i] = e.Ref
	}
	var dupRefs []string
	for _, chunk := range chunks(refs, 500) {
		var got []int64
		if err := s.w(ctx).Model(&Event{}).Where("ref IN ?", chunk).Order("ref").Pluck("ref", &got).Error; err != nil {
			return translate(err, "import events")
		}
		for _, r := range got {
			dupRefs = append(dupRefs, fmt.Sprint(r))
		}
	}
	var msgs []string
	if len(dupIDs) > 0 {
		msgs = append(msgs, "employees already exist: "+firstFew(dupIDs))
	}
	if len(dupRefs) > 0 {
		msgs = append(msgs, "events already exist: "+firstFew(dupRefs))
	}
	if len(msgs) > 0 {
		return fmt.Errorf("import: %w: %s", ErrConflict, strings.Join(msgs, "; "))
	}
	return nil
}

func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

func firstFew(xs []string) string {
	if len(xs) <= 10 {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:10], ", ") + fmt.Sprintf(" and %d more", len(xs)-10)
}

// Empty reports whether the store holds no employees and no events: a new
// database, ready for the demo store.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int64
	if err := s.r(ctx).Model(&Employee{}).Count(&n).Error; err != nil {
		return false, translate(err, "count employees")
	}
	if n > 0 {
		return false, nil
	}
	if err := s.r(ctx).Model(&Event{}).Count(&n).Error; err != nil {
		return false, translate(err, "count events")
	}
	return n == 0, nil
}
