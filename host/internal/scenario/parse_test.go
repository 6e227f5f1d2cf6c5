package scenario_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// sharedDir holds the repository's copy of the shared example scenarios.
const sharedDir = "../../../testdata/scenarios"

// sharedFiles returns the shared scenario files (not the expectations),
// skipping the test when the folder is not there.
func sharedFiles(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("shared scenarios not found at %s: %v", sharedDir, err)
	}
	var files []string
	for _, pattern := range []string{"*.json", "cases/*.json"} {
		m, err := filepath.Glob(filepath.Join(sharedDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, ".expect.json") {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		t.Fatalf("no scenario files in %s", sharedDir)
	}
	return files
}

func TestParseSharedFiles(t *testing.T) {
	want := map[string]struct{ employees, events, posted int }{
		"club-week.json":    {12, 90, 10},
		"region-month.json": {60, 2121, 328},
	}
	for _, file := range sharedFiles(t) {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			s, err := scenario.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if s.Version != 1 || s.Now != (civil.DateTime{Date: civil.MustParseDate("2026-03-02"), Clock: civil.NewClock(8, 0)}) {
				t.Errorf("version %d, now %s", s.Version, s.Now)
			}
			if w, ok := want[name]; ok {
				got := struct{ employees, events, posted int }{len(s.Employees), len(s.Events), len(s.Posted)}
				if got != w {
					t.Errorf("got %d employees, %d events, %d posted; want %d, %d, %d",
						got.employees, got.events, got.posted, w.employees, w.events, w.posted)
				}
			}
			// Every default is filled in.
			if diff := cmp.Diff(scenario.DefaultSettings(), s.Settings); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
			for i, e := range s.Events {
				if !e.Type.Valid() || !e.Kind.Valid() || e.DurationMin <= 0 || !e.Condition.Valid() {
					t.Fatalf("events[%d] not filled in: %+v", i, e)
				}
			}
		})
	}
}

func TestParseFillsDefaults(t *testing.T) {
	s, err := scenario.Parse(strings.NewReader(`{
		"version": 1, "now": "2026-03-02T08:00",
		"settings": {"earliest_offset_days": {"default": 5, "digital": 2}, "bump_protect_days": 0},
		"employees": [{"id": "E1", "name": "Ana", "role": "lead", "weekly": {"sat": false}}],
		"events": [
			{"ref": 1, "name": "03.03 1 Digital Teardown", "start": "2026-03-03", "due": "2026-03-04"},
			{"ref": 2, "name": "2-JUICER SURVEY 2026-03-03", "start": "2026-03-03", "due": "2026-03-03", "parent_ref": null},
			{"ref": 3, "name": "Meeting", "type": "other", "start": "2026-03-03", "due": "2026-03-03", "duration_min": 60, "condition": "canceled"}
		]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	wantSettings := scenario.DefaultSettings()
	wantSettings.BumpProtectDays = 0
	wantSettings.EarliestOffsetDays[store.EventDigital] = 2
	for _, typ := range []store.EventType{store.EventJuicer, store.EventFreeosk, store.EventOther} {
		wantSettings.EarliestOffsetDays[typ] = 5
	}
	if diff := cmp.Diff(wantSettings, s.Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	wantEmployee := scenario.Employee{ID: "E1", Name: "Ana", Role: store.RoleLead, Active: true,
		Weekly: &[7]bool{true, true, true, true, true, true, false}}
	if diff := cmp.Diff(wantEmployee, s.Employees[0]); diff != "" {
		t.Errorf("employee (-want +got):\n%s", diff)
	}
	d3, d4 := civil.MustParseDate("2026-03-03"), civil.MustParseDate("2026-03-04")
	wantEvents := []scenario.Event{
		{Ref: 1, Name: "03.03 1 Digital Teardown", Type: store.EventDigital, Kind: store.KindTeardown, Start: d3, Due: d4, DurationMin: 15, Condition: store.ConditionUnstaffed},
		{Ref: 2, Name: "2-JUICER SURVEY 2026-03-03", Type: store.EventJuicer, Kind: store.KindSurvey, Start: d3, Due: d3, DurationMin: 15, Condition: store.ConditionUnstaffed},
		{Ref: 3, Name: "Meeting", Type: store.EventOther, Start: d3, Due: d3, DurationMin: 60, Condition: store.ConditionCanceled},
	}
	if diff := cmp.Diff(wantEvents, s.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// valid is a small valid document; the bad-document cases change it.
const valid = `{
 "version": 1,
 "now": "2026-03-02T08:00",
 "employees": [
  {"id": "E01", "name": "Cara Novak", "role": "club_supervisor", "external_id": "1001"},
  {"id": "E02", "name": "Ana Ruiz", "role": "lead", "external_id": "1002"},
  {"id": "E03", "name": "Dev Patel", "role": "specialist"},
  {"id": "E04", "name": "Fay Smith", "role": "juicer"}
 ],
 "events": [
  {"ref": 700001, "name": "700001-CF-Granola (111111111111) - V2-CORE", "start": "2026-03-03", "due": "2026-03-05"},
  {"ref": 1200001, "name": "700001-CF-Granola (111111111111) - V2-Supervisor", "start": "2026-03-03", "due": "2026-03-06", "parent_ref": 700001},
  {"ref": 700002, "name": "700002-JUICER-PRODUCTION-SPCLTY 2026-03-03", "start": "2026-03-03", "due": "2026-03-03"}
 ],
 "rotations": {"juicer": {"mon": "E04"}, "primary_lead": {"mon": "E02"}},
 "rotation_exceptions": [{"date": "2026-03-04", "type": "juicer", "employee": "E04"}],
 "holidays": [{"date": "2026-03-08", "name": "Store closed"}],
 "locked_days": [{"date": "2026-03-07", "reason": "inventory count"}],
 "posted": [{"event": 700001, "employee": "E03", "at": "2026-03-04T09:45"}]
}`

func TestParseValidBase(t *testing.T) {
	if _, err := scenario.Parse(strings.NewReader(valid)); err != nil {
		t.Fatal(err)
	}
}

func TestParseBadDocuments(t *testing.T) {
	tests := []struct {
		name string
		old  string // replaced in valid by new; "" replaces the whole document
		new  string
		path string
		msg  string
	}{
		// Syntax.
		{"empty document", "", "", "", "empty document"},
		{"only white space", "", " \n\t ", "", "empty document"},
		{"syntax error", `"version": 1,`, `"version": 1,,`, "", "line 2, column 15: invalid character ','"},
		{"unterminated", "", `{"version": 1`, "", "line 1, column 14: unexpected end of input"},
		{"trailing data", "", valid + ` {}`, "", "line 20, column 3: unexpected data after the document"},
		{"trailing garbage", "", valid + "x", "", "unexpected data after the document"},
		{"not an object", "", `[1, 2]`, "", "the document must be an object, not an array"},
		{"control character in string", `"Ana Ruiz"`, "\"Ana\tRuiz\"", "", "line 6, column 29: invalid character U+0009 in string literal"},
		{"invalid UTF-8", `"Ana Ruiz"`, "\"Ana \xff\"", "", "invalid UTF-8 in string literal"},

		// Unknown and repeated fields.
		{"unknown top-level field", `"version": 1,`, `"version": 1, "verison": 2,`, "", `unknown field "verison"`},
		{"unknown event field", `"due": "2026-03-03"}`, `"due": "2026-03-03", "duraton": 30}`, "events[2]", `unknown field "duraton"`},
		{"unknown employee field", `"role": "juicer"`, `"role": "juicer", "age": 30`, "employees[3]", `unknown field "age"`},
		{"unknown settings field", `"version": 1,`, `"version": 1, "settings": {"core_slot": []},`, "settings", `unknown field "core_slot"`},
		{"unknown offset key", `"version": 1,`, `"version": 1, "settings": {"earliest_offset_days": {"cores": 2}},`, "settings.earliest_offset_days", `unknown field "cores"`},
		{"unknown rotation", `"primary_lead": {"mon": "E02"}`, `"lead": {"mon": "E02"}`, "rotations", `unknown field "lead"`},
		{"unknown posted field", `"at": "2026-03-04T09:45"}`, `"at": "2026-03-04T09:45", "slot": 1}`, "posted[0]", `unknown field "slot"`},
		{"repeated field", `"ref": 700002,`, `"ref": 700002, "ref": 700003,`, "events[2]", `field "ref" appears twice`},

		// Types.
		{"string for integer", `"ref": 700002`, `"ref": "700002"`, "events[2].ref", "must be a whole number, not a string"},
		{"fraction for integer", `"ref": 700002`, `"ref": 700002.5`, "events[2].ref", "700002.5 is not a whole number"},
		{"exponent for integer", `"ref": 700002`, `"ref": 7e5`, "events[2].ref", "7e5 is not a whole number"},
		{"huge integer", `"ref": 700002`, `"ref": 99999999999999999999`, "events[2].ref", "is out of range"},
		{"zero ref", `"ref": 700002`, `"ref": 0`, "events[2].ref", "0 is out of range (1 to"},
		{"number for string", `"name": "Dev Patel"`, `"name": 7`, "employees[2].name", "must be a string, not a number"},
		{"empty name", `"name": "Dev Patel"`, `"name": " "`, "employees[2].name", "must not be empty"},
		{"string for bool", `"role": "specialist"`, `"role": "specialist", "active": "yes"`, "employees[2].active", "must be true or false, not a string"},
		{"object for array", `"employees": [`, `"employees": {"x": 1}, "e": [`, "employees", "must be an array, not an object"},
		{"array for object", `"employees": [`, `"settings": [], "employees": [`, "settings", "must be an object, not an array"},
		{"null for required", `"now": "2026-03-02T08:00"`, `"now": null`, "now", "must be a string, not null"},
		{"string element", `{"id": "E03", "name": "Dev Patel", "role": "specialist"}`, `"E03"`, "employees[2]", "must be an object, not a string"},

		// Dates and times.
		{"no such day", `"due": "2026-03-05"}`, `"due": "2026-02-30"}`, "events[0].due", `"2026-02-30" is not a date: there is no such day`},
		{"US date", `"due": "2026-03-05"}`, `"due": "3/5/2026"}`, "events[0].due", `"3/5/2026" is not a date (want YYYY-MM-DD)`},
		{"ancient date", `"due": "2026-03-05"}`, `"due": "0001-01-01"}`, "events[0].due", "out of range (years 1900 to 2199)"},
		{"bad unavailable date", `"role": "specialist"`, `"role": "specialist", "unavailable": ["2026-03-09", "2026-13-01"]`, "employees[2].unavailable[1]", `"2026-13-01" is not a date: there is no such day`},
		{"bad now", `"now": "2026-03-02T08:00"`, `"now": "2026-03-02 08:00"`, "now", `"2026-03-02 08:00" is not a date-time (want YYYY-MM-DDTHH:MM)`},
		{"bad now hour", `"now": "2026-03-02T08:00"`, `"now": "2026-03-02T24:00"`, "now", `"24:00" is not a time of day`},
		{"bad posted time", `"at": "2026-03-04T09:45"`, `"at": "2026-03-04T9:45"`, "posted[0].at", "is not a date-time"},
		{"bad core slot", `"version": 1,`, `"version": 1, "settings": {"core_slots": ["09:45", "9:30"]},`, "settings.core_slots[1]", `"9:30" is not a time of day (want HH:MM`},
		{"repeated core slot", `"version": 1,`, `"version": 1, "settings": {"core_slots": ["09:45", "09:45"]},`, "settings.core_slots[1]", "slot 09:45 is listed twice"},
		{"no core slots", `"version": 1,`, `"version": 1, "settings": {"core_slots": []},`, "settings.core_slots", "must list at least one slot"},

		// Enums and ranges.
		{"bad role", `"role": "specialist"`, `"role": "manager"`, "employees[2].role", `"manager" is not a role (club_supervisor, lead, specialist, juicer)`},
		{"bad type", `"due": "2026-03-03"}`, `"due": "2026-03-03", "type": "meeting"}`, "events[2].type", `"meeting" is not an event type (juicer, core, supervisor, freeosk, digital, other)`},
		{"bad condition", `"due": "2026-03-03"}`, `"due": "2026-03-03", "condition": "done"}`, "events[2].condition", `"done" is not a condition (unstaffed, scheduled, submitted, canceled, expired)`},
		{"bad exception type", `"type": "juicer", "employee": "E04"`, `"type": "lead", "employee": "E04"`, "rotation_exceptions[0].type", `"lead" is not a rotation type (juicer, primary_lead)`},
		{"bad weekly day", `"role": "specialist"`, `"role": "specialist", "weekly": {"monday": true}`, "employees[2].weekly", `"monday" is not a day (sun, mon, tue, wed, thu, fri, sat)`},
		{"bad rotation day", `"juicer": {"mon": "E04"}`, `"juicer": {"Mon": "E04"}`, "rotations.juicer", `"Mon" is not a day`},
		{"repeated rotation day", `"juicer": {"mon": "E04"}`, `"juicer": {"mon": "E04", "mon": "E04"}`, "rotations.juicer", `field "mon" appears twice`},
		{"duration zero", `"due": "2026-03-03"}`, `"due": "2026-03-03", "duration_min": 0}`, "events[2].duration_min", "0 is out of range (1 to 1440)"},
		{"duration too long", `"due": "2026-03-03"}`, `"due": "2026-03-03", "duration_min": 1441}`, "events[2].duration_min", "1441 is out of range (1 to 1440)"},
		{"version 2", `"version": 1`, `"version": 2`, "version", "version 2 is not supported (want 1)"},
		{"max work days", `"version": 1,`, `"version": 1, "settings": {"max_work_days_per_week": 8},`, "settings.max_work_days_per_week", "8 is out of range (1 to 7)"},
		{"bump protect", `"version": 1,`, `"version": 1, "settings": {"bump_protect_days": 61},`, "settings.bump_protect_days", "61 is out of range (0 to 60)"},
		{"negative offset", `"version": 1,`, `"version": 1, "settings": {"earliest_offset_days": {"core": -1}},`, "settings.earliest_offset_days.core", "-1 is out of range (0 to 365)"},

		// Missing required fields.
		{"missing version", `"version": 1,`, ``, "version", "required field is missing"},
		{"missing now", `"now": "2026-03-02T08:00",`, ``, "now", "required field is missing"},
		{"missing employee id", `"id": "E03", `, ``, "employees[2].id", "required field is missing"},
		{"missing employee name", `"name": "Dev Patel", `, ``, "employees[2].name", "required field is missing"},
		{"missing employee role", `, "role": "specialist"`, ``, "employees[2].role", "required field is missing"},
		{"missing event ref", `"ref": 700002, `, ``, "events[2].ref", "required field is missing"},
		{"missing event name", `"name": "700002-JUICER-PRODUCTION-SPCLTY 2026-03-03", `, ``, "events[2].name", "required field is missing"},
		{"missing event start", `"start": "2026-03-03", "due": "2026-03-03"`, `"due": "2026-03-03"`, "events[2].start", "required field is missing"},
		{"missing event due", `, "due": "2026-03-03"}`, `}`, "events[2].due", "required field is missing"},
		{"missing posted event", `"event": 700001, `, ``, "posted[0].event", "required field is missing"},
		{"missing posted employee", `"employee": "E03", `, ``, "posted[0].employee", "required field is missing"},
		{"missing posted at", `, "at": "2026-03-04T09:45"`, ``, "posted[0].at", "required field is missing"},
		{"missing time off end", `"role": "specialist"`, `"role": "specialist", "time_off": [{"start": "2026-03-05"}]`, "employees[2].time_off[0].end", "required field is missing"},
		{"missing exception date", `"date": "2026-03-04", `, ``, "rotation_exceptions[0].date", "required field is missing"},
		{"missing holiday date", `{"date": "2026-03-08", "name": "Store closed"}`, `{"name": "Store closed"}`, "holidays[0].date", "required field is missing"},

		// Ranges across fields.
		{"due before start", `"start": "2026-03-03", "due": "2026-03-05"`, `"start": "2026-03-05", "due": "2026-03-01"`, "events[0].due", "2026-03-01 is before start 2026-03-05"},
		{"time off end before start", `"role": "specialist"`, `"role": "specialist", "time_off": [{"start": "2026-03-05", "end": "2026-03-04"}]`, "employees[2].time_off[0].end", "2026-03-04 is before start 2026-03-05"},

		// Duplicates.
		{"duplicate employee id", `"id": "E03"`, `"id": "E01"`, "employees[2].id", `id "E01" is used twice (also employees[0])`},
		{"duplicate external id", `"external_id": "1002"`, `"external_id": "1001"`, "employees[1].external_id", `external id "1001" is used twice (also employees[0])`},
		{"duplicate event ref", `"ref": 700002`, `"ref": 700001`, "events[2].ref", "ref 700001 is used twice (also events[0])"},
		{"duplicate holiday", `{"date": "2026-03-08", "name": "Store closed"}`, `{"date": "2026-03-08", "name": "Store closed"}, {"date": "2026-03-08"}`, "holidays[1].date", "2026-03-08 is listed twice (also holidays[0])"},
		{"duplicate locked day", `{"date": "2026-03-07", "reason": "inventory count"}`, `{"date": "2026-03-07"}, {"date": "2026-03-07", "reason": "x"}`, "locked_days[1].date", "2026-03-07 is listed twice (also locked_days[0])"},
		{"second posted assignment", `"at": "2026-03-04T09:45"}`, `"at": "2026-03-04T09:45"}, {"event": 700001, "employee": "E02", "at": "2026-03-05T09:45"}`, "posted[1].event", "event 700001 is already posted (posted[0])"},
		{"two exceptions for one day", `"type": "juicer", "employee": "E04"}`, `"type": "juicer", "employee": "E04"}, {"date": "2026-03-04", "type": "juicer", "employee": "E04"}`, "rotation_exceptions[1]", "a second juicer exception for 2026-03-04 (also rotation_exceptions[0])"},

		// Dangling and wrong references.
		{"posted to unknown employee", `"employee": "E03", "at"`, `"employee": "E99", "at"`, "posted[0].employee", `no employee "E99"`},
		{"posted unknown event", `"event": 700001,`, `"event": 799999,`, "posted[0].event", "no event 799999"},
		{"rotation unknown employee", `"juicer": {"mon": "E04"}`, `"juicer": {"mon": "E04", "sun": "E99"}`, "rotations.juicer.sun", `no employee "E99"`},
		{"exception unknown employee", `"type": "juicer", "employee": "E04"`, `"type": "juicer", "employee": "E99"`, "rotation_exceptions[0].employee", `no employee "E99"`},
		{"parent ref unknown", `"parent_ref": 700001`, `"parent_ref": 700009`, "events[1].parent_ref", "no event 700009"},
		{"parent ref not core", `"parent_ref": 700001`, `"parent_ref": 700002`, "events[1].parent_ref", "event 700002 is a juicer event, not a core event"},
		{"parent ref on a core", `"due": "2026-03-03"}`, `"due": "2026-03-03", "type": "core", "parent_ref": 700001}`, "events[2].parent_ref", "only a supervisor event has a parent, and this is a core event"},
		{"juicer rotation names a lead", `"juicer": {"mon": "E04"}`, `"juicer": {"mon": "E04", "tue": "E02"}`, "rotations.juicer.tue", `"E02" is a lead, not a juicer`},
		{"primary lead rotation names a supervisor", `"primary_lead": {"mon": "E02"}`, `"primary_lead": {"mon": "E01"}`, "rotations.primary_lead.mon", `"E01" is a club_supervisor, not a lead`},
		{"exception names a specialist", `"type": "juicer", "employee": "E04"`, `"type": "juicer", "employee": "E03"`, "rotation_exceptions[0].employee", `"E03" is a specialist, not a juicer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.new
			if tt.old != "" {
				if strings.Count(valid, tt.old) != 1 {
					t.Fatalf("%q occurs %d times in the valid document, want once", tt.old, strings.Count(valid, tt.old))
				}
				doc = strings.Replace(valid, tt.old, tt.new, 1)
			}
			_, err := scenario.Parse(strings.NewReader(doc))
			var verr *scenario.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Parse error = %v, want a *ValidationError", err)
			}
			for _, p := range verr.Problems {
				if p.Path == tt.path && strings.Contains(p.Message, tt.msg) {
					return
				}
			}
			t.Errorf("no problem at %q containing %q; got:\n%v", tt.path, tt.msg, err)
		})
	}
}

func TestParseReportsAllProblems(t *testing.T) {
	doc := strings.NewReplacer(
		`"role": "specialist"`, `"role": "manager"`,
		`"due": "2026-03-05"`, `"due": "2026-03-01"`,
		`"employee": "E03", "at"`, `"employee": "E99", "at"`,
		`"due": "2026-03-03"}`, `"due": "2026-03-03", "duraton": 30}`,
	).Replace(valid)
	_, err := scenario.Parse(strings.NewReader(doc))
	var verr *scenario.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Parse error = %v, want a *ValidationError", err)
	}
	want := []scenario.Problem{
		{Path: "employees[2].role", Message: `"manager" is not a role (club_supervisor, lead, specialist, juicer)`},
		{Path: "events[2]", Message: `unknown field "duraton"`},
		{Path: "events[0].due", Message: "2026-03-01 is before start 2026-03-03"},
		{Path: "posted[0].employee", Message: `no employee "E99"`},
	}
	if diff := cmp.Diff(want, verr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	wantText := `employees[2].role: "manager" is not a role (club_supervisor, lead, specialist, juicer)
events[2]: unknown field "duraton"
events[0].due: 2026-03-01 is before start 2026-03-03
posted[0].employee: no employee "E99"`
	if err.Error() != wantText {
		t.Errorf("Error() =\n%s\nwant\n%s", err, wantText)
	}
}

func TestParseCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version": 1, "now": "2026-03-02T08:00", "posted": [`)
	for i := range 70 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"event": 1, "employee": "E1", "at": "2026-03-02T08:00"}`)
	}
	b.WriteString("]}")
	_, err := scenario.Parse(strings.NewReader(b.String()))
	var verr *scenario.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Parse error = %v, want a *ValidationError", err)
	}
	if len(verr.Problems) != scenario.MaxProblems || verr.More != 140-scenario.MaxProblems {
		t.Errorf("%d problems and %d more, want %d and %d", len(verr.Problems), verr.More, scenario.MaxProblems, 140-scenario.MaxProblems)
	}
	if !strings.HasSuffix(err.Error(), "(and 90 more problems)") {
		t.Errorf("Error() does not end with the count of the rest:\n%s", err)
	}
}

func TestParseFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"version": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := scenario.ParseFile(path)
	var verr *scenario.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "now: required field is missing") {
		t.Errorf("ParseFile error = %v", err)
	}
	if _, err := scenario.ParseFile(filepath.Join(t.TempDir(), "missing.json")); err == nil || errors.As(err, &verr) {
		t.Errorf("ParseFile of a missing file: %v, want a plain error", err)
	}
}

func BenchmarkParseRegionMonth(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(sharedDir, "region-month.json"))
	if err != nil {
		b.Skipf("shared scenarios not found: %v", err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := scenario.Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseSkipsByteOrderMark(t *testing.T) {
	if _, err := scenario.Parse(strings.NewReader("\ufeff" + valid)); err != nil {
		t.Errorf("Parse with a byte order mark: %v", err)
	}
	_, err := scenario.Parse(strings.NewReader("\ufeff{\n x}"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 2, column 2: invalid character 'x'") {
		t.Errorf("Parse error = %v, want it at line 2, column 2", err)
	}
}
