package web

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// listAttendance answers GET /api/attendance?employee&from&to.
func (s *server) listAttendance(c *fiber.Ctx) error {
	r, err := queryRange(c, 0)
	if err != nil {
		return err
	}
	recs, err := s.store.ListAttendance(c.UserContext(), store.AttendanceFilter{DateRange: r, EmployeeID: c.Query("employee")})
	if err != nil {
		return err
	}
	return c.JSON(listOf(recs))
}

// attendanceIn is the body of POST /api/attendance.
type attendanceIn struct {
	Event       int64  `json:"event"`
	Employee    string `json:"employee"`
	Date        string `json:"date"`
	Status      string `json:"status"`
	MinutesLate int    `json:"minutes_late"`
	Note        string `json:"note"`
}

// recordAttendance answers POST /api/attendance: how an employee worked an
// event, replacing an earlier record for the same event and employee.
func (s *server) recordAttendance(c *fiber.Ctx) error {
	var in attendanceIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := requiredDate("body.date", in.Date)
	if err != nil {
		return err
	}
	rec := &store.AttendanceRecord{
		EventRef: in.Event, EmployeeID: in.Employee, Date: d, Status: store.Attendance(in.Status),
		MinutesLate: in.MinutesLate, Note: in.Note,
	}
	if err := rec.Validate(); err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := s.checkRefs(ctx, in.Event, in.Employee); err != nil {
		return err
	}
	if err := s.store.RecordAttendance(ctx, currentAuth(c).actor(), rec); err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(rec)
}
