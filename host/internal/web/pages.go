package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// pageNames are the pages in ui/templates, each NAME.html defining
// "content" for layout.html.
var pageNames = []string{"login", "dashboard", "employees", "events", "error"}

// parsePages parses layout.html with each page once, and escapes each set
// right away: html/template escapes on first execution, and a template that
// cannot be escaped is as broken as one that does not parse.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	base, err := template.ParseFS(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	if base.Lookup("layout") == nil {
		return nil, errors.New(`parse templates: layout.html does not define "layout"`)
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		clone, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("parse template %s.html: %w", name, err)
		}
		t, err := clone.ParseFS(fsys, name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s.html: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf(`parse template %s.html: it does not define "content"`, name)
		}
		var escErr *template.Error
		if err := t.ExecuteTemplate(io.Discard, "layout", pageData{}); errors.As(err, &escErr) {
			return nil, fmt.Errorf("parse template %s.html: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// pageData is what every page template receives; Data is the page's own.
type pageData struct {
	Title     string
	Nav       string
	Banner    string
	User      *store.User
	CSRF      string
	RequestID string
	Data      any
}

// render executes a page into a buffer first, so that a failing template
// ends in the error page rather than half a page.
func (s *server) render(c *fiber.Ctx, status int, page string, d pageData) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("render: no page %q", page)
	}
	d.Banner = s.banner
	d.RequestID = requestID(c)
	if a := currentAuth(c); a != nil && d.User == nil {
		d.User = a.user
		if d.CSRF == "" {
			d.CSRF = a.session.CSRFToken
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("render %s page: %w", page, err)
	}
	h := &c.Response().Header
	h.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	h.Set(fiber.HeaderCacheControl, "no-store")
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	h.Set(fiber.HeaderXFrameOptions, "DENY")
	h.Set(fiber.HeaderReferrerPolicy, "same-origin")
	h.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	return c.Status(status).Send(buf.Bytes())
}

// errorData is the error page's data.
type errorData struct {
	Status     int
	StatusText string
	Message    string
	Fields     []store.FieldError
}

// renderErrorPage shows an error as a page.
func (s *server) renderErrorPage(c *fiber.Ctx, he *httpError) error {
	return s.render(c, he.status, "error", pageData{
		Title: http.StatusText(he.status),
		Data:  errorData{Status: he.status, StatusText: http.StatusText(he.status), Message: he.message, Fields: he.fields},
	})
}

// dashItem is one event on one day of the dashboard.
type dashItem struct {
	Ref        int64
	Name       string
	Type       store.EventType
	Employee   string
	Time       string
	Due        string
	Unassigned bool
	Status     string // the condition, for an event without a posted schedule that is not unstaffed
	start      civil.Clock
}

// dashDay is one day of the dashboard.
type dashDay struct {
	Date       string
	Weekday    string
	Today      bool
	Holiday    string
	Locked     string
	Items      []dashItem
	Unassigned int
}

// typeCount counts events of one type.
type typeCount struct {
	Type  store.EventType
	Count int
}

// dashboardData is the dashboard's data.
type dashboardData struct {
	Range            string
	Days             []dashDay
	Assigned         int
	Unassigned       int
	UnassignedByType []typeCount
}

// dashboardDays is how many days the dashboard shows, today first.
const dashboardDays = 7

// dashboard shows a store coordinator the next seven days: each day's
// events with who works them and when, or "unassigned" for an unstaffed
// event due that day, and how many events due this week are unassigned.
func (s *server) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	today := civil.DateOf(s.today())
	last := today.AddDays(dashboardDays - 1)
	week := store.DateRange{From: today, To: last}
	evs, err := s.store.ListEvents(ctx, store.EventFilter{From: today, To: last})
	if err != nil {
		return err
	}
	names, err := s.employeeNames(c)
	if err != nil {
		return err
	}
	holidays, err := s.store.ListHolidays(ctx, week)
	if err != nil {
		return err
	}
	locked, err := s.store.ListLockedDays(ctx, week)
	if err != nil {
		return err
	}
	d := dashboardData{Range: longDate(today) + " to " + longDate(last), Days: make([]dashDay, dashboardDays)}
	for i := range d.Days {
		day := today.AddDays(i)
		d.Days[i] = dashDay{Date: shortDate(day), Weekday: weekdayName(day), Today: i == 0}
	}
	for _, h := range holidays {
		d.Days[today.DaysUntil(h.Date)].Holiday = h.Name
	}
	for _, l := range locked {
		d.Days[today.DaysUntil(l.Date)].Locked = l.Reason
	}
	byType := map[store.EventType]int{}
	for _, e := range evs {
		it := dashItem{Ref: e.Ref, Name: e.Name, Type: e.Type, Due: shortDate(e.DueDate)}
		var on civil.Date
		switch {
		case e.Schedule != nil:
			on = e.Schedule.Date
			it.Employee = cmp.Or(names[e.Schedule.EmployeeID], e.Schedule.EmployeeID)
			it.Time = e.Schedule.StartMinute.String()
			it.start = e.Schedule.StartMinute
		case e.Condition == store.ConditionUnstaffed:
			on = e.DueDate
			it.Unassigned = true
		case e.Condition == store.ConditionCanceled || e.Condition == store.ConditionExpired:
			continue
		default:
			on = e.DueDate
			it.Status = string(e.Condition)
		}
		i := today.DaysUntil(on)
		if i < 0 || i >= dashboardDays {
			continue
		}
		if it.Unassigned {
			d.Unassigned++
			d.Days[i].Unassigned++
			byType[e.Type]++
		} else if e.Schedule != nil {
			d.Assigned++
		}
		d.Days[i].Items = append(d.Days[i].Items, it)
	}
	for i := range d.Days {
		slices.SortStableFunc(d.Days[i].Items, func(a, b dashItem) int {
			if a.Unassigned != b.Unassigned {
				if a.Unassigned {
					return 1
				}
				return -1
			}
			return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(typeOrder(a.Type), typeOrder(b.Type)), cmp.Compare(a.Ref, b.Ref))
		})
	}
	for _, t := range store.EventTypes {
		if n := byType[t]; n > 0 {
			d.UnassignedByType = append(d.UnassignedByType, typeCount{Type: t, Count: n})
		}
	}
	return s.render(c, http.StatusOK, "dashboard", pageData{Title: "Dashboard", Nav: "dashboard", Data: d})
}

// employeeNames maps employee ids to names.
func (s *server) employeeNames(c *fiber.Ctx) (map[string]string, error) {
	emps, err := s.store.ListEmployees(c.UserContext(), store.EmployeeFilter{})
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(emps))
	for _, e := range emps {
		names[e.ID] = e.Name
	}
	return names, nil
}

// typeOrder is a type's place in store.EventTypes.
func typeOrder(t store.EventType) int { return slices.Index(store.EventTypes, t) }

// dayPill is one day of a weekly pattern on the employees page.
type dayPill struct {
	Label string
	On    bool
}

// employeeRow is one row of the employees page.
type employeeRow struct {
	ID         string
	Name       string
	Role       string
	Active     bool
	Terminated string
	Week       []dayPill
	TimeOff    []string
}

// employeesData is the employees page's data.
type employeesData struct {
	Rows   []employeeRow
	Active int
}

// employeesPage lists every employee with their weekly pattern and
// upcoming time off.
func (s *server) employeesPage(c *fiber.Ctx) error {
	emps, err := s.store.ListEmployees(c.UserContext(), store.EmployeeFilter{})
	if err != nil {
		return err
	}
	today := civil.DateOf(s.today())
	d := employeesData{Rows: make([]employeeRow, 0, len(emps))}
	for _, e := range emps {
		r := employeeRow{ID: e.ID, Name: e.Name, Role: roleLabel(e.Role), Active: e.Active}
		if e.TerminatedOn != nil {
			r.Terminated = longDate(*e.TerminatedOn)
		}
		if e.Active {
			d.Active++
		}
		off := map[time.Weekday]bool{}
		for _, w := range e.Weekly {
			off[w.Weekday] = !w.Available
		}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			r.Week = append(r.Week, dayPill{Label: wd.String()[:2], On: !off[wd]})
		}
		for _, t := range e.TimeOff {
			if t.EndDate.Before(today) {
				continue
			}
			span := shortDate(t.StartDate)
			if t.EndDate != t.StartDate {
				span += " – " + shortDate(t.EndDate)
			}
			if t.Reason != "" {
				span += " (" + t.Reason + ")"
			}
			r.TimeOff = append(r.TimeOff, span)
		}
		d.Rows = append(d.Rows, r)
	}
	return s.render(c, http.StatusOK, "employees", pageData{Title: "Employees", Nav: "employees", Data: d})
}

// eventRow is one row of the events page.
type eventRow struct {
	Ref        int64
	Name       string
	Type       store.EventType
	Kind       store.EventKind
	Window     string
	Duration   int
	Condition  store.Condition
	Employee   string
	At         string
	Unassigned bool
	// Schedulable: unstaffed, unposted, and the user may start a run.
	Schedulable bool
}

// eventsData is the events page's data.
type eventsData struct {
	From, To  string
	Rows      []eventRow
	Truncated bool
	Limit     int
	// Notice says what the last auto-schedule of one event proposed.
	Notice string
}

// Events page defaults: two weeks from today, at most 1,000 rows.
const (
	eventsPageDays  = 14
	eventsPageLimit = 1000
)

// eventsPage lists the events whose window overlaps from..to (two weeks
// from today by default) with their assignments.
func (s *server) eventsPage(c *fiber.Ctx) error {
	r, err := queryRange(c, maxRangeDays)
	if err != nil {
		return err
	}
	switch {
	case r.From.IsZero() && r.To.IsZero():
		r.From = civil.DateOf(s.today())
		r.To = r.From.AddDays(eventsPageDays - 1)
	case r.To.IsZero():
		r.To = r.From.AddDays(eventsPageDays - 1)
	case r.From.IsZero():
		r.From = r.To.AddDays(-(eventsPageDays - 1))
	}
	evs, err := s.store.ListEvents(c.UserContext(), store.EventFilter{From: r.From, To: r.To, Limit: eventsPageLimit + 1})
	if err != nil {
		return err
	}
	names, err := s.employeeNames(c)
	if err != nil {
		return err
	}
	d := eventsData{From: r.From.String(), To: r.To.String(), Limit: eventsPageLimit}
	if d.Notice, err = s.scheduleNotice(c); err != nil {
		return err
	}
	a := currentAuth(c)
	canSchedule := s.runs != nil && a != nil && (a.user.Role == store.UserAdmin || a.user.Role == store.UserScheduler)
	if len(evs) > eventsPageLimit {
		evs, d.Truncated = evs[:eventsPageLimit], true
	}
	d.Rows = make([]eventRow, len(evs))
	for i, e := range evs {
		row := eventRow{
			Ref: e.Ref, Name: e.Name, Type: e.Type, Kind: e.Kind, Duration: e.DurationMin, Condition: e.Condition,
			Window: shortDate(e.StartDate) + " – " + shortDate(e.DueDate),
		}
		if e.Schedule != nil {
			row.Employee = cmp.Or(names[e.Schedule.EmployeeID], e.Schedule.EmployeeID)
			row.At = weekdayName(e.Schedule.Date)[:3] + " " + shortDate(e.Schedule.Date) + ", " + e.Schedule.StartMinute.String()
		} else {
			row.Unassigned = true
			row.Schedulable = canSchedule && e.Condition == store.ConditionUnstaffed
		}
		d.Rows[i] = row
	}
	return s.render(c, http.StatusOK, "events", pageData{Title: "Events", Nav: "events", Data: d})
}

// roleLabel names a role for people.
func roleLabel(r store.Role) string {
	switch r {
	case store.RoleClubSupervisor:
		return "Club supervisor"
	case store.RoleLead:
		return "Lead event specialist"
	case store.RoleSpecialist:
		return "Event specialist"
	case store.RoleJuicer:
		return "Juicer barista"
	}
	return strings.ReplaceAll(string(r), "_", " ")
}

func weekdayName(d civil.Date) string { return d.Weekday().String() }
func shortDate(d civil.Date) string   { return d.Time(time.UTC).Format("Jan 2") }
func longDate(d civil.Date) string    { return d.Time(time.UTC).Format("Mon, Jan 2, 2006") }

// scheduleEventPage answers the events page's "Auto-schedule" button:
// POST /events/:ref/schedule runs the scheduler for that one event and
// goes back to the events page, which says what the run proposed.
func (s *server) scheduleEventPage(c *fiber.Ctx) error {
	a := currentAuth(c)
	if !a.session.CheckCSRF(c.FormValue(csrfField)) {
		return forbidden("The form is missing its security token. Reload the page and try again.")
	}
	if a.user.Role != store.UserAdmin && a.user.Role != store.UserScheduler {
		return forbidden("a " + string(a.user.Role) + " may read but not change data")
	}
	ref, err := pathID(c, "ref", "an event ref")
	if err != nil {
		return err
	}
	rv, err := s.review()
	if err != nil {
		return err
	}
	rec, _, _, err := rv.ScheduleOne(c.UserContext(), a.actor(), ref)
	if err != nil {
		return s.reviewError(err)
	}
	back := url.Values{"run": {strconv.FormatInt(rec.ID, 10)}, "event": {strconv.FormatInt(ref, 10)}}
	for _, k := range []string{"from", "to"} {
		if v := c.FormValue(k); v != "" {
			back.Set(k, v)
		}
	}
	return c.Redirect("/events?"+back.Encode(), http.StatusSeeOther)
}

// scheduleNotice is the events page's notice after an auto-schedule
// (?run=ID&event=REF): what the run proposed for the event, or why it
// could not. It reads the run, so a link cannot make it say anything else.
func (s *server) scheduleNotice(c *fiber.Ctx) (string, error) {
	runID, err1 := strconv.ParseInt(c.Query("run"), 10, 64)
	ref, err2 := strconv.ParseInt(c.Query("event"), 10, 64)
	if err1 != nil || err2 != nil || runID <= 0 || ref <= 0 {
		return "", nil
	}
	ctx := c.UserContext()
	ps, err := s.store.ListProposals(ctx, runID)
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if p.EventRef == ref {
			names, err := s.employeeNames(c)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Run %d proposes event %d for %s on %s at %s: review and approve it under the run.",
				runID, ref, cmp.Or(names[p.EmployeeID], p.EmployeeID), p.Date, p.StartMinute), nil
		}
	}
	fs, err := s.store.ListRunFailures(ctx, runID)
	if err != nil {
		return "", err
	}
	for _, f := range fs {
		if f.EventRef == ref {
			return fmt.Sprintf("Run %d could not place event %d: %s", runID, ref, f.Reason), nil
		}
	}
	return "", nil
}
