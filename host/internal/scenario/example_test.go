package scenario_test

import (
	"fmt"
	"strings"

	"github.com/crewplan/crewplan/host/internal/scenario"
)

func ExampleParse() {
	_, err := scenario.Parse(strings.NewReader(`{
	  "version": 1,
	  "now": "2026-03-02T08:00",
	  "employees": [{"id": "E01", "name": "Ana Ruiz", "role": "manager"}],
	  "events": [{"ref": 612103, "name": "612103-CF-Apple Slices (250821530146) - V2-CORE",
	              "start": "2026-03-05", "due": "2026-03-01", "duraton": 30}],
	  "posted": [{"event": 612103, "employee": "E99", "at": "2026-03-04T09:45"}]
	}`))
	fmt.Println(err)
	// Output:
	// employees[0].role: "manager" is not a role (club_supervisor, lead, specialist, juicer)
	// events[0]: unknown field "duraton"
	// events[0].due: 2026-03-01 is before start 2026-03-05
	// posted[0].employee: no employee "E99"
}

func ExampleGenerate() {
	s, err := scenario.Generate(scenario.GenerateOptions{Employees: 12, Weeks: 1, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(s.Employees), s.Now, s.Employees[0].Role)
	// Output: 12 2026-03-02T08:00 club_supervisor
}
