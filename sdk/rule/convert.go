package rule

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/crewplan/crewplan/sdk/civil"
	rulev1 "github.com/crewplan/crewplan/sdk/proto/crewplan/rule/v1"
)

// ErrBadReply is wrapped by the errors about a plugin reply that breaks the
// protocol: the host never trusts a plugin's reply.
var ErrBadReply = errors.New("bad reply")

// ErrBadBatch is wrapped by the errors about a batch that breaks the
// protocol (a plugin's server refuses it).
var ErrBadBatch = errors.New("bad batch")

// ValidateVerdicts checks a rule's answer to a batch of n candidates: one
// verdict per candidate, and every violation with a rule id, a known
// severity, a message and a known reach. The server checks a rule's answer with it before
// sending it, and the client checks what it receives; a host that runs a
// rule in-process should do the same.
func ValidateVerdicts(vs []Verdict, n int) error {
	if len(vs) != n {
		return fmt.Errorf("%d verdicts for %d candidates", len(vs), n)
	}
	for i, v := range vs {
		for j, x := range v.Violations {
			if err := validViolation(x.Rule, x.Severity, x.Message, x.Reach); err != nil {
				return fmt.Errorf("candidate %d violation %d: %w", i, j, err)
			}
		}
	}
	return nil
}

func validViolation(rule string, sev Severity, msg string, reach Reach) error {
	switch {
	case rule == "":
		return errors.New("empty rule id")
	case sev != Hard && sev != Soft:
		return fmt.Errorf("rule %q: unknown severity %d", rule, int(sev))
	case msg == "":
		return fmt.Errorf("rule %q: empty message", rule)
	case reach != ReachCandidate && reach != ReachEventType && reach != ReachDay:
		return fmt.Errorf("rule %q: unknown reach %d (want rule.ReachCandidate, ReachEventType or ReachDay)", rule, int(reach))
	}
	return nil
}

// encodeVerdicts returns the wire form of verdicts already validated. The
// reach column is left out when every violation reaches its candidate
// only, as from a plugin built before reaches: most replies carry none.
func encodeVerdicts(vs []Verdict) *rulev1.CheckResponse {
	n := 0
	reaching := false
	for _, v := range vs {
		n += len(v.Violations)
		for _, x := range v.Violations {
			reaching = reaching || x.Reach != ReachCandidate
		}
	}
	resp := &rulev1.CheckResponse{Count: int32(len(vs))}
	if n == 0 {
		return resp
	}
	resp.Candidate = make([]int32, 0, n)
	resp.Rule = make([]int32, 0, n)
	resp.Severity = make([]rulev1.Severity, 0, n)
	resp.MessageLength = make([]int32, 0, n)
	if reaching {
		resp.Reach = make([]rulev1.Reach, 0, n)
	}
	size := 0
	for _, v := range vs {
		for _, x := range v.Violations {
			size += len(x.Message)
		}
	}
	resp.Messages = make([]byte, 0, size)
	// A rule plugin names a handful of rules: a linear search of the
	// table beats a map.
	ruleIndex := func(id string) int32 {
		for i, r := range resp.Rules {
			if r == id {
				return int32(i)
			}
		}
		resp.Rules = append(resp.Rules, id)
		return int32(len(resp.Rules) - 1)
	}
	for i, v := range vs {
		for _, x := range v.Violations {
			resp.Candidate = append(resp.Candidate, int32(i))
			resp.Rule = append(resp.Rule, ruleIndex(x.Rule))
			resp.Severity = append(resp.Severity, encodeSeverity(x.Severity))
			resp.Messages = append(resp.Messages, x.Message...)
			resp.MessageLength = append(resp.MessageLength, int32(len(x.Message)))
			if reaching {
				resp.Reach = append(resp.Reach, encodeReach(x.Reach))
			}
		}
	}
	return resp
}

func encodeSeverity(s Severity) rulev1.Severity {
	switch s {
	case Hard:
		return rulev1.Severity_SEVERITY_HARD
	case Soft:
		return rulev1.Severity_SEVERITY_SOFT
	}
	return rulev1.Severity_SEVERITY_UNSPECIFIED
}

// encodeReach returns the wire form of a valid reach; REACH_UNSPECIFIED is
// ReachCandidate.
func encodeReach(r Reach) rulev1.Reach {
	switch r {
	case ReachEventType:
		return rulev1.Reach_REACH_EVENT_TYPE
	case ReachDay:
		return rulev1.Reach_REACH_DAY
	}
	return rulev1.Reach_REACH_UNSPECIFIED
}

// decodeReach returns the reach of a wire value, false for an unknown one.
func decodeReach(r rulev1.Reach) (Reach, bool) {
	switch r {
	case rulev1.Reach_REACH_UNSPECIFIED:
		return ReachCandidate, true
	case rulev1.Reach_REACH_EVENT_TYPE:
		return ReachEventType, true
	case rulev1.Reach_REACH_DAY:
		return ReachDay, true
	}
	return 0, false
}

// decodeVerdicts turns a plugin's reply to a batch of n candidates into
// verdicts, refusing anything that breaks the protocol. A reply without a
// reach column (a plugin built before reaches, or one whose violations
// all reach their candidate only) gives every violation ReachCandidate. The violations of
// all candidates share one backing array; each verdict's slice is capped,
// so appending to one never writes into another's.
func decodeVerdicts(resp *rulev1.CheckResponse, n int) ([]Verdict, error) {
	if resp == nil {
		return nil, fmt.Errorf("%w: no response", ErrBadReply)
	}
	if int(resp.GetCount()) != n {
		return nil, fmt.Errorf("%w: %d verdicts for %d candidates", ErrBadReply, resp.GetCount(), n)
	}
	cands, rules, sevs, lens, reaches := resp.GetCandidate(), resp.GetRule(), resp.GetSeverity(), resp.GetMessageLength(), resp.GetReach()
	m := len(cands)
	if len(rules) != m || len(sevs) != m || len(lens) != m {
		return nil, fmt.Errorf("%w: violation columns of different lengths: %d candidates, %d rules, %d severities, %d message lengths",
			ErrBadReply, m, len(rules), len(sevs), len(lens))
	}
	if len(reaches) != 0 && len(reaches) != m {
		return nil, fmt.Errorf("%w: %d reaches for %d violations (the reach column has one per violation, or none)",
			ErrBadReply, len(reaches), m)
	}
	// One string holds every message; each violation's message is a
	// substring of it, sharing its bytes.
	text := string(resp.GetMessages())
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: messages are not valid UTF-8", ErrBadReply)
	}
	total := 0
	for j, l := range lens {
		if l <= 0 {
			return nil, fmt.Errorf("%w: violation %d (candidate %d): empty message", ErrBadReply, j, cands[j])
		}
		total += int(l)
		if total > len(text) {
			return nil, fmt.Errorf("%w: violation %d (candidate %d): message lengths run past the %d bytes of messages", ErrBadReply, j, cands[j], len(text))
		}
	}
	if total != len(text) {
		return nil, fmt.Errorf("%w: message lengths add up to %d bytes, messages have %d", ErrBadReply, total, len(text))
	}
	table := resp.GetRules()
	for i, id := range table {
		if id == "" {
			return nil, fmt.Errorf("%w: rule table entry %d: empty rule id", ErrBadReply, i)
		}
	}
	vs := make([]Verdict, n)
	if m == 0 {
		return vs, nil
	}
	// First pass: check each violation and count those of each candidate.
	count := make([]int32, n)
	for j := range m {
		c := int(cands[j])
		if c < 0 || c >= n {
			return nil, fmt.Errorf("%w: violation %d: candidate %d out of range 0 to %d", ErrBadReply, j, c, n-1)
		}
		r := int(rules[j])
		if r < 0 || r >= len(table) {
			return nil, fmt.Errorf("%w: violation %d (candidate %d): rule %d not in the reply's table of %d", ErrBadReply, j, c, r, len(table))
		}
		switch sevs[j] {
		case rulev1.Severity_SEVERITY_HARD, rulev1.Severity_SEVERITY_SOFT:
		default:
			return nil, fmt.Errorf("%w: violation %d (candidate %d, rule %q): unknown severity %d",
				ErrBadReply, j, c, table[r], int32(sevs[j]))
		}
		if _, ok := decodeReach(at(reaches, j)); !ok {
			return nil, fmt.Errorf("%w: violation %d (candidate %d, rule %q): unknown reach %d",
				ErrBadReply, j, c, table[r], int32(reaches[j]))
		}
		count[c]++
	}
	// Second pass: lay the violations out candidate by candidate, in the
	// order they came.
	all := make([]Violation, m)
	start := int32(0)
	for c, k := range count {
		if k > 0 {
			vs[c].Violations = all[start : start : start+k]
		}
		start += k
	}
	off := 0
	for j := range m {
		c := cands[j]
		sev := Hard
		if sevs[j] == rulev1.Severity_SEVERITY_SOFT {
			sev = Soft
		}
		reach, _ := decodeReach(at(reaches, j)) // checked in the first pass
		msg := text[off : off+int(lens[j])]
		off += int(lens[j])
		vs[c].Violations = append(vs[c].Violations, Violation{Rule: table[rules[j]], Severity: sev, Message: msg, Reach: reach})
	}
	return vs, nil
}

// encodeBatch returns the wire form of b, without its context (events,
// employees, holidays, locked days) when omitContext is set.
func encodeBatch(b *Batch, omitContext bool) *rulev1.Batch {
	strs := make([]string, 0, len(b.Employees))
	ids := make(map[string]int32, len(b.Employees))
	str := func(s string) int32 {
		i, ok := ids[s]
		if !ok {
			i = int32(len(strs))
			ids[s] = i
			strs = append(strs, s)
		}
		return i
	}
	// The employees' ids first, in their order, so that the table's
	// indexes are stable from batch to batch of a run.
	for i := range b.Employees {
		str(b.Employees[i].ID)
	}

	pb := &rulev1.Batch{
		NowDate:        int32(b.Now.Date),
		NowClock:       int32(b.Now.Clock),
		Mode:           encodeMode(b.Mode),
		Settings:       encodeSettings(b.Settings),
		ContextKey:     b.ContextKey,
		ContextOmitted: omitContext,
	}
	if !omitContext {
		encodeContext(b, pb)
	}

	n := len(b.Candidates)
	c := &rulev1.Candidates{
		Count:    int32(n),
		Event:    make([]int64, n),
		Employee: make([]int32, n),
		Date:     make([]int32, n),
		Start:    make([]int32, n),
		Replaces: make([]int64, n),
	}
	for i := range b.Candidates {
		x := &b.Candidates[i]
		c.Event[i] = x.Event
		c.Employee[i] = str(x.Employee)
		c.Date[i] = int32(x.Date)
		c.Start[i] = int32(x.Start)
		c.Replaces[i] = x.Replaces
	}
	c.Event = zeroEmpty(c.Event)
	c.Employee = zeroEmpty(c.Employee)
	c.Start = zeroEmpty(c.Start)
	c.Replaces = zeroEmpty(c.Replaces)
	pb.Candidates = c

	n = len(b.Assignments)
	a := &rulev1.Assignments{
		Count:    int32(n),
		Event:    make([]int64, n),
		Employee: make([]int32, n),
		Date:     make([]int32, n),
		Start:    make([]int32, n),
		Proposed: make([]bool, n),
	}
	for i := range b.Assignments {
		x := &b.Assignments[i]
		a.Event[i] = x.Event
		a.Employee[i] = str(x.Employee)
		a.Date[i] = int32(x.Date)
		a.Start[i] = int32(x.Start)
		a.Proposed[i] = x.Proposed
	}
	a.Event = zeroEmpty(a.Event)
	a.Employee = zeroEmpty(a.Employee)
	a.Start = zeroEmpty(a.Start)
	a.Proposed = zeroEmpty(a.Proposed)
	pb.Assignments = a

	pb.Strings = strs
	return pb
}

// encodeContext adds b's context to pb.
func encodeContext(b *Batch, pb *rulev1.Batch) {
	pb.Holidays = dates(b.Holidays)
	pb.LockedDays = dates(b.LockedDays)
	if len(b.Events) > 0 {
		pb.Events = make([]*rulev1.Event, len(b.Events))
		evs := make([]rulev1.Event, len(b.Events))
		for i := range b.Events {
			e := &b.Events[i]
			evs[i] = rulev1.Event{
				Ref:         e.Ref,
				Name:        e.Name,
				Type:        string(e.Type),
				Kind:        e.Kind,
				Start:       int32(e.Start),
				Due:         int32(e.Due),
				DurationMin: int32(e.DurationMin),
				ParentRef:   e.ParentRef,
			}
			pb.Events[i] = &evs[i]
		}
	}
	if len(b.Employees) > 0 {
		pb.Employees = make([]*rulev1.Employee, len(b.Employees))
		for i := range b.Employees {
			pb.Employees[i] = encodeEmployee(&b.Employees[i])
		}
	}
}

func encodeMode(m Mode) rulev1.Mode {
	switch m {
	case ModeAutomatic:
		return rulev1.Mode_MODE_AUTOMATIC
	case ModeManual:
		return rulev1.Mode_MODE_MANUAL
	case ModeVerify:
		return rulev1.Mode_MODE_VERIFY
	}
	return rulev1.Mode_MODE_UNSPECIFIED
}

func encodeSettings(s Settings) *rulev1.Settings {
	pb := &rulev1.Settings{MaxWorkDaysPerWeek: int32(s.MaxWorkDaysPerWeek)}
	if len(s.EarliestOffsetDays) > 0 {
		pb.EarliestOffsetDays = make(map[string]int32, len(s.EarliestOffsetDays))
		for k, v := range s.EarliestOffsetDays {
			pb.EarliestOffsetDays[k] = int32(v)
		}
	}
	return pb
}

func encodeEmployee(e *Employee) *rulev1.Employee {
	pb := &rulev1.Employee{
		Id:           e.ID,
		Name:         e.Name,
		Role:         string(e.Role),
		Active:       e.Active,
		TerminatedOn: int32(e.TerminatedOn),
		Unavailable:  dates(e.Unavailable),
		Overrides:    dates(e.Overrides),
		Attributes:   e.Attributes,
	}
	if e.Weekly != nil {
		var m uint32
		for d, on := range e.Weekly {
			if on {
				m |= 1 << d
			}
		}
		pb.Weekly = &m
	}
	if len(e.TimeOff) > 0 {
		pb.TimeOff = make([]*rulev1.DateRange, len(e.TimeOff))
		for i, r := range e.TimeOff {
			pb.TimeOff[i] = &rulev1.DateRange{Start: int32(r.Start), End: int32(r.End), Reason: r.Reason}
		}
	}
	return pb
}

func dates(ds []civil.Date) []int32 {
	if len(ds) == 0 {
		return nil
	}
	out := make([]int32, len(ds))
	for i, d := range ds {
		out[i] = int32(d)
	}
	return out
}

// zeroEmpty returns nil for a column of zero values: the wire form leaves
// it out.
func zeroEmpty[T comparable](col []T) []T {
	var zero T
	for _, v := range col {
		if v != zero {
			return col
		}
	}
	return nil
}

// errUnknownContext is decodeBatch's error for a batch whose context was
// left out and is not kept: the host sends it again in full.
var errUnknownContext = errors.New("unknown batch context")

// decodeBatch turns the wire form of a batch into a Batch, refusing
// anything that breaks the protocol. It takes a context left out of pb
// from kept and adds the context of a full pb with a key to kept; kept
// may be nil.
func decodeBatch(pb *rulev1.Batch, kept *contextCache) (*Batch, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: no batch", ErrBadBatch)
	}
	b := &Batch{
		Now:        civil.DateTime{Date: civil.Date(pb.GetNowDate())},
		ContextKey: pb.GetContextKey(),
	}
	if pb.GetContextOmitted() {
		switch {
		case b.ContextKey == 0:
			return nil, fmt.Errorf("%w: context left out without a key", ErrBadBatch)
		case len(pb.GetEvents()) > 0 || len(pb.GetEmployees()) > 0 || len(pb.GetHolidays()) > 0 || len(pb.GetLockedDays()) > 0:
			return nil, fmt.Errorf("%w: context both left out and sent", ErrBadBatch)
		}
		c, ok := kept.get(b.ContextKey)
		if !ok {
			return nil, fmt.Errorf("%w: %w %d", ErrBadBatch, errUnknownContext, b.ContextKey)
		}
		b.SetContext(c)
	} else {
		c, err := decodeContext(pb)
		if err != nil {
			return nil, err
		}
		b.SetContext(c)
		if b.ContextKey != 0 {
			kept.put(b.ContextKey, c)
		}
	}
	var err error
	if b.Now.Clock, err = clock(pb.GetNowClock()); err != nil {
		return nil, fmt.Errorf("%w: now: %w", ErrBadBatch, err)
	}
	switch pb.GetMode() {
	case rulev1.Mode_MODE_AUTOMATIC:
		b.Mode = ModeAutomatic
	case rulev1.Mode_MODE_MANUAL:
		b.Mode = ModeManual
	case rulev1.Mode_MODE_VERIFY:
		b.Mode = ModeVerify
	default:
		return nil, fmt.Errorf("%w: unknown mode %d", ErrBadBatch, int32(pb.GetMode()))
	}
	if s := pb.GetSettings(); s != nil {
		b.Settings.MaxWorkDaysPerWeek = int(s.GetMaxWorkDaysPerWeek())
		if len(s.GetEarliestOffsetDays()) > 0 {
			b.Settings.EarliestOffsetDays = make(map[string]int, len(s.GetEarliestOffsetDays()))
			for k, v := range s.GetEarliestOffsetDays() {
				b.Settings.EarliestOffsetDays[k] = int(v)
			}
		}
	}
	strs := pb.GetStrings()
	str := func(what string, i int, idx []int32) (string, error) {
		if len(idx) == 0 {
			if len(strs) == 0 {
				return "", fmt.Errorf("%w: %s %d: employee index 0 with an empty string table", ErrBadBatch, what, i)
			}
			return strs[0], nil
		}
		x := idx[i]
		if x < 0 || int(x) >= len(strs) {
			return "", fmt.Errorf("%w: %s %d: employee index %d out of range 0 to %d", ErrBadBatch, what, i, x, len(strs)-1)
		}
		return strs[x], nil
	}

	if c := pb.GetCandidates(); c != nil {
		n := int(c.GetCount())
		if err := columns("candidates", n, len(c.GetDate()), len(c.GetEvent()), len(c.GetEmployee()), len(c.GetStart()), len(c.GetReplaces())); err != nil {
			return nil, err
		}
		b.Candidates = make([]Candidate, n)
		for i := range b.Candidates {
			x := &b.Candidates[i]
			x.Event = at(c.GetEvent(), i)
			if x.Employee, err = str("candidate", i, c.GetEmployee()); err != nil {
				return nil, err
			}
			x.Date = civil.Date(at(c.GetDate(), i))
			if x.Start, err = clock(at(c.GetStart(), i)); err != nil {
				return nil, fmt.Errorf("%w: candidate %d: %w", ErrBadBatch, i, err)
			}
			x.Replaces = at(c.GetReplaces(), i)
		}
	}
	if a := pb.GetAssignments(); a != nil {
		n := int(a.GetCount())
		if err := columns("assignments", n, len(a.GetDate()), len(a.GetEvent()), len(a.GetEmployee()), len(a.GetStart()), len(a.GetProposed())); err != nil {
			return nil, err
		}
		if n > 0 {
			b.Assignments = make([]Assignment, n)
		}
		for i := range b.Assignments {
			x := &b.Assignments[i]
			x.Event = at(a.GetEvent(), i)
			if x.Employee, err = str("assignment", i, a.GetEmployee()); err != nil {
				return nil, err
			}
			x.Date = civil.Date(at(a.GetDate(), i))
			if x.Start, err = clock(at(a.GetStart(), i)); err != nil {
				return nil, fmt.Errorf("%w: assignment %d: %w", ErrBadBatch, i, err)
			}
			x.Proposed = at(a.GetProposed(), i)
		}
	}
	return b, nil
}

// decodeContext decodes the context of a full batch.
func decodeContext(pb *rulev1.Batch) (*Context, error) {
	b := &Context{}
	if len(pb.GetEvents()) > 0 {
		b.events = make([]Event, len(pb.GetEvents()))
		for i, e := range pb.GetEvents() {
			b.events[i] = Event{
				Ref:         e.GetRef(),
				Name:        e.GetName(),
				Type:        EventType(e.GetType()),
				Kind:        e.GetKind(),
				Start:       civil.Date(e.GetStart()),
				Due:         civil.Date(e.GetDue()),
				DurationMin: int(e.GetDurationMin()),
				ParentRef:   e.GetParentRef(),
			}
		}
	}
	if len(pb.GetEmployees()) > 0 {
		b.employees = make([]Employee, len(pb.GetEmployees()))
		for i, e := range pb.GetEmployees() {
			if err := decodeEmployee(e, &b.employees[i]); err != nil {
				return nil, fmt.Errorf("%w: employee %d: %w", ErrBadBatch, i, err)
			}
		}
	}
	b.holidays = civilDates(pb.GetHolidays())
	b.locked = civilDates(pb.GetLockedDays())
	return b, nil
}

func decodeEmployee(pb *rulev1.Employee, e *Employee) error {
	*e = Employee{
		ID:           pb.GetId(),
		Name:         pb.GetName(),
		Role:         Role(pb.GetRole()),
		Active:       pb.GetActive(),
		TerminatedOn: civil.Date(pb.GetTerminatedOn()),
		Unavailable:  civilDates(pb.GetUnavailable()),
		Overrides:    civilDates(pb.GetOverrides()),
	}
	if pb.Weekly != nil {
		m := pb.GetWeekly()
		if m >= 1<<7 {
			return fmt.Errorf("weekly pattern %#x has bits beyond the 7 weekdays", m)
		}
		var w [7]bool
		for d := range w {
			w[d] = m&(1<<d) != 0
		}
		e.Weekly = &w
	}
	if len(pb.GetTimeOff()) > 0 {
		e.TimeOff = make([]DateRange, len(pb.GetTimeOff()))
		for i, r := range pb.GetTimeOff() {
			e.TimeOff[i] = DateRange{Start: civil.Date(r.GetStart()), End: civil.Date(r.GetEnd()), Reason: r.GetReason()}
		}
	}
	if len(pb.GetAttributes()) > 0 {
		e.Attributes = pb.GetAttributes()
	}
	return nil
}

// columns checks that the date column of a table of n rows has n values
// (so that a small message cannot claim a huge table) and each other
// column n values or none.
func columns(what string, n, dates int, lens ...int) error {
	if n < 0 {
		return fmt.Errorf("%w: %s: negative count %d", ErrBadBatch, what, n)
	}
	if dates != n {
		return fmt.Errorf("%w: %s: %d dates for %d rows", ErrBadBatch, what, dates, n)
	}
	for _, l := range lens {
		if l != 0 && l != n {
			return fmt.Errorf("%w: %s: a column has %d values for %d rows", ErrBadBatch, what, l, n)
		}
	}
	return nil
}

// at returns col[i], or the zero value for a column left out.
func at[T any](col []T, i int) T {
	if len(col) == 0 {
		var zero T
		return zero
	}
	return col[i]
}

func clock(m int32) (civil.Clock, error) {
	if m < 0 || m >= 24*60 {
		return 0, fmt.Errorf("time of day %d is not 0 to 1439 minutes", m)
	}
	return civil.Clock(m), nil
}

func civilDates(ds []int32) []civil.Date {
	if len(ds) == 0 {
		return nil
	}
	out := make([]civil.Date, len(ds))
	for i, d := range ds {
		out[i] = civil.Date(d)
	}
	return out
}
