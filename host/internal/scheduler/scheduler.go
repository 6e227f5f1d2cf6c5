// Package scheduler is crewplan's auto-scheduler: pure logic over a
// snapshot of the store. It places the events a run must place in priority
// order, asking the rule plugins (through a Checker, in batches) which
// candidate placements break no hard rule and a Ranker in which order to
// try the ones that qualify; it proposes bumps for urgent core events, keeps
// supervisors with their cores, and repairs what a greedy pass leaves
// unplaced. It writes nothing: the caller stores the Result.
//
// The scheduler hard-codes no constraint. What it knows of the rules is
// what scheduling-rules.md gives it to decide with: the order of events,
// the start times of each type, who is preferred for what, and where a
// supervisor's core is.
package scheduler

import (
	"context"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// Checker checks a batch of candidates against every hard rule and returns
// one verdict per candidate: the rule engine (rules.Engine), whose rules
// are plugin processes or, in tests and benchmarks, in-process rules.
type Checker interface {
	Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error)
}

var _ Checker = (*rules.Engine)(nil)

// Input is everything one run decides on.
type Input struct {
	// Snapshot holds the events, employees, posted assignments, holidays,
	// locked days and now, in the rule API's form.
	Snapshot *rules.Snapshot
	// Settings are the store's: start times and scheduler settings.
	Settings store.Settings
	// Rotations say who the day's juicer and primary lead are.
	Rotations Rotations
	// ToPlace are the refs of the events the run places: unstaffed events
	// without a posted schedule, in no particular order.
	ToPlace []int64
	// PostedIDs maps the ref of each posted event to its posted schedule's
	// id, which a bump records.
	PostedIDs map[int64]int64
}

// Rotations are the weekly rotations and their one-day exceptions.
type Rotations struct {
	// Juicer and PrimaryLead hold an employee id per weekday (time.Weekday
	// order); "" means nobody.
	Juicer, PrimaryLead [7]string
	// JuicerOn and PrimaryLeadOn are one-day exceptions, which beat the
	// weekly rotation.
	JuicerOn, PrimaryLeadOn map[civil.Date]string
}

// JuicerOf returns the rotation juicer of day d: the day's exception, or
// the weekly rotation's.
func (r *Rotations) JuicerOf(d civil.Date) string {
	if id, ok := r.JuicerOn[d]; ok {
		return id
	}
	return r.Juicer[d.Weekday()]
}

// PrimaryLeadOf returns the primary lead of day d: the day's exception, or
// the weekly rotation's.
func (r *Rotations) PrimaryLeadOf(d civil.Date) string {
	if id, ok := r.PrimaryLeadOn[d]; ok {
		return id
	}
	return r.PrimaryLead[d.Weekday()]
}

// Result is what a run proposes.
type Result struct {
	// Proposals are the new placements, in the order they were made
	// final; a proposal that displaces a posted assignment says which.
	Proposals []Proposal
	// Failures are the events the run could not place, with a reason a
	// person can act on.
	Failures []Failure
	Stats    Stats
}

// Proposal is one proposed placement.
type Proposal struct {
	Event    int64
	Employee string
	Date     civil.Date
	Start    civil.Clock
	// Bumps is the posted assignment this proposal displaces (another
	// event's, or the event's own when it moves with its core), nil when
	// it displaces none.
	Bumps *Bump
}

// Bump is a posted assignment a proposal displaces.
type Bump struct {
	// PostedID is the posted schedule's id.
	PostedID int64
	rule.Assignment
}

// Failure is an event the run could not place.
type Failure struct {
	Event  int64
	Reason string
}

// Stats are a run's counts.
type Stats struct {
	// Considered is how many events the run tried to place: those to
	// place and the posted ones it displaced.
	Considered int
	// Placed, Failed and Bumps count proposals, failures and proposals
	// that displace a posted assignment.
	Placed, Failed, Bumps int
	// Repaired counts the events the repair step placed after the greedy
	// pass could not.
	Repaired int
	// Batches and Candidates count the rule checks: batches sent,
	// candidates in them.
	Batches, Candidates int
	// Undone counts decisions that did not hold when the next batch
	// checked them (see Options.StepSize) and were made again.
	Undone int
	// Ranker names the ranking used ("rules" or the model's name);
	// Fallbacks counts decisions the model left to the rules, by reason.
	Ranker    string
	Fallbacks map[string]int
	// Shadow is the report of Options.Shadow; nil without one.
	Shadow *ShadowStats
}

// ShadowStats report how a shadow ranking compared with the ranking that
// placed: of the placements with two or more choices (Decisions), how many
// it would have made the same (Agreed), and how many it could not rank, by
// reason.
type ShadowStats struct {
	Ranker    string         `json:"ranker"`
	Decisions int            `json:"decisions"`
	Agreed    int            `json:"agreed"`
	Fallbacks map[string]int `json:"fallbacks"`
}
