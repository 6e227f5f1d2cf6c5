package scenario_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// roundTrip writes s, parses the output and checks it equals s, then that
// writing again gives the same bytes. It returns the written document.
func roundTrip(t testing.TB, s *scenario.Scenario) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := scenario.Write(&buf, s); err != nil {
		t.Fatalf("Write: %v", err)
	}
	back, err := scenario.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Parse(Write(s)): %v\n%s", err, buf.Bytes())
	}
	if diff := cmp.Diff(s, back); diff != "" {
		t.Fatalf("Parse(Write(s)) differs from s (-s +back):\n%s", diff)
	}
	var again bytes.Buffer
	if err := scenario.Write(&again, back); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatalf("Write is not stable:\n%s\n----\n%s", buf.Bytes(), again.Bytes())
	}
	return buf.Bytes()
}

func TestRoundTripSharedFiles(t *testing.T) {
	for _, file := range sharedFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := scenario.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, s)
		})
	}
}

func TestRoundTripGenerated(t *testing.T) {
	for _, opts := range []scenario.GenerateOptions{
		{Employees: 4, Weeks: 1, Seed: 1},
		{Employees: 12, Weeks: 1, Seed: 2},
		{Employees: 60, Weeks: 4, Seed: 3},
	} {
		s, err := scenario.Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, s)
	}
}

func TestRoundTripEverySetting(t *testing.T) {
	s, err := scenario.Parse(strings.NewReader(`{
		"version": 1, "now": "2026-03-02T08:00",
		"settings": {"core_slots": ["11:30", "09:00"], "max_work_days_per_week": 5, "bump_protect_days": 0,
			"earliest_offset_days": {"core": 0, "supervisor": 2, "juicer": 4, "freeosk": 5, "digital": 6, "other": 7}},
		"employees": [{"id": "E1", "name": "Ana <&> \"Q\"", "role": "juicer", "active": false, "terminated_on": "2026-04-01",
			"weekly": {"sun": false}, "time_off": [{"start": "2026-03-05", "end": "2026-03-06"}], "unavailable": ["2026-03-09", "2026-03-09"]}],
		"events": [{"ref": 1, "name": "x", "start": "2026-03-03", "due": "2026-03-03", "type": "juicer", "duration_min": 540, "condition": "expired"}],
		"rotations": {"juicer": {"sun": "E1", "sat": "E1"}},
		"rotation_exceptions": [{"date": "2026-03-04", "type": "juicer", "employee": "E1"}],
		"holidays": [{"date": "2026-03-08"}], "locked_days": [{"date": "2026-03-07"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	out := roundTrip(t, s)
	for _, want := range []string{`"core_slots": [`, `"max_work_days_per_week": 5`, `"bump_protect_days": 0`, `"core": 0`, `"other": 7`, `Ana <&> \"Q\"`, `"terminated_on": "2026-04-01"`, `"condition": "expired"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte(`"duration_min"`)) {
		t.Errorf("output has a default duration:\n%s", out)
	}
}

func TestWriteFormat(t *testing.T) {
	s := &scenario.Scenario{
		Version:  1,
		Now:      civil.DateTime{Date: civil.MustParseDate("2026-03-02"), Clock: civil.NewClock(8, 0)},
		Settings: scenario.DefaultSettings(),
		Employees: []scenario.Employee{{ID: "E01", Name: "Ana Ruiz", Role: store.RoleLead, Active: true, ExternalID: "1001",
			Weekly: &[7]bool{false, true, true, true, true, true, false}}},
		Events: []scenario.Event{{Ref: 612103, Name: "612103-CF-Apple Slices (250821530146) - V2-CORE", Type: store.EventCore,
			Start: civil.MustParseDate("2026-03-03"), Due: civil.MustParseDate("2026-03-10"), DurationMin: 390, Condition: store.ConditionScheduled}},
		Posted: []scenario.Assignment{{Event: 612103, Employee: "E01", At: civil.DateTime{Date: civil.MustParseDate("2026-03-04"), Clock: civil.NewClock(9, 45)}}},
	}
	s.Rotations.PrimaryLead[1] = "E01"
	var buf bytes.Buffer
	if err := scenario.Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	want := `{
 "version": 1,
 "now": "2026-03-02T08:00",
 "employees": [
  {
   "id": "E01",
   "name": "Ana Ruiz",
   "role": "lead",
   "active": true,
   "external_id": "1001",
   "weekly": {
    "mon": true,
    "tue": true,
    "wed": true,
    "thu": true,
    "fri": true,
    "sat": false,
    "sun": false
   }
  }
 ],
 "events": [
  {
   "ref": 612103,
   "name": "612103-CF-Apple Slices (250821530146) - V2-CORE",
   "type": "core",
   "start": "2026-03-03",
   "due": "2026-03-10",
   "condition": "scheduled"
  }
 ],
 "rotations": {
  "juicer": {},
  "primary_lead": {
   "mon": "E01"
  }
 },
 "rotation_exceptions": [],
 "holidays": [],
 "locked_days": [],
 "posted": [
  {
   "event": 612103,
   "employee": "E01",
   "at": "2026-03-04T09:45"
  }
 ]
}
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("Write (-want +got):\n%s", diff)
	}
}
