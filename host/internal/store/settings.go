package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gorm.io/gorm/clause"

	"github.com/crewplan/crewplan/sdk/civil"
)

// Settings are the store's scheduling settings: the time slots of each
// event type and the scheduler's own settings.
type Settings struct {
	TimeSlots TimeSlots         `json:"time_slots"`
	Scheduler SchedulerSettings `json:"scheduler"`
}

// TimeSlots are the start times the scheduler places events at.
type TimeSlots struct {
	Core             []civil.Clock `json:"core"`
	Supervisor       civil.Clock   `json:"supervisor"`
	JuicerProduction civil.Clock   `json:"juicer_production"`
	JuicerSurvey     civil.Clock   `json:"juicer_survey"`
	Freeosk          civil.Clock   `json:"freeosk"`
	DigitalSetup     []civil.Clock `json:"digital_setup"`
	DigitalTeardown  []civil.Clock `json:"digital_teardown"`
	Other            civil.Clock   `json:"other"`
}

// SchedulerSettings tune the auto-scheduler.
type SchedulerSettings struct {
	// EarliestOffsetDays is how many days after today an automatic
	// placement may be, per event type; "default" covers the rest.
	EarliestOffsetDays map[string]int `json:"earliest_offset_days"`
	// MaxWorkDaysPerWeek caps an employee's working days in a week
	// (weeks start on Sunday).
	MaxWorkDaysPerWeek int `json:"max_work_days_per_week"`
	// BumpProtectDays protects events due this close to today from being
	// bumped.
	BumpProtectDays int `json:"bump_protect_days"`
	// MaxBumpsPerEvent is how often one event may be displaced in a run.
	MaxBumpsPerEvent int `json:"max_bumps_per_event"`
	// AutoRunCron is when automatic runs start (cron syntax); "" means
	// never.
	AutoRunCron string `json:"auto_run_cron"`
}

// DefaultSettings returns the product's defaults from scheduling-rules.md.
func DefaultSettings() Settings {
	c := civil.NewClock
	return Settings{
		TimeSlots: TimeSlots{
			Core:             []civil.Clock{c(9, 45), c(10, 30), c(11, 0), c(11, 30)},
			Supervisor:       c(12, 0),
			JuicerProduction: c(9, 0),
			JuicerSurvey:     c(17, 0),
			Freeosk:          c(10, 0),
			DigitalSetup:     []civil.Clock{c(10, 15), c(10, 30), c(10, 45), c(11, 0)},
			DigitalTeardown:  []civil.Clock{c(18, 0), c(18, 15), c(18, 30), c(18, 45)},
			Other:            c(11, 0),
		},
		Scheduler: SchedulerSettings{
			EarliestOffsetDays: map[string]int{"core": 1, "supervisor": 1, "default": 3},
			MaxWorkDaysPerWeek: 6,
			BumpProtectDays:    2,
			MaxBumpsPerEvent:   3,
		},
	}
}

// OffsetDays returns the earliest-day offset for event type t.
func (s SchedulerSettings) OffsetDays(t EventType) int {
	if n, ok := s.EarliestOffsetDays[string(t)]; ok {
		return n
	}
	return s.EarliestOffsetDays["default"]
}

// Validate reports every problem with the settings.
func (s *Settings) Validate() error {
	var p problems
	slots := func(field string, list []civil.Clock) {
		if len(list) == 0 {
			p.add(field, "needs at least one time")
		}
		seen := map[civil.Clock]bool{}
		for i, c := range list {
			if !c.Valid() {
				p.add(fmt.Sprintf("%s[%d]", field, i), "is not a time of day")
			} else if seen[c] {
				p.add(fmt.Sprintf("%s[%d]", field, i), "%s is given twice", c)
			}
			seen[c] = true
		}
	}
	slots("time_slots.core", s.TimeSlots.Core)
	slots("time_slots.digital_setup", s.TimeSlots.DigitalSetup)
	slots("time_slots.digital_teardown", s.TimeSlots.DigitalTeardown)
	for field, c := range map[string]civil.Clock{
		"time_slots.supervisor": s.TimeSlots.Supervisor, "time_slots.juicer_production": s.TimeSlots.JuicerProduction,
		"time_slots.juicer_survey": s.TimeSlots.JuicerSurvey, "time_slots.freeosk": s.TimeSlots.Freeosk, "time_slots.other": s.TimeSlots.Other,
	} {
		if !c.Valid() {
			p.add(field, "is not a time of day")
		}
	}
	if _, ok := s.Scheduler.EarliestOffsetDays["default"]; !ok {
		p.add("scheduler.earliest_offset_days.default", "is required")
	}
	for k, v := range s.Scheduler.EarliestOffsetDays {
		if k != "default" && !EventType(k).Valid() {
			p.add("scheduler.earliest_offset_days."+k, "%q is not an event type or default", k)
		}
		if v < 0 || v > 365 {
			p.add("scheduler.earliest_offset_days."+k, "%d is not between 0 and 365 days", v)
		}
	}
	if n := s.Scheduler.MaxWorkDaysPerWeek; n < 1 || n > 7 {
		p.add("scheduler.max_work_days_per_week", "%d is not between 1 and 7", n)
	}
	if n := s.Scheduler.BumpProtectDays; n < 0 || n > 60 {
		p.add("scheduler.bump_protect_days", "%d is not between 0 and 60", n)
	}
	if n := s.Scheduler.MaxBumpsPerEvent; n < 0 || n > 10 {
		p.add("scheduler.max_bumps_per_event", "%d is not between 0 and 10", n)
	}
	if spec := strings.TrimSpace(s.Scheduler.AutoRunCron); spec != "" {
		if _, err := cron.ParseStandard(spec); err != nil {
			p.add("scheduler.auto_run_cron", "%q is not a cron schedule (%v): give five fields such as \"0 6 * * 1-5\", a descriptor such as @daily, or \"\" for no automatic runs", spec, err)
		}
	}
	return p.err()
}

const (
	settingTimeSlots = "time_slots"
	settingScheduler = "scheduler"
)

// GetSettings returns the stored settings, defaults where nothing is
// stored.
func (s *Store) GetSettings(ctx context.Context) (Settings, error) {
	out := DefaultSettings()
	var rows []Setting
	if err := s.r(ctx).Find(&rows).Error; err != nil {
		return out, translate(err, "read settings")
	}
	for _, r := range rows {
		var target any
		switch r.Key {
		case settingTimeSlots:
			target = &out.TimeSlots
		case settingScheduler:
			target = &out.Scheduler
		default:
			continue
		}
		if err := json.Unmarshal([]byte(r.Value), target); err != nil {
			return out, fmt.Errorf("read settings %s: %w", r.Key, err)
		}
	}
	return out, nil
}

// PutSettings validates and stores all settings.
func (s *Store) PutSettings(ctx context.Context, by Actor, st Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Store) error {
		before, err := tx.GetSettings(ctx)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		for key, v := range map[string]any{settingTimeSlots: st.TimeSlots, settingScheduler: st.Scheduler} {
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("save settings %s: %w", key, err)
			}
			row := Setting{Key: key, Value: string(b), UpdatedBy: string(by), UpdatedAt: now}
			err = tx.w(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_by", "updated_at"})}).Create(&row).Error
			if err := translate(err, "save settings "+key); err != nil {
				return err
			}
		}
		return tx.audit(ctx, by, "update", "settings", "", "", map[string]any{"before": before, "after": st})
	})
}
