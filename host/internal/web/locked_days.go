package web

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// listLockedDays answers GET /api/locked-days?from&to; any signed-in user
// may read them.
func (s *server) listLockedDays(c *fiber.Ctx) error {
	r, err := queryRange(c, 0)
	if err != nil {
		return err
	}
	days, err := s.store.ListLockedDays(c.UserContext(), r)
	if err != nil {
		return err
	}
	return c.JSON(listOf(days))
}

// lockedDayIn is the body of POST /api/locked-days.
type lockedDayIn struct {
	Date   string `json:"date"`
	Reason string `json:"reason"`
}

// lockDay answers POST /api/locked-days (admin): nothing on that day
// changes until an admin unlocks it.
func (s *server) lockDay(c *fiber.Ctx) error {
	var in lockedDayIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := requiredDate("body.date", in.Date)
	if err != nil {
		return err
	}
	ld := &store.LockedDay{Date: d, Reason: in.Reason}
	if err := s.store.LockDay(c.UserContext(), currentAuth(c).actor(), ld); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflict(d.String() + " is already locked")
		}
		return err
	}
	return created(c, dateLocation("/api/locked-days", d), ld)
}

// unlockDay answers DELETE /api/locked-days/:date?reason= (admin).
func (s *server) unlockDay(c *fiber.Ctx) error {
	d, err := pathDate(c, "date")
	if err != nil {
		return err
	}
	if err := s.store.UnlockDay(c.UserContext(), currentAuth(c).actor(), d, c.Query("reason")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
