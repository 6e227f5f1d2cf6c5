package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// rotationWeek is one weekly rotation: weekday ("mon") to employee id.
type rotationWeek map[string]string

// rotationsOut groups rotation rows by type; every type is present.
func rotationsOut(rows []store.Rotation) map[store.RotationType]rotationWeek {
	out := make(map[store.RotationType]rotationWeek, len(store.RotationTypes))
	for _, t := range store.RotationTypes {
		out[t] = rotationWeek{}
	}
	for _, r := range rows {
		if w, ok := out[r.Type]; ok && r.Weekday >= time.Sunday && r.Weekday <= time.Saturday {
			w[store.Weekdays[r.Weekday]] = r.EmployeeID
		}
	}
	return out
}

// pathRotationType returns the rotation type in the path.
func pathRotationType(c *fiber.Ctx) (store.RotationType, error) {
	t := store.RotationType(c.Params("type"))
	if !t.Valid() {
		return "", badRequest("path.type", "%q is not a rotation (juicer, primary_lead)", t)
	}
	return t, nil
}

// listRotations answers GET /api/rotations.
func (s *server) listRotations(c *fiber.Ctx) error {
	rows, err := s.store.ListRotations(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(rotationsOut(rows))
}

// putRotation answers PUT /api/rotations/:type with {"mon": "E07", ...}:
// the whole week of one rotation; a day left out or null has nobody.
func (s *server) putRotation(c *fiber.Ctx) error {
	t, err := pathRotationType(c)
	if err != nil {
		return err
	}
	var in map[string]*string
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var bad fieldErrs
	var days []store.Rotation
	var keys []string // body key of days[i]
	for k, v := range in {
		wd := slices.Index(store.Weekdays[:], k)
		switch {
		case wd < 0:
			bad.add("body."+k, "is not a day of the week (sun, mon, tue, wed, thu, fri, sat)")
		case v != nil && *v != "":
			days = append(days, store.Rotation{Weekday: time.Weekday(wd), EmployeeID: *v})
		}
	}
	if err := bad.err(http.StatusBadRequest); err != nil {
		return err
	}
	slices.SortFunc(days, func(a, b store.Rotation) int { return int(a.Weekday) - int(b.Weekday) })
	for _, d := range days {
		keys = append(keys, store.Weekdays[d.Weekday])
	}
	ctx := c.UserContext()
	if err := s.store.SetRotation(ctx, currentAuth(c).actor(), t, days); err != nil {
		return renameDays(err, keys)
	}
	rows, err := s.store.ListRotations(ctx)
	if err != nil {
		return err
	}
	return c.JSON(rotationsOut(rows)[t])
}

// renameDays renames the store's "days[i].employee" fields to the body's
// day keys ("body.mon").
func renameDays(err error, keys []string) error {
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	fields := make([]store.FieldError, len(ve.Fields))
	for i, f := range ve.Fields {
		fields[i] = store.FieldError{Field: bodyField(f.Field), Message: f.Message}
		if rest, ok := strings.CutPrefix(f.Field, "days["); ok {
			if j := strings.IndexByte(rest, ']'); j > 0 {
				if n, err := strconv.Atoi(rest[:j]); err == nil && n >= 0 && n < len(keys) {
					fields[i].Field = "body." + keys[n]
				}
			}
		}
	}
	return fieldsError(http.StatusUnprocessableEntity, fields)
}

// listRotationExceptions answers GET /api/rotation-exceptions?from&to.
func (s *server) listRotationExceptions(c *fiber.Ctx) error {
	r, err := queryRange(c, 0)
	if err != nil {
		return err
	}
	xs, err := s.store.ListRotationExceptions(c.UserContext(), r)
	if err != nil {
		return err
	}
	return c.JSON(listOf(xs))
}

// rotationExceptionIn is the body of PUT /api/rotation-exceptions/:date/:type.
type rotationExceptionIn struct {
	Employee string `json:"employee"`
	Reason   string `json:"reason"`
}

// putRotationException answers PUT /api/rotation-exceptions/:date/:type:
// who works the rotation on that one date.
func (s *server) putRotationException(c *fiber.Ctx) error {
	d, err := pathDate(c, "date")
	if err != nil {
		return err
	}
	t, err := pathRotationType(c)
	if err != nil {
		return err
	}
	var in rotationExceptionIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	x := &store.RotationException{Date: d, Type: t, EmployeeID: in.Employee, Reason: in.Reason}
	if err := s.store.PutRotationException(c.UserContext(), currentAuth(c).actor(), x); err != nil {
		return renameDays(err, []string{"employee"})
	}
	return c.JSON(x)
}

// deleteRotationException answers DELETE /api/rotation-exceptions/:date/:type.
func (s *server) deleteRotationException(c *fiber.Ctx) error {
	d, err := pathDate(c, "date")
	if err != nil {
		return err
	}
	t, err := pathRotationType(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteRotationException(c.UserContext(), currentAuth(c).actor(), d, t); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

// dateLocation is the URL of a date-keyed resource.
func dateLocation(prefix string, d civil.Date) string { return fmt.Sprintf("%s/%s", prefix, d) }
