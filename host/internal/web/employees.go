package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// employeeJSON is an employee as the API and scenario files write it.
type employeeJSON struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	Role                 store.Role      `json:"role"`
	Active               bool            `json:"active"`
	ExternalID           *string         `json:"external_id"`
	TerminatedOn         *civil.Date     `json:"terminated_on"`
	AdultBeverageTrained bool            `json:"adult_beverage_trained"`
	Weekly               map[string]bool `json:"weekly"`
	Unavailable          []civil.Date    `json:"unavailable"`
	AvailableOverrides   []civil.Date    `json:"available_overrides"`
	TimeOff              []timeOffJSON   `json:"time_off"`
}

// timeOffJSON is one range of time off.
type timeOffJSON struct {
	Start  civil.Date `json:"start"`
	End    civil.Date `json:"end"`
	Reason string     `json:"reason"`
}

// employeeOut returns the JSON of e. Weekly holds the days stored (a
// missing day is available); the lists are never null.
func employeeOut(e *store.Employee) employeeJSON {
	out := employeeJSON{
		ID: e.ID, Name: e.Name, Role: e.Role, Active: e.Active, ExternalID: e.ExternalID,
		TerminatedOn: e.TerminatedOn, AdultBeverageTrained: e.AdultBeverageTrained,
		Weekly: make(map[string]bool, len(e.Weekly)), Unavailable: []civil.Date{},
		AvailableOverrides: []civil.Date{}, TimeOff: make([]timeOffJSON, 0, len(e.TimeOff)),
	}
	for _, w := range e.Weekly {
		out.Weekly[store.Weekdays[w.Weekday]] = w.Available
	}
	for _, d := range e.DateAvailability {
		if d.Kind == store.DateOverride {
			out.AvailableOverrides = append(out.AvailableOverrides, d.Date)
		} else {
			out.Unavailable = append(out.Unavailable, d.Date)
		}
	}
	for _, t := range e.TimeOff {
		out.TimeOff = append(out.TimeOff, timeOffJSON{Start: t.StartDate, End: t.EndDate, Reason: t.Reason})
	}
	return out
}

// employeeIn is the body of POST and PUT /api/employees: dates are strings
// so that a bad one is reported with its field.
type employeeIn struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	Role                 string          `json:"role"`
	Active               *bool           `json:"active"`
	ExternalID           *string         `json:"external_id"`
	TerminatedOn         *string         `json:"terminated_on"`
	AdultBeverageTrained bool            `json:"adult_beverage_trained"`
	Weekly               map[string]bool `json:"weekly"`
	Unavailable          []string        `json:"unavailable"`
	AvailableOverrides   []string        `json:"available_overrides"`
	TimeOff              []timeOffIn     `json:"time_off"`
}

// timeOffIn is one range of time off in a request.
type timeOffIn struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

// decodeEmployee reads an employee from the request body; pathID, when
// not empty, is the id in the URL, which the body may repeat but not
// contradict. Active defaults to true.
func decodeEmployee(c *fiber.Ctx, pathID string) (*store.Employee, error) {
	var in employeeIn
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	if pathID != "" {
		if in.ID != "" && in.ID != pathID {
			return nil, invalid("body.id", "%q does not match %q in the path: an employee's id cannot change", in.ID, pathID)
		}
		in.ID = pathID
	}
	e := &store.Employee{
		ID: in.ID, Name: in.Name, Role: store.Role(in.Role), Active: in.Active == nil || *in.Active,
		ExternalID: in.ExternalID, AdultBeverageTrained: in.AdultBeverageTrained,
	}
	var bad, dup fieldErrs
	if in.TerminatedOn != nil {
		d := bad.date("body.terminated_on", *in.TerminatedOn)
		e.TerminatedOn = &d
	}
	for i, name := range store.Weekdays {
		if v, ok := in.Weekly[name]; ok {
			e.Weekly = append(e.Weekly, store.WeeklyAvailability{Weekday: time.Weekday(i), Available: v})
		}
	}
	for k := range in.Weekly {
		if !slices.Contains(store.Weekdays[:], k) {
			bad.add("body.weekly."+k, "is not a day of the week (sun, mon, tue, wed, thu, fri, sat)")
		}
	}
	dates := func(field string, list []string, kind store.DateKind) {
		seen := map[civil.Date]bool{}
		for i, s := range list {
			f := fmt.Sprintf("body.%s[%d]", field, i)
			d := bad.date(f, s)
			if d.IsZero() {
				continue
			}
			if seen[d] {
				dup.add(f, "%s is given twice", d)
				continue
			}
			seen[d] = true
			e.DateAvailability = append(e.DateAvailability, store.DateAvailability{Date: d, Kind: kind})
		}
	}
	dates("unavailable", in.Unavailable, store.DateUnavailable)
	dates("available_overrides", in.AvailableOverrides, store.DateOverride)
	for i, t := range in.TimeOff {
		f := fmt.Sprintf("body.time_off[%d]", i)
		e.TimeOff = append(e.TimeOff, store.TimeOff{
			StartDate: bad.date(f+".start", t.Start), EndDate: bad.date(f+".end", t.End), Reason: t.Reason,
		})
	}
	if err := bad.err(http.StatusBadRequest); err != nil {
		return nil, err
	}
	if err := dup.err(http.StatusUnprocessableEntity); err != nil {
		return nil, err
	}
	return e, nil
}

// listEmployees answers GET /api/employees?active=&role=.
func (s *server) listEmployees(c *fiber.Ctx) error {
	active, err := queryBool(c, "active")
	if err != nil {
		return err
	}
	role := store.Role(c.Query("role"))
	if role != "" && !role.Valid() {
		return badRequest("query.role", "%q is not a role (club_supervisor, lead, specialist, juicer)", role)
	}
	emps, err := s.store.ListEmployees(c.UserContext(), store.EmployeeFilter{ActiveOnly: active != nil && *active, Role: role})
	if err != nil {
		return err
	}
	out := make([]employeeJSON, 0, len(emps))
	for i := range emps {
		if active != nil && emps[i].Active != *active {
			continue // the store filters active only; inactive ones are picked here
		}
		out = append(out, employeeOut(&emps[i]))
	}
	return c.JSON(listOf(out))
}

// getEmployee answers GET /api/employees/:id.
func (s *server) getEmployee(c *fiber.Ctx) error {
	e, err := s.store.GetEmployee(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(employeeOut(e))
}

// createEmployee answers POST /api/employees.
func (s *server) createEmployee(c *fiber.Ctx) error {
	e, err := decodeEmployee(c, "")
	if err != nil {
		return err
	}
	if err := s.store.CreateEmployee(c.UserContext(), currentAuth(c).actor(), e); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict(fmt.Sprintf("an employee with id %q or the same external_id already exists", e.ID))
		}
		return err
	}
	return created(c, "/api/employees/"+e.ID, employeeOut(e))
}

// updateEmployee answers PUT /api/employees/:id: the body replaces the
// employee, availability and time off included.
func (s *server) updateEmployee(c *fiber.Ctx) error {
	e, err := decodeEmployee(c, c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.store.UpdateEmployee(c.UserContext(), currentAuth(c).actor(), e); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict(fmt.Sprintf("another employee has external_id %q", deref(e.ExternalID)))
		}
		return err
	}
	return c.JSON(employeeOut(e))
}

// deleteEmployee answers DELETE /api/employees/:id. An employee with
// posted work cannot be deleted: the history needs them.
func (s *server) deleteEmployee(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := s.store.DeleteEmployee(c.UserContext(), currentAuth(c).actor(), id); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict(fmt.Sprintf(`employee %q has posted schedules and cannot be deleted: deactivate instead (PUT with "active": false)`, id))
		}
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
