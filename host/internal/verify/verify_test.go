package verify_test

import (
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/verify"
	"github.com/crewplan/crewplan/sdk/civil"
)

// The people of every hand-written case. 2026-03-02 ("now") is a Monday;
// 2026-03-11 is locked and 2026-03-12 a holiday.
const people = `
	{"id": "S1", "name": "Sam Club", "role": "club_supervisor"},
	{"id": "L1", "name": "Lee Lead", "role": "lead"},
	{"id": "L2", "name": "Lou Lead", "role": "lead"},
	{"id": "P1", "name": "Pat Spec", "role": "specialist", "weekly": {"sun": false}},
	{"id": "P2", "name": "Pia Spec", "role": "specialist",
	 "time_off": [{"start": "2026-03-05", "end": "2026-03-06"}], "unavailable": ["2026-03-09"]},
	{"id": "P3", "name": "Pax Spec", "role": "specialist", "terminated_on": "2026-03-06"},
	{"id": "P4", "name": "Pom Spec", "role": "specialist", "active": false},
	{"id": "J1", "name": "Jo Juicer", "role": "juicer"}`

// Events the cases share; a case lists the ones it uses.
const (
	// coreA is due 2026-03-10, its supervisor pairs with it by name.
	coreA = `{"ref": 100001, "name": "100001-CF-Apple (111111111111) - V2-CORE", "start": "2026-03-03", "due": "2026-03-10"}`
	supA  = `{"ref": 200001, "name": "100001-CF-Apple (111111111111) - V2-Supervisor", "start": "2026-03-03", "due": "2026-03-10"}`
	// coreB is due 2026-03-13.
	coreB = `{"ref": 100002, "name": "100002-CF-Pear (222222222222) - V2-CORE", "start": "2026-03-03", "due": "2026-03-13"}`
	// coreUrgent is due the day after today.
	coreUrgent = `{"ref": 100003, "name": "100003-CF-Plum (333333333333) - V2-CORE", "start": "2026-03-02", "due": "2026-03-03"}`
	freeosk    = `{"ref": 400001, "name": "400001-FREEOSK Snacks", "start": "2026-03-03", "due": "2026-03-10"}`
	production = `{"ref": 300001, "name": "300001-JUICER-PRODUCTION-SPCLTY", "start": "2026-03-03", "due": "2026-03-10"}`
	survey     = `{"ref": 300002, "name": "300002-JUICER-SURVEY", "start": "2026-03-03", "due": "2026-03-10"}`
)

// tcase is a tiny scenario and result and the problems Check must find.
type tcase struct {
	name     string
	settings string // the settings object, "" for the defaults
	events   []string
	posted   string // the posted array's elements
	// proposals and failures are the result's array elements.
	proposals string
	failures  string
	want      []string // "REF RULE", in Check's order
}

func (tc *tcase) scenario(t *testing.T) *scenario.Scenario {
	t.Helper()
	settings := ""
	if tc.settings != "" {
		settings = `"settings": ` + tc.settings + `,`
	}
	doc := fmt.Sprintf(`{"version": 1, "now": "2026-03-02T08:00", %s
		"employees": [%s],
		"events": [%s],
		"holidays": [{"date": "2026-03-12", "name": "closed"}],
		"locked_days": [{"date": "2026-03-11", "reason": "inventory"}],
		"posted": [%s]}`, settings, people, strings.Join(tc.events, ",\n"), tc.posted)
	sc, err := scenario.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("scenario: %v\n%s", err, doc)
	}
	return sc
}

func (tc *tcase) result(t *testing.T) *scenario.Result {
	t.Helper()
	doc := fmt.Sprintf(`{"version": 1,
		"run": {"id": 1, "status": "completed", "considered": 0, "placed": 0, "failed": 0, "bumps": 0, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 0},
		"proposals": [%s], "failures": [%s]}`, tc.proposals, tc.failures)
	res, err := scenario.ParseResult([]byte(doc))
	if err != nil {
		t.Fatalf("result: %v\n%s", err, doc)
	}
	return res
}

func run(t *testing.T, cases []tcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			problems := verify.Check(tc.scenario(t), tc.result(t))
			var got []string
			for _, p := range problems {
				got = append(got, fmt.Sprintf("%d %s", p.Event, p.Rule))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nall problems:\n%s", diff, lines(problems))
			}
		})
	}
}

func lines(ps []verify.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestValid(t *testing.T) {
	run(t, []tcase{
		{
			name:      "one core",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-03T09:45"}`,
		},
		{
			name:     "nothing to do",
			events:   []string{strings.Replace(coreA, `"due"`, `"condition": "canceled", "due"`, 1)},
			failures: ``,
		},
		{
			name:     "a failure is always allowed",
			events:   []string{coreA},
			failures: `{"event": 100001, "reason": "no qualified employee free before due date"}`,
		},
		{
			// A full day: a core with its supervisor paired by name, a
			// short freeosk during a lead's core, a juicer's survey at
			// the end of their production, and an urgent core bumping a
			// posted one whose supervisor moves with it.
			name: "a full schedule",
			events: []string{coreA, supA, freeosk, production, survey, coreUrgent, coreB,
				`{"ref": 200002, "name": "100002-CF-Pear (222222222222) - V2-Supervisor", "start": "2026-03-03", "due": "2026-03-13", "parent_ref": 100002}`},
			posted: `{"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"},
				{"event": 200002, "employee": "S1", "at": "2026-03-03T12:00"}`,
			proposals: `
				{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"},
				{"event": 200001, "employee": "S1", "at": "2026-03-05T12:00"},
				{"event": 400001, "employee": "L1", "at": "2026-03-05T10:00"},
				{"event": 300001, "employee": "J1", "at": "2026-03-05T09:00"},
				{"event": 300002, "employee": "J1", "at": "2026-03-05T17:00"},
				{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45",
				 "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}},
				{"event": 100002, "employee": "L2", "at": "2026-03-06T10:30"},
				{"event": 200002, "employee": "L1", "at": "2026-03-06T12:00",
				 "bumps": {"event": 200002, "employee": "S1", "at": "2026-03-03T12:00"}}`,
		},
		{
			name:      "the due day itself",
			events:    []string{strings.Replace(coreA, `"start": "2026-03-03"`, `"start": "2026-03-10"`, 1)},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-10T09:45"}`,
		},
		{
			name:      "earliest day from settings",
			settings:  `{"earliest_offset_days": {"core": 0, "default": 1}}`,
			events:    []string{coreUrgent, freeosk},
			proposals: `{"event": 100003, "employee": "L1", "at": "2026-03-02T09:45"}, {"event": 400001, "employee": "L2", "at": "2026-03-03T10:00"}`,
		},
		{
			name:      "the day before termination",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "P3", "at": "2026-03-05T09:45"}`,
		},
		{
			name:      "a juicer on a core on a day without juicer work",
			events:    []string{coreA, survey},
			proposals: `{"event": 100001, "employee": "J1", "at": "2026-03-05T09:45"}, {"event": 300002, "employee": "J1", "at": "2026-03-06T17:00"}`,
		},
		{
			name:      "a new week starts on Sunday",
			settings:  `{"max_work_days_per_week": 2}`,
			events:    []string{coreA, coreB, freeosk},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-06T09:45"}, {"event": 100002, "employee": "L1", "at": "2026-03-07T09:45"}, {"event": 400001, "employee": "L1", "at": "2026-03-08T10:00"}`,
		},
		{
			name:      "a supervisor with a posted core",
			events:    []string{strings.Replace(coreA, `"due"`, `"condition": "scheduled", "due"`, 1), supA},
			posted:    `{"event": 100001, "employee": "P1", "at": "2026-03-05T09:45"}`,
			proposals: `{"event": 200001, "employee": "L2", "at": "2026-03-05T12:00"}`,
		},
	})
}

func TestRules(t *testing.T) {
	run(t, []tcase{
		{
			name:      "window: after due",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-13T09:45"}`,
			want:      []string{"100001 window"},
		},
		{
			name:      "window: before start",
			events:    []string{strings.Replace(coreA, `"start": "2026-03-03"`, `"start": "2026-03-05"`, 1)},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-04T09:45"}`,
			want:      []string{"100001 window"},
		},
		{
			name:      "earliest_day: a core today",
			events:    []string{coreUrgent},
			proposals: `{"event": 100003, "employee": "L1", "at": "2026-03-02T09:45"}`,
			want:      []string{"100003 earliest_day"},
		},
		{
			name:      "earliest_day: a freeosk two days out",
			events:    []string{freeosk},
			proposals: `{"event": 400001, "employee": "L1", "at": "2026-03-04T10:00"}`,
			want:      []string{"400001 earliest_day"},
		},
		{
			name:      "earliest_day: the default offset from settings",
			settings:  `{"earliest_offset_days": {"default": 5}}`,
			events:    []string{freeosk},
			proposals: `{"event": 400001, "employee": "L1", "at": "2026-03-06T10:00"}`,
			want:      []string{"400001 earliest_day"},
		},
		{
			name:      "closed_day",
			events:    []string{coreB},
			proposals: `{"event": 100002, "employee": "L1", "at": "2026-03-12T09:45"}`,
			want:      []string{"100002 closed_day"},
		},
		{
			name:      "locked_day",
			events:    []string{coreB},
			proposals: `{"event": 100002, "employee": "L1", "at": "2026-03-11T09:45"}`,
			want:      []string{"100002 locked_day"},
		},
		{
			name:      "can_work: no such employee",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "Z9", "at": "2026-03-05T09:45"}`,
			want:      []string{"100001 can_work"},
		},
		{
			name:      "can_work: not active",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "P4", "at": "2026-03-05T09:45"}`,
			want:      []string{"100001 can_work"},
		},
		{
			name:      "can_work: terminated that day",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "P3", "at": "2026-03-06T09:45"}`,
			want:      []string{"100001 can_work"},
		},
		{
			name:      "can_work: last day of time off",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "P2", "at": "2026-03-06T09:45"}`,
			want:      []string{"100001 can_work"},
		},
		{
			name:      "can_work: unavailable that day",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "P2", "at": "2026-03-09T09:45"}`,
			want:      []string{"100001 can_work"},
		},
		{
			name:      "can_work: weekly pattern",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "P1", "at": "2026-03-08T09:45"}`,
			want:      []string{"100001 can_work"},
		},
		{
			name:      "qualified: a juicer on a freeosk",
			events:    []string{freeosk},
			proposals: `{"event": 400001, "employee": "J1", "at": "2026-03-05T10:00"}`,
			want:      []string{"400001 qualified"},
		},
		{
			name:      "qualified: a lead on juicer production",
			events:    []string{production},
			proposals: `{"event": 300001, "employee": "L1", "at": "2026-03-05T09:00"}`,
			want:      []string{"300001 qualified"},
		},
		{
			name:      "qualified: a specialist on a supervisor event",
			events:    []string{strings.Replace(coreA, `"due"`, `"condition": "scheduled", "due"`, 1), supA},
			posted:    `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			proposals: `{"event": 200001, "employee": "P1", "at": "2026-03-05T12:00"}`,
			want:      []string{"200001 qualified"},
		},
		{
			name:      "qualified: a juicer's core on a day with their survey",
			events:    []string{coreA, survey},
			proposals: `{"event": 100001, "employee": "J1", "at": "2026-03-05T09:45"}, {"event": 300002, "employee": "J1", "at": "2026-03-05T17:00"}`,
			want:      []string{"100001 qualified"},
		},
		{
			name:      "role_preference: a club supervisor on a core",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "S1", "at": "2026-03-05T09:45"}`,
			want:      []string{"100001 role_preference"},
		},
		{
			name: "one_core_per_day",
			events: []string{
				strings.Replace(coreA, `"due"`, `"duration_min": 30, "due"`, 1),
				strings.Replace(coreB, `"due"`, `"duration_min": 30, "due"`, 1),
			},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}, {"event": 100002, "employee": "L1", "at": "2026-03-05T11:00"}`,
			want:      []string{"100001 one_core_per_day"},
		},
		{
			name:      "one_core_per_day: with a posted core",
			events:    []string{strings.Replace(coreA, `"due"`, `"duration_min": 30, "condition": "scheduled", "due"`, 1), coreB},
			posted:    `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:00"}`,
			proposals: `{"event": 100002, "employee": "L1", "at": "2026-03-05T09:45"}`,
			want:      []string{"100002 one_core_per_day"},
		},
		{
			name:      "no_overlap: a long other event during a core",
			events:    []string{coreA, `{"ref": 500001, "name": "500001 Tasting", "start": "2026-03-03", "due": "2026-03-10", "duration_min": 31}`},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}, {"event": 500001, "employee": "L1", "at": "2026-03-05T16:14"}`,
			want:      []string{"500001 no_overlap"},
		},
		{
			name:      "no_overlap: juicer production across a posted one",
			events:    []string{strings.Replace(production, `"due"`, `"condition": "scheduled", "due"`, 1), `{"ref": 300003, "name": "300003-JUICER-PRODUCTION", "start": "2026-03-03", "due": "2026-03-10"}`},
			posted:    `{"event": 300001, "employee": "J1", "at": "2026-03-05T09:00"}`,
			proposals: `{"event": 300003, "employee": "J1", "at": "2026-03-05T17:59"}`,
			want:      []string{"300003 no_overlap"},
		},
		{
			name:      "max_work_days",
			settings:  `{"max_work_days_per_week": 2}`,
			events:    []string{strings.Replace(coreA, `"due"`, `"condition": "scheduled", "due"`, 1), coreB, freeosk},
			posted:    `{"event": 100001, "employee": "L1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100002, "employee": "L1", "at": "2026-03-04T09:45"}, {"event": 400001, "employee": "L1", "at": "2026-03-07T10:00"}`,
			want:      []string{"100002 max_work_days"},
		},
		{
			name:      "supervisor_pairing: another day than its posted core",
			events:    []string{strings.Replace(coreA, `"due"`, `"condition": "scheduled", "due"`, 1), supA},
			posted:    `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			proposals: `{"event": 200001, "employee": "S1", "at": "2026-03-06T12:00"}`,
			want:      []string{"200001 supervisor_pairing"},
		},
		{
			name: "supervisor_pairing: parent_ref wins over the name",
			events: []string{coreA, coreB,
				`{"ref": 200001, "name": "100001-CF-Apple (111111111111) - V2-Supervisor", "start": "2026-03-03", "due": "2026-03-10", "parent_ref": 100002}`},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}, {"event": 100002, "employee": "L2", "at": "2026-03-06T09:45"},
				{"event": 200001, "employee": "S1", "at": "2026-03-05T12:00"}`,
			want: []string{"200001 supervisor_pairing"},
		},
		{
			name:      "supervisor_pairing: its core is failed",
			events:    []string{coreA, supA},
			failures:  `{"event": 100001, "reason": "nobody"}`,
			proposals: `{"event": 200001, "employee": "S1", "at": "2026-03-05T12:00"}`,
			want:      []string{"200001 supervisor_pairing"},
		},
		{
			name:      "supervisor_pairing: no core at all",
			events:    []string{`{"ref": 200009, "name": "Lone V2-Supervisor", "start": "2026-03-03", "due": "2026-03-10"}`},
			proposals: `{"event": 200009, "employee": "S1", "at": "2026-03-05T12:00"}`,
			want:      []string{"200009 supervisor_pairing"},
		},
		{
			name:   "supervisor_pairing: a posted supervisor left behind by its bumped core",
			events: []string{coreUrgent, strings.Replace(coreA, `"due"`, `"condition": "scheduled", "due"`, 1), strings.Replace(supA, `"due"`, `"condition": "scheduled", "due"`, 1)},
			posted: `{"event": 100001, "employee": "P1", "at": "2026-03-03T09:45"}, {"event": 200001, "employee": "S1", "at": "2026-03-03T12:00"}`,
			proposals: `{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45", "bumps": {"event": 100001, "employee": "P1", "at": "2026-03-03T09:45"}},
				{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			want: []string{"200001 supervisor_pairing"},
		},
	})
}

func TestCoverage(t *testing.T) {
	run(t, []tcase{
		{
			name:      "an unstaffed event left out",
			events:    []string{coreA, coreB},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			want:      []string{"100002 coverage"},
		},
		{
			name:      "a proposal for an unknown event",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}, {"event": 999999, "employee": "L2", "at": "2026-03-05T09:45"}`,
			want:      []string{"999999 coverage"},
		},
		{
			name:      "a failure for an unknown event",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			failures:  `{"event": 999999, "reason": "x"}`,
			want:      []string{"999999 coverage"},
		},
		{
			name:      "proposed and failed",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			failures:  `{"event": 100001, "reason": "x"}`,
			want:      []string{"100001 coverage"},
		},
		{
			name:      "proposed twice",
			events:    []string{coreA},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}, {"event": 100001, "employee": "L2", "at": "2026-03-06T09:45"}`,
			want:      []string{"100001 coverage"},
		},
		{
			name:      "a canceled event proposed",
			events:    []string{strings.Replace(coreA, `"due"`, `"condition": "canceled", "due"`, 1)},
			proposals: `{"event": 100001, "employee": "L1", "at": "2026-03-05T09:45"}`,
			want:      []string{"100001 coverage"},
		},
		{
			name:      "a posted event proposed without a bump",
			events:    []string{coreB},
			posted:    `{"event": 100002, "employee": "L1", "at": "2026-03-05T09:45"}`,
			proposals: `{"event": 100002, "employee": "L2", "at": "2026-03-06T09:45"}`,
			want:      []string{"100002 coverage"},
		},
		{
			name:      "a bumped event neither re-placed nor failed",
			events:    []string{coreUrgent, strings.Replace(coreB, `"due"`, `"condition": "scheduled", "due"`, 1)},
			posted:    `{"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}}`,
			want:      []string{"100002 coverage"},
		},
	})
}

func TestBump(t *testing.T) {
	scheduledB := strings.Replace(coreB, `"due"`, `"condition": "scheduled", "due"`, 1)
	run(t, []tcase{
		{
			name:      "a valid bump",
			events:    []string{coreUrgent, scheduledB},
			posted:    `{"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}}`,
			failures:  `{"event": 100002, "reason": "nobody free before due"}`,
		},
		{
			name:      "names a posted assignment inexactly",
			events:    []string{coreUrgent, scheduledB},
			posted:    `{"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100003, "employee": "L1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T10:30"}}`,
			want:      []string{"100003 bump"},
		},
		{
			name:   "names no posted assignment",
			events: []string{coreUrgent, coreB},
			proposals: `{"event": 100003, "employee": "L1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}},
				{"event": 100002, "employee": "L2", "at": "2026-03-04T09:45"}`,
			want: []string{"100003 bump"},
		},
		{
			name:   "the same posted assignment bumped twice",
			events: []string{coreUrgent, scheduledB, `{"ref": 100004, "name": "100004-CF-Fig (444444444444) - V2-CORE", "start": "2026-03-02", "due": "2026-03-04"}`},
			posted: `{"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}},
				{"event": 100004, "employee": "L1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}},
				{"event": 100002, "employee": "L2", "at": "2026-03-04T09:45"}`,
			want: []string{"100004 bump"},
		},
		{
			name:   "the displaced event is not due later",
			events: []string{strings.Replace(coreB, `"ref": 100002`, `"ref": 100009`, 1), scheduledB},
			posted: `{"event": 100002, "employee": "P1", "at": "2026-03-04T09:45"}`,
			proposals: `{"event": 100009, "employee": "P1", "at": "2026-03-04T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-04T09:45"}},
				{"event": 100002, "employee": "L2", "at": "2026-03-05T09:45"}`,
			want: []string{"100009 bump"},
		},
		{
			name: "the displaced event is protected",
			events: []string{coreUrgent,
				`{"ref": 100005, "name": "100005-CF-Kiwi (555555555555) - V2-CORE", "start": "2026-03-02", "due": "2026-03-04", "condition": "scheduled"}`},
			posted:    `{"event": 100005, "employee": "P1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45", "bumps": {"event": 100005, "employee": "P1", "at": "2026-03-03T09:45"}}`,
			failures:  `{"event": 100005, "reason": "nobody"}`,
			want:      []string{"100003 bump"},
		},
		{
			name:      "bump_protect_days from settings",
			settings:  `{"bump_protect_days": 11}`,
			events:    []string{coreUrgent, scheduledB},
			posted:    `{"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}`,
			proposals: `{"event": 100003, "employee": "P1", "at": "2026-03-03T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-03T09:45"}}`,
			failures:  `{"event": 100002, "reason": "nobody"}`,
			want:      []string{"100003 bump"},
		},
		{
			name:      "a posted assignment on a locked day",
			events:    []string{strings.Replace(coreUrgent, `"due": "2026-03-03"`, `"due": "2026-03-11"`, 1), scheduledB},
			posted:    `{"event": 100002, "employee": "P1", "at": "2026-03-11T09:45"}`,
			proposals: `{"event": 100003, "employee": "L1", "at": "2026-03-10T09:45", "bumps": {"event": 100002, "employee": "P1", "at": "2026-03-11T09:45"}}`,
			failures:  `{"event": 100002, "reason": "nobody"}`,
			want:      []string{"100003 bump"},
		},
		{
			name:      "a freeosk bumps a core",
			events:    []string{strings.Replace(freeosk, `"start": "2026-03-03"`, `"start": "2026-03-02"`, 1), scheduledB},
			posted:    `{"event": 100002, "employee": "L1", "at": "2026-03-05T09:45"}`,
			proposals: `{"event": 400001, "employee": "L1", "at": "2026-03-05T10:00", "bumps": {"event": 100002, "employee": "L1", "at": "2026-03-05T09:45"}}`,
			failures:  `{"event": 100002, "reason": "nobody"}`,
			want:      []string{"400001 bump"},
		},
		{
			name:      "a core bumps a posted freeosk",
			events:    []string{coreUrgent, strings.Replace(freeosk, `"due": "2026-03-10"`, `"due": "2026-03-13", "condition": "scheduled"`, 1)},
			posted:    `{"event": 400001, "employee": "L1", "at": "2026-03-05T10:00"}`,
			proposals: `{"event": 100003, "employee": "L2", "at": "2026-03-03T09:45", "bumps": {"event": 400001, "employee": "L1", "at": "2026-03-05T10:00"}}`,
			failures:  `{"event": 400001, "reason": "nobody"}`,
			want:      []string{"100003 bump"},
		},
		{
			name:      "a core moves its own posted assignment",
			events:    []string{scheduledB},
			posted:    `{"event": 100002, "employee": "L1", "at": "2026-03-05T09:45"}`,
			proposals: `{"event": 100002, "employee": "L1", "at": "2026-03-06T09:45", "bumps": {"event": 100002, "employee": "L1", "at": "2026-03-05T09:45"}}`,
			want:      []string{"100002 bump"},
		},
		{
			name:      "a supervisor moves though its core stays",
			events:    []string{strings.Replace(coreA, `"due"`, `"condition": "scheduled", "due"`, 1), strings.Replace(supA, `"due"`, `"condition": "scheduled", "due"`, 1)},
			posted:    `{"event": 100001, "employee": "P1", "at": "2026-03-05T09:45"}, {"event": 200001, "employee": "S1", "at": "2026-03-05T12:00"}`,
			proposals: `{"event": 200001, "employee": "L1", "at": "2026-03-05T12:00", "bumps": {"event": 200001, "employee": "S1", "at": "2026-03-05T12:00"}}`,
			want:      []string{"200001 bump"},
		},
	})
}

// TestSharedCases checks a result built by hand for each shared case: the
// must_place entries that name an employee and a date become proposals (at
// the type's default start), the others are placed by hand below, must_fail
// refs become failures, and must_bump refs are bumped by the proposal that
// takes their posted employee and day.
func TestSharedCases(t *testing.T) {
	const dir = "../../../testdata/scenarios/cases"
	// handPicked places the must_place entries that leave the employee or
	// date open, each on a day and with a person that breaks no rule.
	handPicked := map[string]map[int64]scenario.Proposal{
		"bump-for-urgent":   {700402: {Employee: "E02", At: at("2026-03-04T09:45")}},
		"due-day-allowed":   {700001: {Employee: "E02", At: at("2026-03-05T09:45")}},
		"orphan-supervisor": {1200301: {Employee: "E01", At: at("2026-03-05T12:00")}},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no shared cases in %s", dir)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".expect.json")
		t.Run(name, func(t *testing.T) {
			sc, err := scenario.ParseFile(filepath.Join(dir, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			exp := readExpect(t, file)
			res := &scenario.Result{Version: 1, Run: scenario.RunRecord{ID: 1, Status: "completed", Ranker: "rules"}}
			for _, ref := range sortedRefs(exp.MustPlace) {
				want := exp.MustPlace[ref]
				p, ok := handPicked[name][ref]
				switch {
				case want.Employee != "" && want.Date != "":
					p = scenario.Proposal{Employee: want.Employee, At: civil.DateTime{Date: civil.MustParseDate(want.Date), Clock: defaultStart(t, sc, ref)}}
				case !ok:
					t.Fatalf("must_place %d leaves the employee or date open: place it by hand in handPicked", ref)
				case want.Date != "" && p.At.Date.String() != want.Date:
					t.Fatalf("handPicked %d is on %s, the case wants %s", ref, p.At.Date, want.Date)
				}
				p.Event = ref
				res.Proposals = append(res.Proposals, p)
			}
			for _, ref := range exp.MustFail {
				res.Failures = append(res.Failures, scenario.Failure{Event: ref, Reason: "no valid schedule"})
			}
			for _, ref := range exp.MustBump {
				bumpPosted(t, sc, res, ref)
			}
			if problems := verify.Check(sc, res); len(problems) > 0 {
				t.Errorf("problems with the hand-built result:\n%s", lines(problems))
			}
		})
	}
}

// TestEmptyResult checks that a result with neither proposals nor failures
// breaks only coverage, once for each unstaffed event without a posted
// schedule, on the shared scenarios.
func TestEmptyResult(t *testing.T) {
	files, _ := filepath.Glob("../../../testdata/scenarios/*.json")
	if len(files) == 0 {
		t.Skip("no shared scenarios")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			sc, err := scenario.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			posted := map[int64]bool{}
			for _, a := range sc.Posted {
				posted[a.Event] = true
			}
			var refs []int64
			for _, ev := range sc.Events {
				if ev.Condition == "unstaffed" && !posted[ev.Ref] {
					refs = append(refs, ev.Ref)
				}
			}
			slices.Sort(refs)
			var want []string
			for _, ref := range refs {
				want = append(want, fmt.Sprintf("%d coverage", ref))
			}
			var got []string
			for _, p := range verify.Check(sc, &scenario.Result{Version: 1}) {
				got = append(got, fmt.Sprintf("%d %s", p.Event, p.Rule))
			}
			if len(want) == 0 {
				t.Fatal("the scenario has nothing to place")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

type expectation struct {
	MustPlace map[int64]struct {
		Employee string `json:"employee"`
		Date     string `json:"date"`
	} `json:"must_place"`
	MustFail    []int64 `json:"must_fail"`
	MustBump    []int64 `json:"must_bump"`
	MustNotBump []int64 `json:"must_not_bump"`
}

func readExpect(t *testing.T, file string) *expectation {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var exp expectation
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &exp
}

func sortedRefs[V any](m map[int64]V) []int64 {
	refs := make([]int64, 0, len(m))
	for ref := range m {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	return refs
}

// defaultStart returns the start time of event ref by the rules' table: the
// first core slot for a core event, else its type's default.
func defaultStart(t *testing.T, sc *scenario.Scenario, ref int64) civil.Clock {
	t.Helper()
	for _, ev := range sc.Events {
		if ev.Ref != ref {
			continue
		}
		switch {
		case ev.Type == "core":
			return sc.Settings.CoreSlots[0]
		case ev.Type == "supervisor":
			return civil.NewClock(12, 0)
		case ev.Type == "juicer" && ev.Kind == "survey":
			return civil.NewClock(17, 0)
		case ev.Type == "juicer":
			return civil.NewClock(9, 0)
		case ev.Type == "freeosk":
			return civil.NewClock(10, 0)
		case ev.Type == "digital":
			return civil.NewClock(10, 15)
		default:
			return civil.NewClock(11, 0)
		}
	}
	t.Fatalf("no event %d", ref)
	return 0
}

// bumpPosted makes the proposal that takes the posted assignment of event
// ref's employee and day bump it.
func bumpPosted(t *testing.T, sc *scenario.Scenario, res *scenario.Result, ref int64) {
	t.Helper()
	for _, a := range sc.Posted {
		if a.Event != ref {
			continue
		}
		for i := range res.Proposals {
			p := &res.Proposals[i]
			if p.Event != ref && p.Employee == a.Employee && p.At.Date == a.At.Date {
				p.Bumps = &a
				return
			}
		}
		t.Fatalf("must_bump %d: no proposal takes %s on %s", ref, a.Employee, a.At.Date)
	}
	t.Fatalf("must_bump %d: not posted", ref)
}

func at(s string) civil.DateTime {
	dt, err := civil.ParseDateTime(s)
	if err != nil {
		panic(err)
	}
	return dt
}

// TestImports keeps verify independent of the code it checks: it may
// import only the scenario package, sdk/civil and the standard library.
func TestImports(t *testing.T) {
	allowed := []string{
		"github.com/crewplan/crewplan/host/internal/scenario",
		"github.com/crewplan/crewplan/sdk/civil",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, ".") && !slices.Contains(allowed, path) {
				t.Errorf("%s imports %s; verify may import only %v and the standard library", file, path, allowed)
			}
		}
	}
}

func ExampleCheck() {
	sc, err := scenario.Parse(strings.NewReader(`{"version": 1, "now": "2026-03-02T08:00",
		"employees": [{"id": "E01", "name": "Ana Ruiz", "role": "lead"}],
		"events": [{"ref": 612103, "name": "612103-CF-Apple Slices (250821530146) - V2-CORE", "start": "2026-03-03", "due": "2026-03-10"}],
		"holidays": [{"date": "2026-03-11"}]}`))
	if err != nil {
		panic(err)
	}
	res, err := scenario.ParseResult([]byte(`{"version": 1,
		"run": {"id": 1, "status": "completed", "considered": 1, "placed": 1, "failed": 0, "bumps": 0, "ranker": "rules", "fallbacks": 0, "elapsed_ms": 2},
		"proposals": [{"event": 612103, "employee": "E01", "at": "2026-03-11T09:45"}]}`))
	if err != nil {
		panic(err)
	}
	for _, p := range verify.Check(sc, res) {
		fmt.Println(p)
	}
	// Output:
	// event 612103: closed_day: 2026-03-11 is a holiday
	// event 612103: window: 2026-03-11 is after due 2026-03-10
}
