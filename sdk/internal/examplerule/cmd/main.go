// Command examplerule is the example rule as a plugin binary; with the
// argument "pass" it serves the rule that passes everything.
package main

import (
	"os"

	"github.com/crewplan/crewplan/sdk/internal/examplerule"
	"github.com/crewplan/crewplan/sdk/rule"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "pass" {
		rule.Serve(examplerule.Pass{})
		return
	}
	rule.Serve(&examplerule.Availability{})
}
