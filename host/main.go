// Command crewplan schedules in-store demo staff. It serves the web UI and
// the JSON API and runs the command line; see `crewplan --help`.
package main

import (
	"os"
	// The store's time zone must load on machines without zoneinfo.
	_ "time/tzdata"

	"github.com/crewplan/crewplan/host/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:]))
}
