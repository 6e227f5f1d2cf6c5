package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// eventJSON is an event as the API writes it, with its posted schedule.
type eventJSON struct {
	Ref         int64           `json:"ref"`
	Name        string          `json:"name"`
	Type        store.EventType `json:"type"`
	Kind        store.EventKind `json:"kind"`
	Start       civil.Date      `json:"start"`
	Due         civil.Date      `json:"due"`
	DurationMin int             `json:"duration_min"`
	Condition   store.Condition `json:"condition"`
	ParentRef   *int64          `json:"parent_ref"`
	StoreID     string          `json:"store_id"`
	LocationID  string          `json:"location_id"`
	Schedule    *scheduleJSON   `json:"schedule"`
}

// eventOut returns the JSON of an event and its posted schedule (nil when
// it has none).
func eventOut(e *store.Event, ps *store.PostedSchedule) eventJSON {
	out := eventJSON{
		Ref: e.Ref, Name: e.Name, Type: e.Type, Kind: e.Kind, Start: e.StartDate, Due: e.DueDate,
		DurationMin: e.DurationMin, Condition: e.Condition, ParentRef: e.ParentRef,
		StoreID: e.StoreID, LocationID: e.LocationID,
	}
	if ps != nil {
		sj := scheduleOut(ps)
		out.Schedule = &sj
	}
	return out
}

// eventIn is the body of POST and PUT /api/events. Type, kind, duration
// and condition may be left out: the store fills them in from the name.
type eventIn struct {
	Ref         int64           `json:"ref"`
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Kind        string          `json:"kind"`
	Start       string          `json:"start"`
	Due         string          `json:"due"`
	DurationMin int             `json:"duration_min"`
	Condition   string          `json:"condition"`
	ParentRef   *int64          `json:"parent_ref"`
	StoreID     string          `json:"store_id"`
	LocationID  string          `json:"location_id"`
	Schedule    json.RawMessage `json:"schedule"` // read-only: only null is accepted
}

// decodeEvent reads an event from a request body (see decodeBody),
// normalizes and validates it. pathRef, when not zero, is the ref in the
// URL, which the body may repeat but not contradict. An event it returns
// without an error passes store.Event.Validate.
func decodeEvent(contentType string, body []byte, pathRef int64) (*store.Event, error) {
	var in eventIn
	if err := decodeBody(contentType, body, &in); err != nil {
		return nil, err
	}
	if pathRef != 0 {
		if in.Ref != 0 && in.Ref != pathRef {
			return nil, invalid("body.ref", "%d does not match %d in the path: an event's ref cannot change", in.Ref, pathRef)
		}
		in.Ref = pathRef
	}
	var bad fieldErrs
	if in.Start == "" {
		bad.add("body.start", "is required (YYYY-MM-DD)")
	}
	if in.Due == "" {
		bad.add("body.due", "is required (YYYY-MM-DD)")
	}
	e := &store.Event{
		Ref: in.Ref, Name: in.Name, Type: store.EventType(in.Type), Kind: store.EventKind(in.Kind),
		DurationMin: in.DurationMin, Condition: store.Condition(in.Condition), ParentRef: in.ParentRef,
		StoreID: in.StoreID, LocationID: in.LocationID,
	}
	if in.Start != "" {
		e.StartDate = bad.date("body.start", in.Start)
	}
	if in.Due != "" {
		e.DueDate = bad.date("body.due", in.Due)
	}
	if err := bad.err(http.StatusBadRequest); err != nil {
		return nil, err
	}
	if len(in.Schedule) > 0 && string(in.Schedule) != "null" {
		return nil, invalid("body.schedule", "is read-only: post, move or delete the assignment with /api/schedules")
	}
	e.Normalize()
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

// eventPage is the JSON of GET /api/events: one page of events.
type eventPage struct {
	Items      []eventJSON `json:"items"`
	Limit      int         `json:"limit"`
	Offset     int         `json:"offset"`
	NextOffset *int        `json:"next_offset"`
}

// Paging of GET /api/events.
const (
	defaultEventLimit = 500
	maxEventLimit     = 5000
	maxEventOffset    = 1_000_000
)

// listEvents answers GET /api/events?from&to&type&condition&limit&offset:
// the events whose window overlaps from..to, each with its posted
// schedule, by due date then ref. One store call; next_offset is set when
// there are more.
func (s *server) listEvents(c *fiber.Ctx) error {
	r, err := queryRange(c, maxRangeDays)
	if err != nil {
		return err
	}
	f := store.EventFilter{From: r.From, To: r.To, Type: store.EventType(c.Query("type")), Condition: store.Condition(c.Query("condition"))}
	if f.Type != "" && !f.Type.Valid() {
		return badRequest("query.type", "%q is not an event type (core, supervisor, juicer, freeosk, digital, other)", f.Type)
	}
	if f.Condition != "" && !f.Condition.Valid() {
		return badRequest("query.condition", "%q is not a condition (unstaffed, scheduled, submitted, canceled, expired)", f.Condition)
	}
	limit, err := queryInt(c, "limit", 1, maxEventLimit, defaultEventLimit)
	if err != nil {
		return err
	}
	if f.Offset, err = queryInt(c, "offset", 0, maxEventOffset, 0); err != nil {
		return err
	}
	f.Limit = limit + 1 // one more tells whether there is a next page
	evs, err := s.store.ListEvents(c.UserContext(), f)
	if err != nil {
		return err
	}
	page := eventPage{Limit: limit, Offset: f.Offset}
	if len(evs) > limit {
		evs = evs[:limit]
		next := f.Offset + limit
		page.NextOffset = &next
	}
	page.Items = make([]eventJSON, len(evs))
	for i := range evs {
		page.Items[i] = eventOut(&evs[i].Event, evs[i].Schedule)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	buf := make([]byte, 0, 256*len(page.Items)+64)
	c.Response().SetBodyRaw(page.appendJSON(buf))
	return nil
}

// getEvent answers GET /api/events/:ref.
func (s *server) getEvent(c *fiber.Ctx) error {
	ref, err := pathID(c, "ref", "an event ref")
	if err != nil {
		return err
	}
	e, err := s.store.GetEvent(c.UserContext(), ref)
	if err != nil {
		return err
	}
	return c.JSON(eventOut(&e.Event, e.Schedule))
}

// createEvent answers POST /api/events.
func (s *server) createEvent(c *fiber.Ctx) error {
	e, err := decodeEvent(c.Get(fiber.HeaderContentType), c.Body(), 0)
	if err != nil {
		return err
	}
	if err := s.store.CreateEvent(c.UserContext(), currentAuth(c).actor(), e); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict(fmt.Sprintf("event %d already exists: change it with PUT /api/events/%d", e.Ref, e.Ref))
		}
		return err
	}
	ref := strconv.FormatInt(e.Ref, 10)
	return created(c, "/api/events/"+ref, eventOut(e, nil))
}

// updateEvent answers PUT /api/events/:ref: the body replaces the event.
func (s *server) updateEvent(c *fiber.Ctx) error {
	ref, err := pathID(c, "ref", "an event ref")
	if err != nil {
		return err
	}
	e, err := decodeEvent(c.Get(fiber.HeaderContentType), c.Body(), ref)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.store.UpdateEvent(ctx, currentAuth(c).actor(), e); err != nil {
		return err
	}
	got, err := s.store.GetEvent(ctx, ref)
	if err != nil {
		return err
	}
	return c.JSON(eventOut(&got.Event, got.Schedule))
}

// deleteEvent answers DELETE /api/events/:ref; its posted schedule goes
// with it unless that is on a locked day (409).
func (s *server) deleteEvent(c *fiber.Ctx) error {
	ref, err := pathID(c, "ref", "an event ref")
	if err != nil {
		return err
	}
	if err := s.store.DeleteEvent(c.UserContext(), currentAuth(c).actor(), ref); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
