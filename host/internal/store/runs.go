package store

import (
	"context"
	"fmt"
)

// ListRuns returns the latest scheduler runs, newest first.
func (s *Store) ListRuns(ctx context.Context, limit int) ([]SchedulerRun, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var out []SchedulerRun
	return out, translate(s.r(ctx).Order("id DESC").Limit(limit).Find(&out).Error, "list runs")
}

// GetRun returns one scheduler run.
func (s *Store) GetRun(ctx context.Context, id int64) (*SchedulerRun, error) {
	var r SchedulerRun
	if err := s.r(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("run %d", id))
	}
	return &r, nil
}

// ListProposals returns a run's proposals by date, start and event.
func (s *Store) ListProposals(ctx context.Context, runID int64) ([]PendingSchedule, error) {
	var out []PendingSchedule
	err := s.r(ctx).Where("run_id = ?", runID).Order("date, start_minute, event_ref").Find(&out).Error
	return out, translate(err, fmt.Sprintf("list proposals of run %d", runID))
}

// ListRunFailures returns the events a run could not place.
func (s *Store) ListRunFailures(ctx context.Context, runID int64) ([]RunFailure, error) {
	var out []RunFailure
	err := s.r(ctx).Where("run_id = ?", runID).Order("event_ref").Find(&out).Error
	return out, translate(err, fmt.Sprintf("list failures of run %d", runID))
}
