package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/crewplan/crewplan/host/internal/store"
)

// Write writes s to w as a canonical scenario document: fields in the
// format's order, indented by one space, lists always present at the top
// level, and values equal to their defaults left out (settings, an event's
// duration and condition). Parse reads what Write wrote back into a value
// equal to s when s came from Parse or Generate. Write does not check s.
func Write(w io.Writer, s *Scenario) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(wireOf(s)); err != nil {
		return fmt.Errorf("write scenario: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write scenario: %w", err)
	}
	return nil
}

// The wire types mirror the document; encoding/json writes struct fields in
// declaration order.
type (
	wireDocument struct {
		Version            int             `json:"version"`
		Now                string          `json:"now"`
		Settings           *wireSettings   `json:"settings,omitempty"`
		Employees          []wireEmployee  `json:"employees"`
		Events             []wireEvent     `json:"events"`
		Rotations          wireRotations   `json:"rotations"`
		RotationExceptions []wireException `json:"rotation_exceptions"`
		Holidays           []wireHoliday   `json:"holidays"`
		LockedDays         []wireLockedDay `json:"locked_days"`
		Posted             []wirePosted    `json:"posted"`
	}
	wireSettings struct {
		CoreSlots          []string     `json:"core_slots,omitempty"`
		EarliestOffsetDays *wireOffsets `json:"earliest_offset_days,omitempty"`
		MaxWorkDaysPerWeek *int         `json:"max_work_days_per_week,omitempty"`
		BumpProtectDays    *int         `json:"bump_protect_days,omitempty"`
	}
	wireOffsets struct {
		Core       *int `json:"core,omitempty"`
		Supervisor *int `json:"supervisor,omitempty"`
		Juicer     *int `json:"juicer,omitempty"`
		Freeosk    *int `json:"freeosk,omitempty"`
		Digital    *int `json:"digital,omitempty"`
		Other      *int `json:"other,omitempty"`
	}
	wireEmployee struct {
		ID           string        `json:"id"`
		Name         string        `json:"name"`
		Role         store.Role    `json:"role"`
		Active       bool          `json:"active"`
		ExternalID   string        `json:"external_id,omitempty"`
		Weekly       *wireWeek     `json:"weekly,omitempty"`
		TimeOff      []wireTimeOff `json:"time_off,omitempty"`
		Unavailable  []string      `json:"unavailable,omitempty"`
		TerminatedOn string        `json:"terminated_on,omitempty"`
	}
	wireTimeOff struct {
		Start  string `json:"start"`
		End    string `json:"end"`
		Reason string `json:"reason,omitempty"`
	}
	wireEvent struct {
		Ref         int64           `json:"ref"`
		Name        string          `json:"name"`
		Type        store.EventType `json:"type,omitempty"`
		Start       string          `json:"start"`
		Due         string          `json:"due"`
		DurationMin int             `json:"duration_min,omitempty"`
		ParentRef   int64           `json:"parent_ref,omitempty"`
		Condition   store.Condition `json:"condition,omitempty"`
	}
	wireRotations struct {
		Juicer      wireRoster `json:"juicer"`
		PrimaryLead wireRoster `json:"primary_lead"`
	}
	wireException struct {
		Date     string             `json:"date"`
		Type     store.RotationType `json:"type"`
		Employee string             `json:"employee"`
	}
	wireHoliday struct {
		Date string `json:"date"`
		Name string `json:"name,omitempty"`
	}
	wireLockedDay struct {
		Date   string `json:"date"`
		Reason string `json:"reason,omitempty"`
	}
	wirePosted struct {
		Event    int64  `json:"event"`
		Employee string `json:"employee"`
		At       string `json:"at"`
	}
)

// wireWeek writes a weekly pattern with every day, Monday first.
type wireWeek [7]bool

func (w *wireWeek) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, wd := range weekdayKeys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, store.Weekdays[wd]...)
		b = append(b, `":`...)
		if w[wd] {
			b = append(b, "true"...)
		} else {
			b = append(b, "false"...)
		}
	}
	return append(b, '}'), nil
}

// wireRoster writes a rotation's named days, Monday first.
type wireRoster [7]string

func (r wireRoster) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for _, wd := range weekdayKeys {
		if r[wd] == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		id, err := json.Marshal(r[wd])
		if err != nil {
			return nil, err
		}
		b = append(b, '"')
		b = append(b, store.Weekdays[wd]...)
		b = append(b, `":`...)
		b = append(b, id...)
	}
	return append(b, '}'), nil
}

func wireOf(s *Scenario) *wireDocument {
	doc := &wireDocument{
		Version:            s.Version,
		Now:                s.Now.String(),
		Settings:           wireSettingsOf(&s.Settings),
		Employees:          make([]wireEmployee, len(s.Employees)),
		Events:             make([]wireEvent, len(s.Events)),
		Rotations:          wireRotations{Juicer: s.Rotations.Juicer, PrimaryLead: s.Rotations.PrimaryLead},
		RotationExceptions: make([]wireException, len(s.RotationExceptions)),
		Holidays:           make([]wireHoliday, len(s.Holidays)),
		LockedDays:         make([]wireLockedDay, len(s.LockedDays)),
		Posted:             make([]wirePosted, len(s.Posted)),
	}
	for i := range s.Employees {
		e := &s.Employees[i]
		we := wireEmployee{
			ID: e.ID, Name: e.Name, Role: e.Role, Active: e.Active, ExternalID: e.ExternalID,
			Weekly: (*wireWeek)(e.Weekly),
		}
		for _, t := range e.TimeOff {
			we.TimeOff = append(we.TimeOff, wireTimeOff{Start: t.Start.String(), End: t.End.String(), Reason: t.Reason})
		}
		for _, u := range e.Unavailable {
			we.Unavailable = append(we.Unavailable, u.String())
		}
		if !e.TerminatedOn.IsZero() {
			we.TerminatedOn = e.TerminatedOn.String()
		}
		doc.Employees[i] = we
	}
	for i := range s.Events {
		e := &s.Events[i]
		we := wireEvent{
			Ref: e.Ref, Name: e.Name, Type: e.Type,
			Start: e.Start.String(), Due: e.Due.String(),
			ParentRef: e.ParentRef,
		}
		if e.DurationMin != store.DefaultDuration(e.Type, store.DetectEventKind(e.Type, e.Name)) {
			we.DurationMin = e.DurationMin
		}
		if e.Condition != store.ConditionUnstaffed {
			we.Condition = e.Condition
		}
		doc.Events[i] = we
	}
	for i, x := range s.RotationExceptions {
		doc.RotationExceptions[i] = wireException{Date: x.Date.String(), Type: x.Type, Employee: x.Employee}
	}
	for i, h := range s.Holidays {
		doc.Holidays[i] = wireHoliday{Date: h.Date.String(), Name: h.Name}
	}
	for i, l := range s.LockedDays {
		doc.LockedDays[i] = wireLockedDay{Date: l.Date.String(), Reason: l.Reason}
	}
	for i, a := range s.Posted {
		doc.Posted[i] = wirePosted{Event: a.Event, Employee: a.Employee, At: a.At.String()}
	}
	return doc
}

// wireSettingsOf returns the settings that differ from the defaults, nil
// when none do.
func wireSettingsOf(st *Settings) *wireSettings {
	var ws wireSettings
	changed := false
	if st.CoreSlots != nil && !slices.Equal(st.CoreSlots, DefaultCoreSlots()) {
		for _, c := range st.CoreSlots {
			ws.CoreSlots = append(ws.CoreSlots, c.String())
		}
		changed = true
	}
	var off wireOffsets
	offChanged := false
	for t, field := range map[store.EventType]**int{
		store.EventCore: &off.Core, store.EventSupervisor: &off.Supervisor, store.EventJuicer: &off.Juicer,
		store.EventFreeosk: &off.Freeosk, store.EventDigital: &off.Digital, store.EventOther: &off.Other,
	} {
		if v, ok := st.EarliestOffsetDays[t]; ok && v != DefaultEarliestOffset(t) {
			*field = &v
			offChanged = true
		}
	}
	if offChanged {
		ws.EarliestOffsetDays = &off
		changed = true
	}
	if st.MaxWorkDaysPerWeek != 0 && st.MaxWorkDaysPerWeek != DefaultMaxWorkDaysPerWeek {
		ws.MaxWorkDaysPerWeek = &st.MaxWorkDaysPerWeek
		changed = true
	}
	if st.BumpProtectDays != DefaultBumpProtectDays {
		ws.BumpProtectDays = &st.BumpProtectDays
		changed = true
	}
	if !changed {
		return nil
	}
	return &ws
}
