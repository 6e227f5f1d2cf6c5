package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// scheduleJSON is a posted schedule as the API writes it: "at" is the
// store-local YYYY-MM-DDTHH:MM it starts.
type scheduleJSON struct {
	ID             int64                `json:"id"`
	Event          int64                `json:"event"`
	Employee       string               `json:"employee"`
	At             string               `json:"at"`
	Source         store.ScheduleSource `json:"source"`
	PostedBy       string               `json:"posted_by"`
	ExternalID     *string              `json:"external_id"`
	RunID          *int64               `json:"run_id"`
	OverrideReason string               `json:"override_reason,omitempty"`
	CreatedAt      time.Time            `json:"created_at"`
}

// scheduleOut returns the JSON of a posted schedule.
func scheduleOut(p *store.PostedSchedule) scheduleJSON {
	return scheduleJSON{
		ID: p.ID, Event: p.EventRef, Employee: p.EmployeeID,
		At:     civil.DateTime{Date: p.Date, Clock: p.StartMinute}.String(),
		Source: p.Source, PostedBy: p.PostedBy, ExternalID: p.ExternalID, RunID: p.RunID,
		OverrideReason: p.OverrideReason, CreatedAt: p.CreatedAt,
	}
}

// scheduleIn is the body of POST /api/schedules (all of event, employee
// and at) and PUT /api/schedules/:id (employee, at or both: a move).
type scheduleIn struct {
	Event          int64  `json:"event"`
	Employee       string `json:"employee"`
	At             string `json:"at"`
	OverrideReason string `json:"override_reason"`
}

// parseAt parses the "at" of a schedule body.
func parseAt(s string) (civil.DateTime, error) {
	dt, err := civil.ParseDateTime(s)
	if err != nil {
		if len(s) == 16 && s[10] == 'T' {
			if _, derr := civil.ParseDate(s[:10]); derr != nil {
				return dt, badRequest("body.at", "%q is not a date and time: %s", s, dateProblem(s[:10]))
			}
			return dt, badRequest("body.at", "%q is not a date and time: %q is not HH:MM", s, s[11:])
		}
		return dt, badRequest("body.at", "%q is not YYYY-MM-DDTHH:MM", s)
	}
	return dt, nil
}

// listSchedules answers GET /api/schedules?from&to&employee.
func (s *server) listSchedules(c *fiber.Ctx) error {
	r, err := queryRange(c, 0)
	if err != nil {
		return err
	}
	posted, err := s.store.ListPosted(c.UserContext(), store.ScheduleFilter{From: r.From, To: r.To, EmployeeID: c.Query("employee")})
	if err != nil {
		return err
	}
	out := make([]scheduleJSON, len(posted))
	for i := range posted {
		out[i] = scheduleOut(&posted[i])
	}
	return c.JSON(listOf(out))
}

// getSchedule answers GET /api/schedules/:id.
func (s *server) getSchedule(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a schedule id")
	if err != nil {
		return err
	}
	p, err := s.store.GetPosted(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(scheduleOut(p))
}

// postSchedule answers POST /api/schedules: it assigns an employee to an
// event. The store refuses a locked day (409); the hard rules are the
// rule plugins' to check, in a later version.
func (s *server) postSchedule(c *fiber.Ctx) error {
	var in scheduleIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var p fieldErrs
	if in.Event <= 0 {
		p.add("body.event", "is required: the ref of the event to assign")
	}
	if in.Employee == "" {
		p.add("body.employee", "is required: the id of the employee to assign")
	}
	if in.At == "" {
		p.add("body.at", "is required (YYYY-MM-DDTHH:MM)")
	}
	if err := p.err(http.StatusUnprocessableEntity); err != nil {
		return err
	}
	at, err := parseAt(in.At)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ev, err := s.checkRefs(ctx, in.Event, in.Employee)
	if err != nil {
		return err
	}
	if ev.Schedule != nil {
		return conflict(fmt.Sprintf("event %d is already assigned (schedule %d): move it with PUT /api/schedules/%d", in.Event, ev.Schedule.ID, ev.Schedule.ID))
	}
	who := currentAuth(c)
	override, err := s.checkPlacement(ctx, who, rule.Candidate{Event: in.Event, Employee: in.Employee, Date: at.Date, Start: at.Clock}, in.OverrideReason)
	if err != nil {
		return err
	}
	ps := &store.PostedSchedule{
		EventRef: in.Event, EmployeeID: in.Employee, Date: at.Date, StartMinute: at.Clock,
		Source: store.SourceManual, OverrideReason: override,
	}
	if err := s.store.PostSchedule(ctx, who.actor(), ps); err != nil {
		return err
	}
	return created(c, "/api/schedules/"+strconv.FormatInt(ps.ID, 10), scheduleOut(ps))
}

// moveSchedule answers PUT /api/schedules/:id: a new employee, a new
// date and time, or both. Neither the old day nor the new may be locked.
func (s *server) moveSchedule(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a schedule id")
	if err != nil {
		return err
	}
	var in scheduleIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Employee == "" && in.At == "" {
		return invalid("body", "give employee, at or both: the new assignment")
	}
	ctx := c.UserContext()
	ps, err := s.store.GetPosted(ctx, id)
	if err != nil {
		return err
	}
	if in.Event != 0 && in.Event != ps.EventRef {
		return invalid("body.event", "%d is not this schedule's event %d: delete the schedule and post a new one", in.Event, ps.EventRef)
	}
	if in.At != "" {
		at, err := parseAt(in.At)
		if err != nil {
			return err
		}
		ps.Date, ps.StartMinute = at.Date, at.Clock
	}
	if in.Employee != "" {
		if _, err := s.checkRefs(ctx, 0, in.Employee); err != nil {
			return err
		}
		ps.EmployeeID = in.Employee
	}
	who := currentAuth(c)
	// The move is checked as a placement that replaces the schedule's own
	// assignment, so it does not count against itself.
	override, err := s.checkPlacement(ctx, who, rule.Candidate{Event: ps.EventRef, Employee: ps.EmployeeID, Date: ps.Date, Start: ps.StartMinute, Replaces: ps.EventRef}, in.OverrideReason)
	if err != nil {
		return err
	}
	ps.OverrideReason = override
	if err := s.store.MoveSchedule(ctx, who.actor(), ps); err != nil {
		return err
	}
	return c.JSON(scheduleOut(ps))
}

// deleteSchedule answers DELETE /api/schedules/:id?reason=: the event
// becomes unstaffed again, unless the day is locked (409).
func (s *server) deleteSchedule(c *fiber.Ctx) error {
	id, err := pathID(c, "id", "a schedule id")
	if err != nil {
		return err
	}
	if err := s.store.DeletePosted(c.UserContext(), currentAuth(c).actor(), id, c.Query("reason")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// checkRefs checks that the event (when ref > 0) and the employee (when
// id is not empty) a body names exist, so that a missing one is a 422 on
// its field rather than a foreign-key conflict. It returns the event.
func (s *server) checkRefs(ctx context.Context, ref int64, employee string) (*store.EventWithSchedule, error) {
	var p fieldErrs
	var ev *store.EventWithSchedule
	if ref > 0 {
		var err error
		ev, err = s.store.GetEvent(ctx, ref)
		switch {
		case errors.Is(err, store.ErrNotFound):
			p.add("body.event", "there is no event %d", ref)
		case err != nil:
			return nil, err
		}
	}
	if employee != "" {
		_, err := s.store.GetEmployee(ctx, employee)
		switch {
		case errors.Is(err, store.ErrNotFound):
			p.add("body.employee", "there is no employee %q", employee)
		case err != nil:
			return nil, err
		}
	}
	return ev, p.err(http.StatusUnprocessableEntity)
}
