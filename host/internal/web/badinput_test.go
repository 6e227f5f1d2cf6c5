package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// TestBadInput sends requests that must fail and checks the status, the
// field the message names, and that nothing changed.
func TestBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seed(t, st)
		posted := post(t, st, coreRef, "2026-03-04")
		lock(t, st, "2026-03-04")
		lock(t, st, "2026-03-07")
		e := newEnv(t, st)
		schedule := "/api/schedules/" + strconv.FormatInt(posted.ID, 10)
		const event = `"name":"612200-CF-Pears - V2-CORE","start":"2026-03-03","due":"2026-03-10"`
		const settings = `{"time_slots":{"core":["09:45"],"supervisor":"12:00","juicer_production":"09:00","juicer_survey":"17:00",
			"freeosk":"10:00","digital_setup":["10:15"],"digital_teardown":["18:00"],"other":"11:00"},
			"scheduler":{"earliest_offset_days":{"default":3},"max_work_days_per_week":6,"bump_protect_days":2,"max_bumps_per_event":3}}`

		for _, c := range []struct {
			name         string
			method, path string
			body         string
			contentType  string // default application/json when body is set
			status       int
			field        string // the first field named, "" for none
			msg          string // a part of the error message
		}{
			// The JSON itself.
			{name: "malformed JSON", method: "POST", path: "/api/events", body: `{"ref": 612200,`, status: 400, field: "body", msg: "malformed JSON"},
			{name: "syntax error position", method: "POST", path: "/api/events", body: "{\"ref\": 612200\n \"name\": \"x\"}", status: 400, field: "body", msg: "line 2, column 2"},
			{name: "wrong type: ref as string", method: "POST", path: "/api/events", body: `{"ref":"612200",` + event + `}`, status: 400, field: "body.ref", msg: "body.ref: expected an integer, got a string"},
			{name: "wrong type: fraction", method: "POST", path: "/api/events", body: `{"ref":612200.5,` + event + `}`, status: 400, field: "body.ref", msg: "the number 612200.5"},
			{name: "wrong type: nested", method: "POST", path: "/api/employees", body: `{"id":"E09","name":"N","role":"lead","time_off":"2026-03-05"}`, status: 400, field: "body.time_off", msg: "expected an array"},
			{name: "unknown field", method: "POST", path: "/api/events", body: `{"ref":612200,` + event + `,"duraton":30}`, status: 400, field: "body", msg: `body: unknown field "duraton"`},
			{name: "unknown settings field", method: "PUT", path: "/api/settings", body: strings.Replace(settings, `"other"`, `"othr"`, 1), status: 400, field: "body", msg: `unknown field "othr"`},
			{name: "trailing data", method: "POST", path: "/api/events", body: `{"ref":612200,` + event + `} {}`, status: 400, field: "body", msg: "after the JSON object"},
			{name: "not an object", method: "POST", path: "/api/events", body: `[1,2]`, status: 400, field: "body", msg: "must be a JSON object"},
			{name: "empty body", method: "POST", path: "/api/events", body: " ", status: 400, field: "body", msg: "is empty"},
			{name: "wrong content type", method: "POST", path: "/api/events", body: `{"ref":612200,` + event + `}`, contentType: "text/plain", status: 415, msg: "application/json"},
			{name: "read-only schedule", method: "PUT", path: "/api/events/612103", body: `{` + event + `,"schedule":{"employee":"E02"}}`, status: 422, field: "body.schedule", msg: "read-only"},

			// Dates.
			{name: "impossible date", method: "POST", path: "/api/events", body: `{"ref":612200,"name":"x CORE","start":"2026-02-30","due":"2026-03-10"}`, status: 400, field: "body.start", msg: `body.start: "2026-02-30" is not a date`},
			{name: "date not YYYY-MM-DD", method: "POST", path: "/api/events", body: `{"ref":612200,"name":"x CORE","start":"2026-03-01","due":"03/10/2026"}`, status: 400, field: "body.due", msg: `"03/10/2026" is not YYYY-MM-DD`},
			{name: "missing date", method: "POST", path: "/api/events", body: `{"ref":612200,"name":"x CORE","start":"2026-03-01"}`, status: 400, field: "body.due", msg: "is required"},
			{name: "due before start", method: "POST", path: "/api/events", body: `{"ref":612200,"name":"x CORE","start":"2026-03-05","due":"2026-03-01"}`, status: 422, field: "body.due", msg: "2026-03-01 is before start 2026-03-05"},
			{name: "time off ends before it starts", method: "PUT", path: "/api/employees/E01", body: `{"name":"Ana Ruiz","role":"lead","time_off":[{"start":"2026-03-06","end":"2026-03-05"}]}`, status: 422, field: "body.time_off[0].end", msg: "before start"},
			{name: "unavailable twice", method: "PUT", path: "/api/employees/E01", body: `{"name":"Ana Ruiz","role":"lead","unavailable":["2026-03-09","2026-03-09"]}`, status: 422, field: "body.unavailable[1]", msg: "given twice"},
			{name: "bad weekday", method: "PUT", path: "/api/employees/E01", body: `{"name":"Ana Ruiz","role":"lead","weekly":{"monday":true}}`, status: 400, field: "body.weekly.monday", msg: "not a day of the week"},
			{name: "bad role", method: "PUT", path: "/api/employees/E01", body: `{"name":"Ana Ruiz","role":"boss"}`, status: 422, field: "body.role", msg: `"boss" is not a role`},
			{name: "employee id changes", method: "PUT", path: "/api/employees/E01", body: `{"id":"E05","name":"Ana Ruiz","role":"lead"}`, status: 422, field: "body.id", msg: "cannot change"},
			{name: "event ref changes", method: "PUT", path: "/api/events/612103", body: `{"ref":612200,` + event + `}`, status: 422, field: "body.ref", msg: "cannot change"},
			{name: "bad at", method: "POST", path: "/api/schedules", body: `{"event":612104,"employee":"E01","at":"2026-03-05 10:00"}`, status: 400, field: "body.at", msg: "YYYY-MM-DDTHH:MM"},
			{name: "impossible at", method: "POST", path: "/api/schedules", body: `{"event":612104,"employee":"E01","at":"2026-02-30T10:00"}`, status: 400, field: "body.at", msg: "is not a date"},
			{name: "bad clock", method: "PUT", path: "/api/settings", body: strings.Replace(settings, `"core":["09:45"]`, `"core":["9:45"]`, 1), status: 400, field: "body.time_slots.core[0]", msg: `"9:45" is not HH:MM`},
			{name: "missing setting", method: "PUT", path: "/api/settings", body: strings.Replace(settings, `"supervisor":"12:00",`, ``, 1), status: 422, field: "body.time_slots.supervisor", msg: "is required"},
			{name: "setting out of range", method: "PUT", path: "/api/settings", body: strings.Replace(settings, `"max_work_days_per_week":6`, `"max_work_days_per_week":9`, 1), status: 422, field: "body.scheduler.max_work_days_per_week", msg: "9 is not between 1 and 7"},
			{name: "bad attendance", method: "POST", path: "/api/attendance", body: `{"event":612103,"employee":"E01","date":"2026-03-04","status":"asleep","minutes_late":-1}`, status: 422, field: "body.status", msg: "body.minutes_late"},

			// Query and path parameters.
			{name: "from after to", method: "GET", path: "/api/events?from=2026-03-10&to=2026-03-01", status: 400, field: "query.to", msg: "2026-03-01 is before from 2026-03-10"},
			{name: "query date format", method: "GET", path: "/api/events?from=03/01/2026", status: 400, field: "query.from", msg: `query.from: "03/01/2026" is not YYYY-MM-DD`},
			{name: "query impossible date", method: "GET", path: "/api/schedules?to=2026-02-30", status: 400, field: "query.to", msg: `"2026-02-30" is not a date`},
			{name: "range too long", method: "GET", path: "/api/events?from=2026-01-01&to=2027-06-01", status: 400, field: "query.to", msg: "at most 366"},
			{name: "limit zero", method: "GET", path: "/api/events?limit=0", status: 400, field: "query.limit", msg: "1 to 5000"},
			{name: "limit too big", method: "GET", path: "/api/events?limit=5001", status: 400, field: "query.limit", msg: "1 to 5000"},
			{name: "bad type", method: "GET", path: "/api/events?type=party", status: 400, field: "query.type", msg: `"party" is not an event type`},
			{name: "bad active", method: "GET", path: "/api/employees?active=maybe", status: 400, field: "query.active", msg: "true or false"},
			{name: "ref not a number", method: "GET", path: "/api/events/abc", status: 400, field: "path.ref", msg: `"abc" is not an event ref`},
			{name: "path date", method: "PUT", path: "/api/holidays/2026-13-01", body: `{"name":"x"}`, status: 400, field: "path.date", msg: "is not a date"},

			// Conflicts.
			{name: "duplicate ref", method: "POST", path: "/api/events", body: `{"ref":612103,` + event + `}`, status: 409, msg: "event 612103 already exists"},
			{name: "duplicate employee", method: "POST", path: "/api/employees", body: `{"id":"E01","name":"Ana Again","role":"lead"}`, status: 409, msg: `"E01"`},
			{name: "delete employee with posted work", method: "DELETE", path: "/api/employees/E01", status: 409, msg: "deactivate instead"},
			{name: "event already assigned", method: "POST", path: "/api/schedules", body: `{"event":612103,"employee":"E02","at":"2026-03-05T09:45"}`, status: 409, msg: "already assigned"},
			{name: "schedule on a locked day", method: "POST", path: "/api/schedules", body: `{"event":612104,"employee":"E01","at":"2026-03-07T12:00"}`, status: 409, msg: "2026-03-07 is locked"},
			{name: "move off a locked day", method: "PUT", path: schedule, body: `{"at":"2026-03-05T09:45"}`, status: 409, msg: "locked"},
			{name: "remove on a locked day", method: "DELETE", path: schedule, status: 409, msg: "locked"},
			{name: "delete event on a locked day", method: "DELETE", path: "/api/events/612103", status: 409, msg: "locked"},
			{name: "lock a locked day", method: "POST", path: "/api/locked-days", body: `{"date":"2026-03-07","reason":"again"}`, status: 409, msg: "already locked"},

			// Missing rows.
			{name: "missing event", method: "GET", path: "/api/events/999", status: 404, msg: "event 999"},
			{name: "missing employee", method: "PUT", path: "/api/employees/E99", body: `{"name":"Nobody","role":"lead"}`, status: 404, msg: `"E99"`},
			{name: "missing schedule", method: "DELETE", path: "/api/schedules/999", status: 404, msg: "999"},
			{name: "missing holiday", method: "DELETE", path: "/api/holidays/2026-01-01", status: 404, msg: "2026-01-01"},
			{name: "schedule for a missing event", method: "POST", path: "/api/schedules", body: `{"event":999,"employee":"E77","at":"2026-03-05T09:45"}`, status: 422, field: "body.event", msg: "body.employee"},
			{name: "supervisor of a missing core", method: "POST", path: "/api/events", body: `{"ref":612200,` + event + `,"parent_ref":999}`, status: 422, field: "body.parent_ref", msg: "no event 999"},
			{name: "no such route", method: "GET", path: "/api/nothing", status: 404},
		} {
			t.Run(c.name, func(t *testing.T) {
				before, audits := e.snapshot(t), e.auditCount(t)
				req := httpRequest(c.method, c.path)
				if c.body != "" {
					req = httpRequestBody(c.method, c.path, c.body)
					req.Header.Set("Content-Type", "application/json")
					if c.contentType != "" {
						req.Header.Set("Content-Type", c.contentType)
					}
				}
				req.AddCookie(&http.Cookie{Name: "crewplan_session", Value: e.admin.cookie})
				req.Header.Set("X-CSRF-Token", e.admin.csrf)
				r := e.send(t, req).want(t, c.status)
				b := r.apiError(t)
				if b.RequestID == "" {
					t.Errorf("no request_id: %s", r.body)
				}
				if !strings.Contains(b.Error, c.msg) {
					t.Errorf("error %q lacks %q", b.Error, c.msg)
				}
				if c.field != "" {
					if len(b.Fields) == 0 || b.Fields[0].Field != c.field {
						t.Errorf("fields %+v, want first %s", b.Fields, c.field)
					}
					if !strings.Contains(b.Error, c.field+":") {
						t.Errorf("error %q does not name %s", b.Error, c.field)
					}
				}
				for _, leak := range []string{"constraint", "UNIQUE", "FOREIGN", "SQLSTATE", "conflict:"} {
					if strings.Contains(b.Error, leak) {
						t.Errorf("error %q leaks the driver's text", b.Error)
					}
				}
				if after := e.auditCount(t); after != audits {
					t.Errorf("audit entries %d → %d", audits, after)
				}
				if after := e.snapshot(t); after != before {
					t.Errorf("data changed:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

func httpRequestBody(method, path, body string) *http.Request {
	req, _ := http.NewRequest(method, "http://crewplan.test"+path, strings.NewReader(body))
	return req
}
