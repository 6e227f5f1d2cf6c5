package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// jsonEqual fails unless the JSON in got means the same as want.
func jsonEqual(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("decode %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("decode want %s: %v", want, err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", d)
	}
}

func TestEmployeesCRUD(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		const ana = `{"id":"E01","name":"Ana Ruiz","role":"lead","active":true,"external_id":"1001",
			"terminated_on":null,"adult_beverage_trained":true,
			"weekly":{"mon":true,"tue":true,"wed":true,"thu":true,"fri":true,"sat":false,"sun":false},
			"unavailable":["2026-03-09"],"available_overrides":["2026-03-14"],
			"time_off":[{"start":"2026-03-05","end":"2026-03-06","reason":"vacation"}]}`
		r := e.do(t, e.sched, "POST", "/api/employees", ana).want(t, http.StatusCreated)
		jsonEqual(t, r.body, ana)
		if loc := r.header.Get("Location"); loc != "/api/employees/E01" {
			t.Errorf("Location %q", loc)
		}
		jsonEqual(t, e.do(t, e.view, "GET", "/api/employees/E01", "").want(t, http.StatusOK).body, ana)

		// Active defaults to true; lists are never null.
		r = e.do(t, e.sched, "POST", "/api/employees", `{"id":"E02","name":"Uma Moreau","role":"juicer"}`).want(t, http.StatusCreated)
		jsonEqual(t, r.body, `{"id":"E02","name":"Uma Moreau","role":"juicer","active":true,"external_id":null,
			"terminated_on":null,"adult_beverage_trained":false,"weekly":{},"unavailable":[],"available_overrides":[],"time_off":[]}`)

		ids := func(path string) []string {
			var l struct{ Items []struct{ ID string } }
			e.do(t, e.view, "GET", path, "").want(t, http.StatusOK).decode(t, &l)
			var out []string
			for _, it := range l.Items {
				out = append(out, it.ID)
			}
			return out
		}
		if got := ids("/api/employees"); !cmp.Equal(got, []string{"E01", "E02"}) {
			t.Errorf("all: %v", got)
		}
		if got := ids("/api/employees?role=lead"); !cmp.Equal(got, []string{"E01"}) {
			t.Errorf("leads: %v", got)
		}

		const anaLater = `{"id":"E01","name":"Ana Ruiz-Lopez","role":"lead","active":false,"external_id":"1001",
			"terminated_on":"2026-04-01","adult_beverage_trained":false,
			"weekly":{"sat":true,"sun":false},"unavailable":[],"available_overrides":[],
			"time_off":[{"start":"2026-03-20","end":"2026-03-20","reason":""}]}`
		r = e.do(t, e.sched, "PUT", "/api/employees/E01", anaLater).want(t, http.StatusOK)
		jsonEqual(t, r.body, anaLater)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/employees/E01", "").want(t, http.StatusOK).body, anaLater)
		if got := ids("/api/employees?active=true"); !cmp.Equal(got, []string{"E02"}) {
			t.Errorf("active: %v", got)
		}
		if got := ids("/api/employees?active=false"); !cmp.Equal(got, []string{"E01"}) {
			t.Errorf("inactive: %v", got)
		}

		e.do(t, e.sched, "DELETE", "/api/employees/E02", "").want(t, http.StatusNoContent)
		e.do(t, e.view, "GET", "/api/employees/E02", "").want(t, http.StatusNotFound)
		e.do(t, e.sched, "DELETE", "/api/employees/E02", "").want(t, http.StatusNotFound)
	})
}

func TestEventsCRUD(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		// Type, kind, duration and condition come from the name.
		r := e.do(t, e.sched, "POST", "/api/events", `{"ref":612103,"name":"612103-CF-Apple Slices - V2-CORE","start":"2026-03-03","due":"2026-03-10"}`).
			want(t, http.StatusCreated)
		core := `{"ref":612103,"name":"612103-CF-Apple Slices - V2-CORE","type":"core","kind":"","start":"2026-03-03","due":"2026-03-10",
			"duration_min":390,"condition":"unstaffed","parent_ref":null,"store_id":"","location_id":"","schedule":null}`
		jsonEqual(t, r.body, core)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/events/612103", "").want(t, http.StatusOK).body, core)

		sup := `{"ref":612104,"name":"612103 Apple Slices V2-SUPERVISOR","type":"supervisor","kind":"","start":"2026-03-05","due":"2026-03-12",
			"duration_min":5,"condition":"unstaffed","parent_ref":612103,"store_id":"S1","location_id":"L1","schedule":null}`
		jsonEqual(t, e.do(t, e.sched, "POST", "/api/events", sup).want(t, http.StatusCreated).body, sup)
		e.do(t, e.sched, "POST", "/api/events", `{"ref":700001,"name":"JUICER SURVEY","start":"2026-04-01","due":"2026-04-02"}`).want(t, http.StatusCreated)

		type page struct {
			Items      []struct{ Ref int64 }
			Limit      int
			Offset     int
			NextOffset *int `json:"next_offset"`
		}
		refs := func(path string) (page, []int64) {
			var p page
			e.do(t, e.view, "GET", path, "").want(t, http.StatusOK).decode(t, &p)
			var out []int64
			for _, it := range p.Items {
				out = append(out, it.Ref)
			}
			return p, out
		}
		if _, got := refs("/api/events?from=2026-03-01&to=2026-03-31"); !cmp.Equal(got, []int64{612103, 612104}) {
			t.Errorf("March: %v", got)
		}
		if _, got := refs("/api/events?from=2026-03-11&to=2026-03-11"); !cmp.Equal(got, []int64{612104}) {
			t.Errorf("overlapping March 11: %v", got)
		}
		if _, got := refs("/api/events?type=juicer"); !cmp.Equal(got, []int64{700001}) {
			t.Errorf("juicer: %v", got)
		}
		p, got := refs("/api/events?limit=2")
		if !cmp.Equal(got, []int64{612103, 612104}) || p.NextOffset == nil || *p.NextOffset != 2 || p.Limit != 2 {
			t.Errorf("first page: %v %+v", got, p)
		}
		p, got = refs("/api/events?limit=2&offset=2")
		if !cmp.Equal(got, []int64{700001}) || p.NextOffset != nil || p.Offset != 2 {
			t.Errorf("second page: %v %+v", got, p)
		}

		changed := `{"ref":612103,"name":"612103-CF-Apple Slices - V2-CORE","type":"core","kind":"","start":"2026-03-04","due":"2026-03-11",
			"duration_min":360,"condition":"unstaffed","parent_ref":null,"store_id":"S1","location_id":"","schedule":null}`
		// The ref may be left out of a PUT: the path has it.
		body := strings.Replace(changed, `"ref":612103,`, "", 1)
		jsonEqual(t, e.do(t, e.sched, "PUT", "/api/events/612103", body).want(t, http.StatusOK).body, changed)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/events/612103", "").want(t, http.StatusOK).body, changed)

		e.do(t, e.sched, "DELETE", "/api/events/700001", "").want(t, http.StatusNoContent)
		e.do(t, e.view, "GET", "/api/events/700001", "").want(t, http.StatusNotFound)
	})
}

func TestSchedulesCRUD(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seed(t, st)
		e := newEnv(t, st)
		r := e.do(t, e.sched, "POST", "/api/schedules", `{"event":612103,"employee":"E01","at":"2026-03-04T09:45"}`).want(t, http.StatusCreated)
		var ps struct {
			ID           int64
			Event        int64
			Employee, At string
			Source       string
			PostedBy     string `json:"posted_by"`
		}
		r.decode(t, &ps)
		if ps.ID == 0 || ps.Event != 612103 || ps.Employee != "E01" || ps.At != "2026-03-04T09:45" || ps.PostedBy != "sched" {
			t.Errorf("posted %s", r.body)
		}
		id := r.header.Get("Location")[len("/api/schedules/"):]

		var ev struct {
			Condition string
			Schedule  *struct{ Employee, At string }
		}
		e.do(t, e.view, "GET", "/api/events/612103", "").want(t, http.StatusOK).decode(t, &ev)
		if ev.Condition != "scheduled" || ev.Schedule == nil || ev.Schedule.At != "2026-03-04T09:45" {
			t.Errorf("event after posting: %+v", ev)
		}
		e.do(t, e.view, "GET", "/api/schedules/"+id, "").want(t, http.StatusOK)

		var l struct{ Items []struct{ Event int64 } }
		e.do(t, e.view, "GET", "/api/schedules?from=2026-03-01&to=2026-03-07&employee=E01", "").want(t, http.StatusOK).decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].Event != 612103 {
			t.Errorf("list: %+v", l)
		}
		e.do(t, e.view, "GET", "/api/schedules?employee=E02", "").want(t, http.StatusOK).decode(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("list of E02: %+v", l)
		}

		r = e.do(t, e.sched, "PUT", "/api/schedules/"+id, `{"employee":"E02","at":"2026-03-05T11:00","override_reason":"juicer covers"}`).want(t, http.StatusOK)
		r.decode(t, &ps)
		if ps.Employee != "E02" || ps.At != "2026-03-05T11:00" {
			t.Errorf("moved %s", r.body)
		}
		r = e.do(t, e.sched, "PUT", "/api/schedules/"+id, `{"at":"2026-03-06T10:30"}`).want(t, http.StatusOK)
		r.decode(t, &ps)
		if ps.Employee != "E02" || ps.At != "2026-03-06T10:30" {
			t.Errorf("moved again %s", r.body)
		}

		e.do(t, e.sched, "DELETE", "/api/schedules/"+id+"?reason=called+in+sick", "").want(t, http.StatusNoContent)
		e.do(t, e.view, "GET", "/api/schedules/"+id, "").want(t, http.StatusNotFound)
		e.do(t, e.view, "GET", "/api/events/612103", "").want(t, http.StatusOK).decode(t, &ev)
		if ev.Condition != "unstaffed" || ev.Schedule != nil {
			t.Errorf("event after removal: %+v", ev)
		}
		entries, err := st.ListAudit(ctx, store.AuditFilter{Entity: "posted_schedule", Limit: 1})
		if err != nil || len(entries) != 1 || entries[0].Action != "delete" || entries[0].Reason != "called in sick" || entries[0].Actor != "sched" {
			t.Errorf("audit: %+v %v", entries, err)
		}
	})
}

func TestCalendarCRUD(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seed(t, st)
		e := newEnv(t, st)

		// Rotations.
		jsonEqual(t, e.do(t, e.view, "GET", "/api/rotations", "").want(t, http.StatusOK).body, `{"juicer":{},"primary_lead":{}}`)
		jsonEqual(t, e.do(t, e.sched, "PUT", "/api/rotations/juicer", `{"mon":"E02","tue":"E02","wed":null}`).want(t, http.StatusOK).body,
			`{"mon":"E02","tue":"E02"}`)
		e.do(t, e.sched, "PUT", "/api/rotations/primary_lead", `{"sun":"E01"}`).want(t, http.StatusOK)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/rotations", "").want(t, http.StatusOK).body,
			`{"juicer":{"mon":"E02","tue":"E02"},"primary_lead":{"sun":"E01"}}`)
		r := e.do(t, e.sched, "PUT", "/api/rotations/juicer", `{"fri":"E01"}`).want(t, http.StatusUnprocessableEntity)
		if b := r.apiError(t); len(b.Fields) != 1 || b.Fields[0].Field != "body.fri" || !strings.Contains(b.Error, "not a juicer") {
			t.Errorf("lead as juicer: %s", r.body)
		}
		e.do(t, e.sched, "PUT", "/api/rotations/barista", `{}`).want(t, http.StatusBadRequest)

		// Rotation exceptions.
		jsonEqual(t, e.do(t, e.sched, "PUT", "/api/rotation-exceptions/2026-03-04/juicer", `{"employee":"E02","reason":"swap"}`).want(t, http.StatusOK).body,
			`{"date":"2026-03-04","type":"juicer","employee":"E02","reason":"swap"}`)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/rotation-exceptions?from=2026-03-01&to=2026-03-31", "").want(t, http.StatusOK).body,
			`{"items":[{"date":"2026-03-04","type":"juicer","employee":"E02","reason":"swap"}]}`)
		r = e.do(t, e.sched, "PUT", "/api/rotation-exceptions/2026-03-04/primary_lead", `{"employee":"E02"}`).want(t, http.StatusUnprocessableEntity)
		if b := r.apiError(t); len(b.Fields) != 1 || b.Fields[0].Field != "body.employee" {
			t.Errorf("juicer as primary lead: %s", r.body)
		}
		e.do(t, e.sched, "DELETE", "/api/rotation-exceptions/2026-03-04/juicer", "").want(t, http.StatusNoContent)
		e.do(t, e.sched, "DELETE", "/api/rotation-exceptions/2026-03-04/juicer", "").want(t, http.StatusNotFound)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/rotation-exceptions", "").want(t, http.StatusOK).body, `{"items":[]}`)

		// Holidays.
		jsonEqual(t, e.do(t, e.sched, "PUT", "/api/holidays/2026-03-08", `{"name":"Store closed"}`).want(t, http.StatusOK).body,
			`{"date":"2026-03-08","name":"Store closed"}`)
		e.do(t, e.sched, "PUT", "/api/holidays/2026-03-08", `{"name":"Closed for inventory"}`).want(t, http.StatusOK)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/holidays?from=2026-03-01&to=2026-03-31", "").want(t, http.StatusOK).body,
			`{"items":[{"date":"2026-03-08","name":"Closed for inventory"}]}`)
		e.do(t, e.sched, "DELETE", "/api/holidays/2026-03-08", "").want(t, http.StatusNoContent)
		e.do(t, e.sched, "DELETE", "/api/holidays/2026-03-08", "").want(t, http.StatusNotFound)

		// Locked days.
		r = e.do(t, e.admin, "POST", "/api/locked-days", `{"date":"2026-03-07","reason":"inventory count"}`).want(t, http.StatusCreated)
		var ld struct{ Date, Reason, LockedBy string }
		r.decode(t, &ld)
		if ld.Date != "2026-03-07" || ld.Reason != "inventory count" {
			t.Errorf("locked %s", r.body)
		}
		var lds struct {
			Items []struct {
				Date     string
				LockedBy string `json:"locked_by"`
			}
		}
		e.do(t, e.view, "GET", "/api/locked-days?from=2026-03-01&to=2026-03-31", "").want(t, http.StatusOK).decode(t, &lds)
		if len(lds.Items) != 1 || lds.Items[0].LockedBy != "admin" {
			t.Errorf("locked days %+v", lds)
		}
		e.do(t, e.admin, "DELETE", "/api/locked-days/2026-03-07?reason=count+done", "").want(t, http.StatusNoContent)
		e.do(t, e.admin, "DELETE", "/api/locked-days/2026-03-07", "").want(t, http.StatusNotFound)
		entries, err := st.ListAudit(ctx, store.AuditFilter{Entity: "locked_day", Limit: 1})
		if err != nil || len(entries) != 1 || entries[0].Reason != "count done" || entries[0].Actor != "admin" {
			t.Errorf("audit of unlock: %+v %v", entries, err)
		}
	})
}

func TestSettingsAttendanceAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seed(t, st)
		e := newEnv(t, st)

		r := e.do(t, e.view, "GET", "/api/settings", "").want(t, http.StatusOK)
		jsonEqual(t, r.body, `{"time_slots":{"core":["09:45","10:30","11:00","11:30"],"supervisor":"12:00","juicer_production":"09:00",
			"juicer_survey":"17:00","freeosk":"10:00","digital_setup":["10:15","10:30","10:45","11:00"],
			"digital_teardown":["18:00","18:15","18:30","18:45"],"other":"11:00"},
			"scheduler":{"earliest_offset_days":{"core":1,"default":3,"supervisor":1},"max_work_days_per_week":6,
			"bump_protect_days":2,"max_bumps_per_event":3,"auto_run_cron":""}}`)
		changed := strings.Replace(string(r.body), `"max_work_days_per_week":6`, `"max_work_days_per_week":5`, 1)
		changed = strings.Replace(changed, `"core":["09:45","10:30","11:00","11:30"]`, `"core":["09:30","10:30"]`, 1)
		jsonEqual(t, e.do(t, e.admin, "PUT", "/api/settings", changed).want(t, http.StatusOK).body, changed)
		jsonEqual(t, e.do(t, e.view, "GET", "/api/settings", "").want(t, http.StatusOK).body, changed)

		// Attendance.
		r = e.do(t, e.sched, "POST", "/api/attendance", `{"event":612103,"employee":"E01","date":"2026-03-04","status":"late","minutes_late":12,"note":"traffic"}`).
			want(t, http.StatusCreated)
		var rec struct {
			Event       int64
			Employee    string
			Status      string
			MinutesLate int    `json:"minutes_late"`
			RecordedBy  string `json:"recorded_by"`
		}
		r.decode(t, &rec)
		if rec.Event != 612103 || rec.Status != "late" || rec.MinutesLate != 12 || rec.RecordedBy != "sched" {
			t.Errorf("attendance %s", r.body)
		}
		e.do(t, e.sched, "POST", "/api/attendance", `{"event":612103,"employee":"E01","date":"2026-03-04","status":"on_time"}`).want(t, http.StatusCreated)
		var recs struct{ Items []struct{ Status string } }
		e.do(t, e.view, "GET", "/api/attendance?employee=E01&from=2026-03-01&to=2026-03-31", "").want(t, http.StatusOK).decode(t, &recs)
		if len(recs.Items) != 1 || recs.Items[0].Status != "on_time" {
			t.Errorf("attendance list %+v", recs)
		}
		e.do(t, e.view, "GET", "/api/attendance?employee=E02", "").want(t, http.StatusOK).decode(t, &recs)
		if len(recs.Items) != 0 {
			t.Errorf("attendance of E02 %+v", recs)
		}

		// Audit log, newest first, with details as JSON.
		var audit struct {
			Items []struct {
				Actor, Action, Entity string
				EntityID              string         `json:"entity_id"`
				Details               map[string]any `json:"details"`
			}
			Limit int
		}
		e.do(t, e.admin, "GET", "/api/audit?entity=attendance&limit=5", "").want(t, http.StatusOK).decode(t, &audit)
		if len(audit.Items) != 2 || audit.Items[0].Actor != "sched" || audit.Items[0].EntityID != "612103/E01" || audit.Items[0].Details["status"] != "on_time" {
			t.Errorf("audit %+v", audit)
		}
		e.do(t, e.admin, "GET", "/api/audit?limit=0", "").want(t, http.StatusBadRequest)
	})
}
