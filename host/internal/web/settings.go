package web

import (
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// settingsIn is the body of PUT /api/settings: the whole document, with
// times as strings so that a bad one is reported with its field.
type settingsIn struct {
	TimeSlots *timeSlotsIn `json:"time_slots"`
	Scheduler *schedulerIn `json:"scheduler"`
}

// timeSlotsIn mirrors store.TimeSlots.
type timeSlotsIn struct {
	Core             []string `json:"core"`
	Supervisor       *string  `json:"supervisor"`
	JuicerProduction *string  `json:"juicer_production"`
	JuicerSurvey     *string  `json:"juicer_survey"`
	Freeosk          *string  `json:"freeosk"`
	DigitalSetup     []string `json:"digital_setup"`
	DigitalTeardown  []string `json:"digital_teardown"`
	Other            *string  `json:"other"`
}

// schedulerIn mirrors store.SchedulerSettings.
type schedulerIn struct {
	EarliestOffsetDays map[string]int `json:"earliest_offset_days"`
	MaxWorkDaysPerWeek *int           `json:"max_work_days_per_week"`
	BumpProtectDays    *int           `json:"bump_protect_days"`
	MaxBumpsPerEvent   *int           `json:"max_bumps_per_event"`
	AutoRunCron        *string        `json:"auto_run_cron"`
}

// getSettings answers GET /api/settings.
func (s *server) getSettings(c *fiber.Ctx) error {
	st, err := s.store.GetSettings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// putSettings answers PUT /api/settings (admin): the whole document, every
// field required except scheduler.auto_run_cron.
func (s *server) putSettings(c *fiber.Ctx) error {
	var in settingsIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := settingsFrom(&in)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.store.PutSettings(ctx, currentAuth(c).actor(), st); err != nil {
		return err
	}
	got, err := s.store.GetSettings(ctx)
	if err != nil {
		return err
	}
	return c.JSON(got)
}

// settingsFrom converts the body: a time that is not HH:MM is a 400, a
// missing field a 422.
func settingsFrom(in *settingsIn) (store.Settings, error) {
	var st store.Settings
	var bad, missing fieldErrs
	clocks := func(field string, list []string) []civil.Clock {
		if list == nil {
			missing.add(field, "is required: a list of HH:MM times")
			return nil
		}
		out := make([]civil.Clock, len(list))
		for i, v := range list {
			out[i] = bad.clock(fmt.Sprintf("%s[%d]", field, i), v)
		}
		return out
	}
	clock := func(field string, v *string) civil.Clock {
		if v == nil {
			missing.add(field, "is required (HH:MM)")
			return 0
		}
		return bad.clock(field, *v)
	}
	number := func(field string, v *int) int {
		if v == nil {
			missing.add(field, "is required")
			return 0
		}
		return *v
	}
	if ts := in.TimeSlots; ts == nil {
		missing.add("body.time_slots", "is required")
	} else {
		st.TimeSlots = store.TimeSlots{
			Core:             clocks("body.time_slots.core", ts.Core),
			Supervisor:       clock("body.time_slots.supervisor", ts.Supervisor),
			JuicerProduction: clock("body.time_slots.juicer_production", ts.JuicerProduction),
			JuicerSurvey:     clock("body.time_slots.juicer_survey", ts.JuicerSurvey),
			Freeosk:          clock("body.time_slots.freeosk", ts.Freeosk),
			DigitalSetup:     clocks("body.time_slots.digital_setup", ts.DigitalSetup),
			DigitalTeardown:  clocks("body.time_slots.digital_teardown", ts.DigitalTeardown),
			Other:            clock("body.time_slots.other", ts.Other),
		}
	}
	if sc := in.Scheduler; sc == nil {
		missing.add("body.scheduler", "is required")
	} else {
		if sc.EarliestOffsetDays == nil {
			missing.add("body.scheduler.earliest_offset_days", `is required, with at least "default"`)
		}
		st.Scheduler = store.SchedulerSettings{
			EarliestOffsetDays: sc.EarliestOffsetDays,
			MaxWorkDaysPerWeek: number("body.scheduler.max_work_days_per_week", sc.MaxWorkDaysPerWeek),
			BumpProtectDays:    number("body.scheduler.bump_protect_days", sc.BumpProtectDays),
			MaxBumpsPerEvent:   number("body.scheduler.max_bumps_per_event", sc.MaxBumpsPerEvent),
		}
		if sc.AutoRunCron != nil {
			st.Scheduler.AutoRunCron = *sc.AutoRunCron
		}
	}
	if err := bad.err(http.StatusBadRequest); err != nil {
		return st, err
	}
	if err := missing.err(http.StatusUnprocessableEntity); err != nil {
		return st, err
	}
	return st, nil
}
