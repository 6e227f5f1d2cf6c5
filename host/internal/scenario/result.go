package scenario

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// ResultVersion is the only result format version this package reads and
// writes.
const ResultVersion = 1

// Result is the result document of `crewplan schedule simulate`: the run
// record, the proposals and the failures of one run over a scenario, as
// shared/spec/scenario-format.md ("Result") describes. Lists that are empty
// are nil.
type Result struct {
	Version   int
	Run       RunRecord
	Proposals []Proposal
	Failures  []Failure
}

// RunRecord is a run's record: its counts, timing, ranker and fallbacks.
type RunRecord struct {
	ID         int64
	Status     store.RunStatus
	Considered int
	Placed     int
	Failed     int
	Bumps      int
	// Bound is the run's bound, nil when the document has none.
	Bound     *int
	Ranker    string
	Fallbacks int
	ElapsedMS int64
}

// Proposal is a pending schedule: the employee proposed for an event and
// when.
type Proposal struct {
	Event    int64
	Employee string
	At       civil.DateTime
	// Bumps is the posted assignment this proposal displaces, nil when it
	// displaces none.
	Bumps *Assignment
}

// Failure is an event the run could not place, with a reason a person can
// act on.
type Failure struct {
	Event  int64
	Reason string
}

// runStatuses are the states a run record may be in.
var runStatuses = []store.RunStatus{
	store.RunRunning, store.RunCompleted, store.RunFailed,
	store.RunSuperseded, store.RunApproved, store.RunRejected,
}

// WriteResult writes r to w as a canonical result document: fields in the
// format's order, indented by one space, "proposals" and "failures" always
// present, proposals sorted by at and then event and failures by event
// (ties keep r's order), and "bound" and "bumps" left out when nil.
// ParseResult reads what WriteResult wrote back into a value equal to r
// when r's lists are in that order. WriteResult neither checks nor changes
// r.
func WriteResult(w io.Writer, r *Result) error {
	doc := wireResult{
		Version: r.Version,
		Run: wireRun{
			ID: r.Run.ID, Status: r.Run.Status, Considered: r.Run.Considered,
			Placed: r.Run.Placed, Failed: r.Run.Failed, Bumps: r.Run.Bumps,
			Bound: r.Run.Bound, Ranker: r.Run.Ranker, Fallbacks: r.Run.Fallbacks,
			ElapsedMS: r.Run.ElapsedMS,
		},
		Proposals: make([]wireProposal, 0, len(r.Proposals)),
		Failures:  make([]wireFailure, 0, len(r.Failures)),
	}
	for _, p := range sortedProposals(r.Proposals) {
		wp := wireProposal{Event: p.Event, Employee: p.Employee, At: p.At.String()}
		if p.Bumps != nil {
			wp.Bumps = &wirePosted{Event: p.Bumps.Event, Employee: p.Bumps.Employee, At: p.Bumps.At.String()}
		}
		doc.Proposals = append(doc.Proposals, wp)
	}
	for _, f := range sortedFailures(r.Failures) {
		doc.Failures = append(doc.Failures, wireFailure(f))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// sortedProposals returns a copy of ps in canonical order: by at, then
// event.
func sortedProposals(ps []Proposal) []Proposal {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b Proposal) int {
		if c := compareDateTime(a.At, b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Event, b.Event)
	})
	return out
}

// sortedFailures returns a copy of fs in canonical order: by event.
func sortedFailures(fs []Failure) []Failure {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b Failure) int { return cmp.Compare(a.Event, b.Event) })
	return out
}

func compareDateTime(a, b civil.DateTime) int {
	if c := cmp.Compare(a.Date, b.Date); c != 0 {
		return c
	}
	return cmp.Compare(a.Clock, b.Clock)
}

// The wire types of a result document, in the format's field order.
type (
	wireResult struct {
		Version   int            `json:"version"`
		Run       wireRun        `json:"run"`
		Proposals []wireProposal `json:"proposals"`
		Failures  []wireFailure  `json:"failures"`
	}
	wireRun struct {
		ID         int64           `json:"id"`
		Status     store.RunStatus `json:"status"`
		Considered int             `json:"considered"`
		Placed     int             `json:"placed"`
		Failed     int             `json:"failed"`
		Bumps      int             `json:"bumps"`
		Bound      *int            `json:"bound,omitempty"`
		Ranker     string          `json:"ranker"`
		Fallbacks  int             `json:"fallbacks"`
		ElapsedMS  int64           `json:"elapsed_ms"`
	}
	wireProposal struct {
		Event    int64       `json:"event"`
		Employee string      `json:"employee"`
		At       string      `json:"at"`
		Bumps    *wirePosted `json:"bumps,omitempty"`
	}
	wireFailure struct {
		Event  int64  `json:"event"`
		Reason string `json:"reason"`
	}
)

// ParseResult reads one result document and checks its shape as strictly as
// Parse checks a scenario: unknown and repeated fields, missing required
// fields, wrong types and bad values are all reported in one
// *ValidationError, each with its JSON path ("proposals[3].at"). The run
// record's fields are required except "bound"; "proposals", "failures" and
// a proposal's "bumps" may be absent or null. ParseResult keeps the
// document's order and does not check the result against a scenario (see
// package verify for that).
func ParseResult(data []byte) (*Result, error) {
	data = bytes.TrimPrefix(data, bom)
	root, err := parseJSON(data)
	if err != nil {
		var se *syntaxError
		if !errors.As(err, &se) {
			return nil, err
		}
		if se == errEmpty {
			return nil, &ValidationError{Problems: []Problem{{Message: "empty document"}}}
		}
		line, col := position(data, se.off)
		msg := fmt.Sprintf("line %d, column %d: %s", line, col, se.msg)
		return nil, &ValidationError{Problems: []Problem{{Message: msg}}}
	}
	var d decoder
	r := d.result(&root)
	if err := d.ps.err(); err != nil {
		return nil, err
	}
	return r, nil
}

var resultFields = []string{"version", "run", "proposals", "failures"}

func (d *decoder) result(n *node) *Result {
	r := &Result{}
	if n.kind != nodeObject {
		d.ps.add("", "the document must be an object, not %s", n.describe())
		return r
	}
	var root *path
	membs, _ := d.object(n, root, resultFields...)
	var hasVersion, hasRun bool
	for i := range membs {
		m := &membs[i]
		v, p := &m.val, root.key(m.name)
		switch m.name {
		case "version":
			hasVersion = true
			r.Version = d.version(v, p, ResultVersion)
		case "run":
			hasRun = true
			r.Run = d.runRecord(v, p)
		case "proposals":
			if elems, ok := d.optArray(v, p); ok {
				for j := range elems {
					r.Proposals = append(r.Proposals, d.proposal(&elems[j], p.at(j)))
				}
			}
		case "failures":
			if elems, ok := d.optArray(v, p); ok {
				for j := range elems {
					r.Failures = append(r.Failures, d.failure(&elems[j], p.at(j)))
				}
			}
		}
	}
	if !hasVersion {
		d.missing(root, "version")
	}
	if !hasRun {
		d.missing(root, "run")
	}
	return r
}

var runFields = []string{"id", "status", "considered", "placed", "failed", "bumps", "bound", "ranker", "fallbacks", "elapsed_ms"}

// maxCount bounds the run record's counts.
const maxCount = 1<<31 - 1

func (d *decoder) runRecord(n *node, p *path) RunRecord {
	var rr RunRecord
	membs, ok := d.object(n, p, runFields...)
	if !ok {
		return rr
	}
	count := func(v *node, fp *path, dst *int) {
		if x, ok := d.integer(v, fp, 0, maxCount); ok {
			*dst = int(x)
		}
	}
	seen := make(map[string]bool, len(runFields))
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		seen[m.name] = true
		switch m.name {
		case "id":
			rr.ID, _ = d.ref(v, fp)
		case "status":
			rr.Status, _ = enum(d, v, fp, "a run status", runStatuses)
		case "considered":
			count(v, fp, &rr.Considered)
		case "placed":
			count(v, fp, &rr.Placed)
		case "failed":
			count(v, fp, &rr.Failed)
		case "bumps":
			count(v, fp, &rr.Bumps)
		case "bound":
			if v.kind != nodeNull {
				var b int
				if x, ok := d.integer(v, fp, 0, maxCount); ok {
					b = int(x)
					rr.Bound = &b
				}
			}
		case "ranker":
			rr.Ranker, _ = d.name(v, fp)
		case "fallbacks":
			count(v, fp, &rr.Fallbacks)
		case "elapsed_ms":
			rr.ElapsedMS, _ = d.integer(v, fp, 0, maxRef)
		}
	}
	for _, name := range runFields {
		if name != "bound" && !seen[name] {
			d.missing(p, name)
		}
	}
	return rr
}

var proposalFields = []string{"event", "employee", "at", "bumps"}

func (d *decoder) proposal(n *node, p *path) Proposal {
	var pr Proposal
	membs, ok := d.object(n, p, proposalFields...)
	if !ok {
		return pr
	}
	var hasEvent, hasEmployee, hasAt bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "event":
			hasEvent = true
			pr.Event, _ = d.ref(v, fp)
		case "employee":
			hasEmployee = true
			pr.Employee, _ = d.name(v, fp)
		case "at":
			hasAt = true
			pr.At, _ = d.dateTime(v, fp)
		case "bumps":
			if v.kind != nodeNull {
				a := d.assignment(v, fp)
				pr.Bumps = &a
			}
		}
	}
	if !hasEvent {
		d.missing(p, "event")
	}
	if !hasEmployee {
		d.missing(p, "employee")
	}
	if !hasAt {
		d.missing(p, "at")
	}
	return pr
}

var failureFields = []string{"event", "reason"}

func (d *decoder) failure(n *node, p *path) Failure {
	var f Failure
	membs, ok := d.object(n, p, failureFields...)
	if !ok {
		return f
	}
	var hasEvent, hasReason bool
	for i := range membs {
		m := &membs[i]
		v, fp := &m.val, p.key(m.name)
		switch m.name {
		case "event":
			hasEvent = true
			f.Event, _ = d.ref(v, fp)
		case "reason":
			hasReason = true
			f.Reason, _ = d.name(v, fp)
		}
	}
	if !hasEvent {
		d.missing(p, "event")
	}
	if !hasReason {
		d.missing(p, "reason")
	}
	return f
}
