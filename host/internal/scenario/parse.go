package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Parse reads one scenario document from r, checks it and fills in every
// default. A document with problems gives a *ValidationError that lists
// them all (up to MaxProblems), each with its JSON path; reading r may fail
// with another error.
func Parse(r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return parseBytes(data)
}

// ParseFile reads and checks the scenario document in the file at path, as
// Parse does. Its errors name the file and wrap a *ValidationError when the
// document is invalid.
func ParseFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := parseBytes(data)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return s, nil
}

// bom is the UTF-8 byte order mark some editors put first; Parse skips it.
var bom = []byte("\ufeff")

func parseBytes(data []byte) (*Scenario, error) {
	data = bytes.TrimPrefix(data, bom)
	root, err := parseJSON(data)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			if se == errEmpty {
				return nil, &ValidationError{Problems: []Problem{{Message: "empty document"}}}
			}
			line, col := position(data, se.off)
			msg := fmt.Sprintf("line %d, column %d: %s", line, col, se.msg)
			return nil, &ValidationError{Problems: []Problem{{Message: msg}}}
		}
		return nil, err
	}
	var d decoder
	s := d.document(&root)
	// The cross-checks run even when decoding found problems, on what did
	// decode: fields that failed are zero, and check skips zero values, so
	// it adds new problems rather than echoes of reported ones.
	check(s, &d.ps)
	if err := d.ps.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// decoder turns the node tree into a Scenario, reporting problems of shape:
// unknown, repeated and missing fields, wrong types, bad values.
type decoder struct {
	ps problems
}

func (d *decoder) problem(p *path, format string, args ...any) {
	d.ps.add(p.String(), format, args...)
}

// object returns n's members, reporting n when it is not an object and
// reporting repeated and unknown names (known must hold every name the
// caller handles).
func (d *decoder) object(n *node, p *path, known ...string) ([]member, bool) {
	if n.kind != nodeObject {
		d.wrongType(n, p, "an object")
		return nil, false
	}
	for i := range n.membs {
		name := n.membs[i].name
		for j := 0; j < i; j++ {
			if n.membs[j].name == name {
				d.problem(p, "field %q appears twice", name)
				break
			}
		}
		if !slices.Contains(known, name) {
			d.problem(p, "unknown field %q", name)
		}
	}
	return n.membs, true
}

func (d *decoder) wrongType(n *node, p *path, want string) {
	d.problem(p, "must be %s, not %s", want, n.describe())
}

func (d *decoder) missing(p *path, name string) {
	d.problem(p.key(name), "required field is missing")
}

// array returns n's elements, or reports n when it is not an array.
func (d *decoder) array(n *node, p *path) ([]node, bool) {
	if n.kind != nodeArray {
		d.wrongType(n, p, "an array")
		return nil, false
	}
	return n.elems, true
}

func (d *decoder) str(n *node, p *path) (string, bool) {
	if n.kind != nodeString {
		d.wrongType(n, p, "a string")
		return "", false
	}
	return n.text, true
}

// name is a string that must not be empty or blank.
func (d *decoder) name(n *node, p *path) (string, bool) {
	s, ok := d.str(n, p)
	if ok && strings.TrimSpace(s) == "" {
		d.problem(p, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *decoder) boolean(n *node, p *path) (bool, bool) {
	if n.kind != nodeBool {
		d.wrongType(n, p, "true or false")
		return false, false
	}
	return n.truth, true
}

// integer is a JSON number written as a whole number in [lo, hi].
func (d *decoder) integer(n *node, p *path, lo, hi int64) (int64, bool) {
	if n.kind != nodeNumber {
		d.wrongType(n, p, "a whole number")
		return 0, false
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	if err != nil {
		if strings.ContainsAny(n.text, ".eE") {
			d.problem(p, "%s is not a whole number", n.text)
		} else {
			d.problem(p, "%s is out of range (%d to %d)", n.text, lo, hi)
		}
		return 0, false
	}
	if v < lo || v > hi {
		d.problem(p, "%d is out of range (%d to %d)", v, lo, hi)
		return 0, false
	}
	return v, true
}

const maxRef = 1<<53 - 1 // refs stay exact in JavaScript and float64 tools

func (d *decoder) ref(n *node, p *path) (int64, bool) {
	return d.integer(n, p, 1, maxRef)
}

// Dates are limited to years a schedule can plausibly use, which also keeps
// the zero civil.Date (0001-01-01, "no date") out of documents.
const (
	minYear = 1900
	maxYear = 2199
)

func (d *decoder) date(n *node, p *path) (civil.Date, bool) {
	s, ok := d.str(n, p)
	if !ok {
		return 0, false
	}
	v, ok := d.parseDate(s, s, p)
	return v, ok
}

// parseDate parses s, the date of the value whole, reporting problems with
// whole quoted.
func (d *decoder) parseDate(s, whole string, p *path) (civil.Date, bool) {
	v, err := civil.ParseDate(s)
	if err != nil {
		if dateShaped(s) {
			d.problem(p, "%q is not a date: there is no such day", whole)
		} else {
			d.problem(p, "%q is not a date (want YYYY-MM-DD)", whole)
		}
		return 0, false
	}
	if y, _, _ := v.YMD(); y < minYear || y > maxYear {
		d.problem(p, "%q is out of range (years %d to %d)", whole, minYear, maxYear)
		return 0, false
	}
	return v, true
}

func dateShaped(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func (d *decoder) clock(n *node, p *path) (civil.Clock, bool) {
	s, ok := d.str(n, p)
	if !ok {
		return 0, false
	}
	v, err := civil.ParseClock(s)
	if err != nil {
		d.problem(p, "%q is not a time of day (want HH:MM, 00:00 to 23:59)", s)
		return 0, false
	}
	return v, true
}

func (d *decoder) dateTime(n *node, p *path) (civil.DateTime, bool) {
	s, ok := d.str(n, p)
	if !ok {
		return civil.DateTime{}, false
	}
	if len(s) != 16 || s[10] != 'T' {
		d.problem(p, "%q is not a date-time (want YYYY-MM-DDTHH:MM)", s)
		return civil.DateTime{}, false
	}
	day, ok := d.parseDate(s[:10], s, p)
	if !ok {
		return civil.DateTime{}, false
	}
	c, err := civil.ParseClock(s[11:])
	if err != nil {
		d.problem(p, "%q is not a date-time: %q is not a time of day (want HH:MM)", s, s[11:])
		return civil.DateTime{}, false
	}
	return civil.DateTime{Date: day, Clock: c}, true
}

// enum reads a string that must be one of set, named what in messages.
func enum[T ~string](d *decoder, n *node, p *path, what string, set []T) (T, bool) {
	s, ok := d.str(n, p)
	if !ok {
		return "", false
	}
	if slices.Contains(set, T(s)) {
		return T(s), true
	}
	names := make([]string, 0, len(set))
	for _, v := range set {
		if v != "" {
			names = append(names, string(v))
		}
	}
	d.problem(p, "%q is not %s (%s)", s, what, strings.Join(names, ", "))
	return "", false
}

// weekday returns the day a weekly key names, or reports it.
func (d *decoder) weekday(key string, p *path) (time.Weekday, bool) {
	for i, k := range store.Weekdays {
		if k == key {
			return time.Weekday(i), true
		}
	}
	d.problem(p, "%q is not a day (%s)", key, strings.Join(store.Weekdays[:], ", "))
	return 0, false
}

// version reads a document's version, which must be want.
func (d *decoder) version(v *node, p *path, want int) int {
	ver, ok := d.integer(v, p, 1, 1<<31-1)
	if !ok {
		return 0
	}
	if int(ver) != want {
		d.problem(p, "version %d is not supported (want %d)", ver, want)
	}
	return int(ver)
}

// The top-level fields, in document order.
var documentFields = []string{"version", "now", "settings", "employees", "events", "rotations", "rotation_exceptions", "holidays", "locked_days", "posted"}

func (d *decoder) document(n *node) *Scenario {
	s := &Scenario{Settings: DefaultSettings()}
	if n.kind != nodeObject {
		d.ps.add("", "the document must be an object, not %s", n.describe())
		return s
	}
	var root *path
	membs, _ := d.object(n, root, documentFields...)
	var hasVersion, hasNow bool
	for i := range membs {
		m := &membs[i]
		v, p := &m.val, root.key(m.name)
		switch m.name {
		case "version":
			hasVersion = true
			s.Version = d.version(v, p, Version)
		case "now":
			hasNow = true
			s.Now, _ = d.dateTime(v, p)
		case "settings":
			if v.kind != nodeNull {
				d.settings(v, p, &s.Settings)
			}
		case "employees":
			if elems, ok := d.optArray(v, p); ok {
				for i := range elems {
					s.Employees = append(s.Employees, d.employee(&elems[i], p.at(i)))
				}
			}
		case "events":
			if elems, ok := d.optArray(v, p); ok {
				s.Events = make([]Event, 0, len(elems))
				for i := range elems {
					s.Events = append(s.Events, d.event(&elems[i], p.at(i)))
				}
				if len(s.Events) == 0 {
					s.Events = nil
				}
			}
		case "rotations":
			if v.kind != nodeNull {
				d.rotations(v, p, &s.Rotations)
			}
		case "rotation_exceptions":
			if elems, ok := d.optArray(v, p); ok {
				for i := range elems {
					s.RotationExceptions = append(s.RotationExceptions, d.rotationException(&elems[i], p.at(i)))
				}
			}
		case "holidays":
			if elems, ok := d.optArray(v, p); ok {
				for i := range elems {
					s.Holidays = append(s.Holidays, d.holiday(&elems[i], p.at(i)))
				}
			}
		case "locked_days":
			if elems, ok := d.optArray(v, p); ok {
				for i := range elems {
					s.LockedDays = append(s.LockedDays, d.lockedDay(&elems[i], p.at(i)))
				}
			}
		case "posted":
			if elems, ok := d.optArray(v, p); ok {
				for i := range elems {
					s.Posted = append(s.Posted, d.assignment(&elems[i], p.at(i)))
				}
			}
		}
	}
	if !hasVersion {
		d.missing(root, "version")
	}
	if !hasNow {
		d.missing(root, "now")
	}
	return s
}

// optArray is an optional array: null is the same as absent.
func (d *decoder) optArray(n *node, p *path) ([]node, bool) {
	if n.kind == nodeNull {
		return nil, false
	}
	return d.array(n, p)
}

var (
	settingsFields = []string{"core_slots", "earliest_offset_days", "max_work_days_per_week", "bump_protect_days"}
	offsetFields   = []string{"core", "supervisor", "juicer", "freeosk", "digital", "other", "default"}
)

// maxOffsetDays bounds earliest_offset_days.
const maxOffsetDays = 365

func (d *decoder) settings(n *node, p *path, st *Settings) {
	membs, _ := d.object(n, p, settingsFields...)
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		if v.kind == nodeNull {
			continue
		}
		switch m.name {
		case "core_slots":
			elems, ok := d.array(v, fp)
			if !ok {
				continue
			}
			if len(elems) == 0 {
				d.problem(fp, "must list at least one slot")
				continue
			}
			slots := make([]civil.Clock, 0, len(elems))
			for j := range elems {
				c, ok := d.clock(&elems[j], fp.at(j))
				if !ok {
					continue
				}
				if k := slices.Index(slots, c); k >= 0 {
					d.problem(fp.at(j), "slot %s is listed twice", c)
					continue
				}
				slots = append(slots, c)
			}
			st.CoreSlots = slots
		case "earliest_offset_days":
			d.offsets(v, fp, st.EarliestOffsetDays)
		case "max_work_days_per_week":
			if x, ok := d.integer(v, fp, 1, 7); ok {
				st.MaxWorkDaysPerWeek = int(x)
			}
		case "bump_protect_days":
			if x, ok := d.integer(v, fp, 0, 60); ok {
				st.BumpProtectDays = int(x)
			}
		}
	}
}

// offsets merges earliest_offset_days into off, which holds the defaults:
// a type's own key wins over "default", which wins over the built-in
// default of types without one of their own (juicer, freeosk, digital,
// other).
func (d *decoder) offsets(n *node, p *path, off map[store.EventType]int) {
	membs, _ := d.object(n, p, offsetFields...)
	given := map[string]int{}
	for i := range membs {
		m := &membs[i]
		if m.val.kind == nodeNull {
			continue
		}
		if x, ok := d.integer(&m.val, p.key(m.name), 0, maxOffsetDays); ok {
			given[m.name] = int(x)
		}
	}
	for _, t := range store.EventTypes {
		if x, ok := given[string(t)]; ok {
			off[t] = x
		} else if x, ok := given["default"]; ok && t != store.EventCore && t != store.EventSupervisor {
			off[t] = x
		}
	}
}

var employeeFields = []string{"id", "name", "role", "active", "external_id", "weekly", "time_off", "unavailable", "terminated_on"}

func (d *decoder) employee(n *node, p *path) Employee {
	e := Employee{Active: true}
	membs, ok := d.object(n, p, employeeFields...)
	if !ok {
		return e
	}
	var hasID, hasName, hasRole bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "id":
			hasID = true
			e.ID, _ = d.name(v, fp)
		case "name":
			hasName = true
			e.Name, _ = d.name(v, fp)
		case "role":
			hasRole = true
			e.Role, _ = enum(d, v, fp, "a role", store.Roles)
		}
		if v.kind == nodeNull {
			continue // the optional fields below: null is absent
		}
		switch m.name {
		case "active":
			if b, ok := d.boolean(v, fp); ok {
				e.Active = b
			}
		case "external_id":
			e.ExternalID, _ = d.str(v, fp)
		case "weekly":
			e.Weekly = d.weekly(v, fp)
		case "time_off":
			elems, _ := d.array(v, fp)
			for j := range elems {
				e.TimeOff = append(e.TimeOff, d.timeOff(&elems[j], fp.at(j)))
			}
		case "unavailable":
			elems, _ := d.array(v, fp)
			for j := range elems {
				if day, ok := d.date(&elems[j], fp.at(j)); ok {
					e.Unavailable = append(e.Unavailable, day)
				}
			}
		case "terminated_on":
			e.TerminatedOn, _ = d.date(v, fp)
		}
	}
	if !hasID {
		d.missing(p, "id")
	}
	if !hasName {
		d.missing(p, "name")
	}
	if !hasRole {
		d.missing(p, "role")
	}
	return e
}

// weekly reads a weekly pattern; a day it does not name is available.
func (d *decoder) weekly(n *node, p *path) *[7]bool {
	w := &[7]bool{true, true, true, true, true, true, true}
	if n.kind != nodeObject {
		d.wrongType(n, p, "an object")
		return w
	}
	for i := range n.membs {
		m := &n.membs[i]
		wd, ok := d.weekday(m.name, p)
		if !ok {
			continue
		}
		if d.repeated(n.membs[:i], m.name, p) || m.val.kind == nodeNull {
			continue
		}
		if b, ok := d.boolean(&m.val, p.key(m.name)); ok {
			w[wd] = b
		}
	}
	return w
}

// repeated reports name when it is already among earlier.
func (d *decoder) repeated(earlier []member, name string, p *path) bool {
	for j := range earlier {
		if earlier[j].name == name {
			d.problem(p, "field %q appears twice", name)
			return true
		}
	}
	return false
}

var timeOffFields = []string{"start", "end", "reason"}

func (d *decoder) timeOff(n *node, p *path) TimeOff {
	var t TimeOff
	membs, ok := d.object(n, p, timeOffFields...)
	if !ok {
		return t
	}
	var hasStart, hasEnd bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "start":
			hasStart = true
			t.Start, _ = d.date(v, fp)
		case "end":
			hasEnd = true
			t.End, _ = d.date(v, fp)
		case "reason":
			if v.kind != nodeNull {
				t.Reason, _ = d.str(v, fp)
			}
		}
	}
	if !hasStart {
		d.missing(p, "start")
	}
	if !hasEnd {
		d.missing(p, "end")
	}
	return t
}

var eventFields = []string{"ref", "name", "type", "start", "due", "duration_min", "parent_ref", "condition"}

func (d *decoder) event(n *node, p *path) Event {
	var e Event
	membs, ok := d.object(n, p, eventFields...)
	if !ok {
		return e
	}
	var hasRef, hasName, hasStart, hasDue bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "ref":
			hasRef = true
			e.Ref, _ = d.ref(v, fp)
		case "name":
			hasName = true
			e.Name, _ = d.name(v, fp)
		case "start":
			hasStart = true
			e.Start, _ = d.date(v, fp)
		case "due":
			hasDue = true
			e.Due, _ = d.date(v, fp)
		}
		if v.kind == nodeNull {
			continue
		}
		switch m.name {
		case "type":
			e.Type, _ = enum(d, v, fp, "an event type", store.EventTypes)
		case "duration_min":
			if x, ok := d.integer(v, fp, 1, 24*60); ok {
				e.DurationMin = int(x)
			}
		case "parent_ref":
			e.ParentRef, _ = d.ref(v, fp)
		case "condition":
			e.Condition, _ = enum(d, v, fp, "a condition", store.Conditions)
		}
	}
	if !hasRef {
		d.missing(p, "ref")
	}
	if !hasName {
		d.missing(p, "name")
	}
	if !hasStart {
		d.missing(p, "start")
	}
	if !hasDue {
		d.missing(p, "due")
	}
	fillEvent(&e)
	return e
}

// fillEvent fills in an event's absent type, kind, duration and condition.
func fillEvent(e *Event) {
	if e.Type == "" {
		e.Type = store.DetectEventType(e.Name)
	}
	e.Kind = store.DetectEventKind(e.Type, e.Name)
	if e.DurationMin == 0 {
		e.DurationMin = store.DefaultDuration(e.Type, e.Kind)
	}
	if e.Condition == "" {
		e.Condition = store.ConditionUnstaffed
	}
}

var rotationFields = []string{string(store.RotationJuicer), string(store.RotationPrimaryLead)}

func (d *decoder) rotations(n *node, p *path, r *Rotations) {
	membs, _ := d.object(n, p, rotationFields...)
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		if v.kind == nodeNull || !slices.Contains(rotationFields, m.name) {
			continue
		}
		days := r.days(store.RotationType(m.name))
		if v.kind != nodeObject {
			d.wrongType(v, fp, "an object")
			continue
		}
		for j := range v.membs {
			dm := &v.membs[j]
			wd, ok := d.weekday(dm.name, fp)
			if !ok || d.repeated(v.membs[:j], dm.name, fp) || dm.val.kind == nodeNull {
				continue
			}
			days[wd], _ = d.name(&dm.val, fp.key(dm.name))
		}
	}
}

var exceptionFields = []string{"date", "type", "employee"}

func (d *decoder) rotationException(n *node, p *path) RotationException {
	var x RotationException
	membs, ok := d.object(n, p, exceptionFields...)
	if !ok {
		return x
	}
	var hasDate, hasType, hasEmployee bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "date":
			hasDate = true
			x.Date, _ = d.date(v, fp)
		case "type":
			hasType = true
			x.Type, _ = enum(d, v, fp, "a rotation type", store.RotationTypes)
		case "employee":
			hasEmployee = true
			x.Employee, _ = d.name(v, fp)
		}
	}
	if !hasDate {
		d.missing(p, "date")
	}
	if !hasType {
		d.missing(p, "type")
	}
	if !hasEmployee {
		d.missing(p, "employee")
	}
	return x
}

func (d *decoder) holiday(n *node, p *path) Holiday {
	var h Holiday
	h.Date, h.Name = d.datedNote(n, p, "name")
	return h
}

func (d *decoder) lockedDay(n *node, p *path) LockedDay {
	var l LockedDay
	l.Date, l.Reason = d.datedNote(n, p, "reason")
	return l
}

// datedNote reads {"date": DATE, note: TEXT}, the note optional.
func (d *decoder) datedNote(n *node, p *path, note string) (civil.Date, string) {
	var day civil.Date
	var text string
	membs, ok := d.object(n, p, "date", note)
	if !ok {
		return day, text
	}
	var hasDate bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "date":
			hasDate = true
			day, _ = d.date(v, fp)
		case note:
			if v.kind != nodeNull {
				text, _ = d.str(v, fp)
			}
		}
	}
	if !hasDate {
		d.missing(p, "date")
	}
	return day, text
}

var assignmentFields = []string{"event", "employee", "at"}

func (d *decoder) assignment(n *node, p *path) Assignment {
	var a Assignment
	membs, ok := d.object(n, p, assignmentFields...)
	if !ok {
		return a
	}
	var hasEvent, hasEmployee, hasAt bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "event":
			hasEvent = true
			a.Event, _ = d.ref(v, fp)
		case "employee":
			hasEmployee = true
			a.Employee, _ = d.name(v, fp)
		case "at":
			hasAt = true
			a.At, _ = d.dateTime(v, fp)
		}
	}
	if !hasEvent {
		d.missing(p, "event")
	}
	if !hasEmployee {
		d.missing(p, "employee")
	}
	if !hasAt {
		d.missing(p, "at")
	}
	return a
}
