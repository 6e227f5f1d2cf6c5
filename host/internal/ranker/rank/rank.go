// Package rank puts a ranking model to work in the scheduler: it builds
// each run's ranking from the live model, the store's history and the
// configuration, and falls back to the rule-based ranking in layers.
//
//   - No live model: the rule-based ranking decides everything. An active
//     model that failed to load is the same, but the run's record counts
//     each decision under ReasonLoad, so nobody mistakes it for a model's
//     choice.
//   - A model that fails on a decision (a trap, a timeout, the memory cap,
//     NaN or the wrong number of scores; see package ranker): the rules
//     decide that one, counted under the model's reason. After MaxFailures
//     failures in a row the model sits out the rest of the run, and every
//     later decision is counted under the reason of the last failure, so
//     that a module that hangs costs a few deadlines rather than one per
//     decision, and the run's record still says why.
//   - A model not confident enough (its first choice scores under
//     Config.ConfidenceThreshold): the rules decide that one, counted
//     under ReasonLowConfidence.
//
// In shadow mode (Config.Shadow) the model scores every placement while
// the rules decide; the run's record reports how often the model would
// have placed the same employee, and the debug log has both orders of
// each placement.
package rank

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/sdk/civil"
)

// The reasons this package counts fallbacks under, besides those of
// package ranker.
const (
	ReasonLoad          = "load"
	ReasonLowConfidence = "low_confidence"
	ReasonFeatures      = "features"
)

// MaxFailures is how many decisions in a row a model may fail before it
// sits out the rest of a run.
const MaxFailures = 3

// Config is the ranker section of the configuration.
type Config struct {
	// ConfidenceThreshold: a decision whose first choice the model scores
	// under it goes to the rules (0 never does).
	ConfidenceThreshold float64
	// Shadow: the model scores, the rules decide.
	Shadow bool
}

// failing is the ranking of a run whose active model did not load: the
// rules decide every decision, counted under ReasonLoad.
type failing struct{ err error }

func (f failing) Name() string { return "rules (active model not loaded)" }

func (f failing) Rank(context.Context, *scheduler.Decision) ([]int, error) {
	return nil, &Error{ReasonLoad, f.err}
}

// Error is a decision left to the rules, with the reason it is counted
// under.
type Error struct {
	reason string
	err    error
}

func (e *Error) Error() string { return e.reason + ": " + e.err.Error() }

// Reason returns the reason the fallback is counted under.
func (e *Error) Reason() string { return e.reason }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

// Model ranks a run's decisions with a ranking model. It is used by one
// run at a time.
type Model struct {
	m       *ranker.Model
	history *features.History
	cfg     Config
	log     *slog.Logger
	now     civil.Date
	holiday map[civil.Date]bool // weeks with a holiday, by Sunday

	failures int    // module faults in a row
	last     *Error // the last fault, once failures reaches MaxFailures
	// past holds the history part of rows made so far (features.Past),
	// which stays the same for the run: an employee's for a day and type
	// at past[at[{day, type}][employee]:][:PastCount] (-1: not made yet).
	past []float32
	at   map[dayType][]int32
	// readContext says which of the event's values the model reads
	// (ranker.Model.Reads), and readLoad which of a row's values that
	// change in a run (rowKey's, in order): -1 for one it reads, 0 for
	// one it does not. Rows are kept by the values read only.
	readContext [features.ContextCount]bool
	readLoad    [5]int
	// scored keeps, per event part of a row, the score of each
	// employee's last row (by Choice.Index), to score again only the rows
	// that changed.
	scored map[eventKey][]scoredRow
	x      []float32
	event  []float32 // the event's part of the rows (features.AppendContext)
	need   []int     // the choices whose rows are in x
	keep   []bool    // per row in x: whether its key fits, so it is kept
	ids    []int     // per choice: where its rows are kept
	got    []float32 // the model's scores of the rows in x
	scores []float32 // the scores of the choices
	order  []int     // returned by Rank, reused (see scheduler.Ranker)
	keys   []uint64  // sortByScore's
	counts Counts
}

// Counts are what a run's ranking did.
type Counts struct {
	Rankings int // decisions ranked
	Rows     int // rows scored
	Calls    int // calls to the model
}

// Counts returns what the ranking did so far.
func (r *Model) Counts() Counts { return r.counts }

// dayType is a day and an event type (an index in features.Types).
type dayType struct {
	d civil.Date
	t int
}

// eventKey is the event part of a decision's rows: its day and type
// (which the history part of a row depends on) and the values of its
// context (features.AppendContext) the model reads, as bits, the others 0.
// Decisions with equal keys, such as two events alike on one day at one
// start, or any two events of a type on a day when the model reads no
// context, have the same row for an employee with the same load and tier
// (as far as the model reads them), so they share their scores.
type eventKey struct {
	dt      dayType
	context [features.ContextCount]uint32
}

// scoredRow is a row's score and what it was made of that changes in a
// run: the employee's load and tier (see key). ok is false for a row never
// scored.
type scoredRow struct {
	of    rowKey
	ok    bool
	score float32
}

// rowKey is what a row is made of that changes in a run, small: the
// employee's load and tier (those the model reads, the others 0).
type rowKey struct {
	assignments, minutes, days, today, tier uint16
}

// keyOf returns the row key of a load and tier, and whether they fit one:
// a row whose key does not fit is scored every time, never kept. The
// values the model does not read count as 0.
func (r *Model) keyOf(l scheduler.Load, tier int) (rowKey, bool) {
	m := &r.readLoad // -1 for a value read, 0 for one not
	a, mi, d, t, p := l.Assignments&m[0], l.Minutes&m[1], l.Days&m[2], l.Today&m[3], tier&m[4]
	if uint(a|mi|d|t|p) > math.MaxUint16 { // a negative one too
		return rowKey{}, false
	}
	return rowKey{uint16(a), uint16(mi), uint16(d), uint16(t), uint16(p)}, true
}

// New returns the ranking of a run over in by model m, with the store's
// history before the run.
func New(m *ranker.Model, h *features.History, in *scheduler.Input, cfg Config, log *slog.Logger) *Model {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Model{m: m, history: h, cfg: cfg, log: log, now: in.Snapshot.Now.Date, holiday: map[civil.Date]bool{}, at: map[dayType][]int32{}, scored: map[eventKey][]scoredRow{}}
	reads := m.Reads()
	if len(reads) != features.Count {
		reads = nil // not reached: the registry checked the features
	}
	read := func(col int) bool { return reads == nil || col < 0 || reads[col] }
	for i := range r.readContext {
		r.readContext[i] = read(features.PastCount + features.CandidateCount + i)
	}
	for i, name := range []string{"week_assignments", "week_hours", "week_days_worked", "day_assignments", "preference_tier"} {
		if read(slices.Index(features.Names, name)) {
			r.readLoad[i] = -1
		}
	}
	for _, d := range in.Snapshot.Holidays {
		r.holiday[d.WeekStart()] = true
	}
	return r
}

// Name names the model: its name and version.
func (r *Model) Name() string {
	meta := r.m.Meta()
	return meta.Name + " " + meta.Version
}

// Rank orders d.Choices by the model's scores, best first; equal scores
// keep the rule-based order.
func (r *Model) Rank(ctx context.Context, d *scheduler.Decision) ([]int, error) {
	if r.last != nil {
		return nil, r.last
	}
	order, err := r.rank(ctx, d)
	if err != nil {
		if se := (*ranker.ScoreError)(nil); errors.As(err, &se) {
			r.failures++
			if r.failures == MaxFailures {
				r.log.Warn("ranking model left out for the rest of the run", "model", r.Name(), "failures", r.failures, "err", err)
				r.last = &Error{se.Reason(), fmt.Errorf("the model failed %d decisions in a row, the last with: %w; the rules decide the rest of this run", MaxFailures, err)}
			}
		}
		return nil, err
	}
	r.failures = 0
	if r.cfg.Shadow && r.log.Enabled(ctx, slog.LevelDebug) {
		r.log.Debug("shadow ranking", "event", d.Event.Ref, "date", d.Date.String(),
			"rules", employees(d, nil), "model", employees(d, order))
	}
	return order, nil
}

func (r *Model) rank(ctx context.Context, d *scheduler.Decision) ([]int, error) {
	if len(d.Choices) == 0 {
		return r.order[:0], nil
	}
	r.counts.Rankings++
	x := features.Context{
		Type: d.Event.Type, Date: d.Date, Start: d.Start, DurationMin: d.Event.DurationMin,
		Due: d.Event.Due, WindowStart: d.Event.Start, Now: r.now, HolidayWeek: r.holiday[d.Date.WeekStart()],
	}
	if x.WindowStart.IsZero() {
		x.WindowStart = d.Date
	}
	dt := dayType{d.Date, slices.Index(features.Types, d.Event.Type)}
	r.event = features.AppendContext(r.event[:0], &x)
	key := eventKey{dt: dt}
	for i, v := range r.event {
		if r.readContext[i] {
			key.context[i] = math.Float32bits(v)
		}
	}
	// Rows are kept by employee (Choice.Index). A Decision made outside a
	// run has no such index: its rows are kept by choice, for this call.
	r.ids = r.ids[:0]
	n := d.Employees()
	var known []scoredRow
	var at []int32
	if n == 0 {
		for i := range d.Choices {
			r.ids = append(r.ids, i)
		}
		known, at = make([]scoredRow, len(d.Choices)), unmade(nil, len(d.Choices))
	} else {
		for i := range d.Choices {
			r.ids = append(r.ids, d.Choices[i].Index())
		}
		if known = r.scored[key]; len(known) < n {
			known = append(known, make([]scoredRow, n-len(known))...)
			r.scored[key] = known
		}
		if at = r.at[dt]; len(at) < n {
			at = unmade(at, n)
			r.at[dt] = at
		}
	}
	// Rows are made and scored only for the choices whose row changed
	// since a decision with this event part was last ranked: their load,
	// or their tier (a rotation). The event's part is the same for all of
	// them.
	r.x, r.need, r.keep = r.x[:0], r.need[:0], r.keep[:0]
	for i := range d.Choices {
		c, e := &d.Choices[i], r.ids[i]
		l := d.Load(i)
		k, fits := r.keyOf(l, c.Tier)
		row := &known[e]
		if row.ok && row.of == k {
			continue
		}
		*row = scoredRow{of: k}
		r.keep = append(r.keep, fits)
		r.need = append(r.need, i)
		if at[e] < 0 {
			at[e] = int32(len(r.past))
			r.past = r.history.Past(r.past, c.Employee.ID, d.Date, d.Event.Type)
		}
		cand := features.Candidate{
			Employee: c.Employee.ID, Role: c.Employee.Role, Tier: c.Tier,
			Week: l.Assignments, Minute: l.Minutes, Days: l.Days, Today: l.Today,
		}
		r.x = append(r.x, r.past[at[e]:at[e]+features.PastCount]...)
		r.x = append(features.AppendCandidate(r.x, &cand), r.event...)
	}
	if len(r.need) > 0 {
		r.counts.Rows += len(r.need)
		r.counts.Calls++
		scores, err := r.m.AppendScores(ctx, r.got[:0], r.x, len(r.need), features.Count)
		if err != nil {
			var se *ranker.ScoreError
			if errors.As(err, &se) {
				return nil, se
			}
			return nil, &Error{ReasonFeatures, err}
		}
		for j, i := range r.need {
			row := &known[r.ids[i]]
			row.ok, row.score = r.keep[j], scores[j]
		}
		r.got = scores
	}
	r.scores, r.order = r.scores[:0], r.order[:0]
	for i := range d.Choices {
		r.scores = append(r.scores, known[r.ids[i]].score)
		r.order = append(r.order, i)
	}
	order := r.order
	sortByScore(order, r.scores, &r.keys)
	if top := float64(r.scores[order[0]]); top < r.cfg.ConfidenceThreshold {
		return nil, &Error{ReasonLowConfidence, fmt.Errorf("the first choice scores %.3f, under the threshold %.3f", top, r.cfg.ConfidenceThreshold)}
	}
	return order, nil
}

// unmade grows at to n entries with -1s (rows not made yet).
func unmade(at []int32, n int) []int32 {
	for len(at) < n {
		at = append(at, -1)
	}
	return at
}

// sortByScore sorts order, which holds 0 to len(scores)-1 in order, by
// score, highest first, keeping the order of equal scores: by insertion,
// the fastest for a few choices, else by sorting keys that hold the
// score's bits, inverted so that the highest comes first, above the
// index, so that equal scores keep their order. The scores are finite
// (package ranker checks).
func sortByScore(order []int, scores []float32, keys *[]uint64) {
	if len(order) <= 12 {
		for i := 1; i < len(order); i++ {
			v := order[i]
			s := scores[v]
			j := i
			for ; j > 0 && scores[order[j-1]] < s; j-- {
				order[j] = order[j-1]
			}
			order[j] = v
		}
		return
	}
	k := (*keys)[:0]
	for _, i := range order {
		b := math.Float32bits(scores[i] + 0) // -0 is 0
		if b>>31 == 1 {
			b = ^b // a negative number: the lower, the larger its bits
		} else {
			b |= 1 << 31
		}
		k = append(k, uint64(^b)<<32|uint64(uint32(i)))
	}
	slices.Sort(k)
	for n, key := range k {
		order[n] = int(uint32(key))
	}
	*keys = k
}

// employees lists d's employees in order (nil: as they come).
func employees(d *scheduler.Decision, order []int) []string {
	out := make([]string, len(d.Choices))
	for k := range out {
		i := k
		if order != nil {
			i = order[k]
		}
		out[k] = d.Choices[i].Employee.ID
	}
	return out
}

var _ scheduler.Ranker = (*Model)(nil)
