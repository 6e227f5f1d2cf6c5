package web

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// listHolidays answers GET /api/holidays?from&to.
func (s *server) listHolidays(c *fiber.Ctx) error {
	r, err := queryRange(c, 0)
	if err != nil {
		return err
	}
	hs, err := s.store.ListHolidays(c.UserContext(), r)
	if err != nil {
		return err
	}
	return c.JSON(listOf(hs))
}

// holidayIn is the body of PUT /api/holidays/:date.
type holidayIn struct {
	Name string `json:"name"`
}

// putHoliday answers PUT /api/holidays/:date: the store is closed that
// day, so nothing is placed on it.
func (s *server) putHoliday(c *fiber.Ctx) error {
	d, err := pathDate(c, "date")
	if err != nil {
		return err
	}
	var in holidayIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	h := &store.Holiday{Date: d, Name: in.Name}
	if err := s.store.PutHoliday(c.UserContext(), currentAuth(c).actor(), h); err != nil {
		return err
	}
	return c.JSON(h)
}

// deleteHoliday answers DELETE /api/holidays/:date.
func (s *server) deleteHoliday(c *fiber.Ctx) error {
	d, err := pathDate(c, "date")
	if err != nil {
		return err
	}
	if err := s.store.DeleteHoliday(c.UserContext(), currentAuth(c).actor(), d); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
