// Package demo loads the demo store: a dozen people, the next five weeks of
// events, and a year of worked history with attendance, so a new
// install has something real to look at and the ranking models something to
// learn from.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// The demo store's size and seed.
const (
	Employees    = 12
	Weeks        = 5
	HistoryWeeks = 52
	Seed         = 20260302
)

// The demo user, an admin, created with the demo store. The README tells
// people to change the password.
const (
	Username = "demo"
	Password = "crewplan-demo"
)

// Result says what Load wrote.
type Result struct {
	Counts   store.ImportCounts
	Username string
	Password string
}

// Scenario returns the demo store's scenario as of now: its events start
// around now's date, so the demo always looks current.
func Scenario(now time.Time) (*scenario.Scenario, error) {
	at := civil.DateTime{Date: civil.DateOf(now), Clock: civil.NewClock(8, 0)}
	return scenario.Generate(scenario.GenerateOptions{Employees: Employees, Weeks: Weeks, Seed: Seed, Now: at})
}

// Load writes the demo store and the demo user into s in one transaction.
// It refuses a store that already holds employees or events.
func Load(ctx context.Context, s *store.Store, now time.Time) (Result, error) {
	empty, err := s.Empty(ctx)
	if err != nil {
		return Result{}, err
	}
	if !empty {
		return Result{}, fmt.Errorf("load demo store: %w: the database already holds employees or events", store.ErrConflict)
	}
	sc, err := Scenario(now)
	if err != nil {
		return Result{}, err
	}
	d := sc.Dataset(store.SystemActor)
	scenario.AddHistory(d, scenario.GenerateHistory(sc, scenario.HistoryOptions{Weeks: HistoryWeeks, Seed: Seed}), store.SystemActor)
	var counts store.ImportCounts
	err = s.InTx(ctx, func(tx *store.Store) error {
		var err error
		if counts, err = tx.Import(ctx, store.SystemActor, d); err != nil {
			return err
		}
		u := &store.User{Username: Username, DisplayName: "Demo Coordinator", Role: store.UserAdmin}
		return tx.CreateUser(ctx, store.SystemActor, u, Password)
	})
	if err != nil {
		return Result{}, fmt.Errorf("load demo store: %w", err)
	}
	return Result{Counts: counts, Username: Username, Password: Password}, nil
}
