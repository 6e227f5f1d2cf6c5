package pluginhost

import (
	"os"
	"slices"

	"github.com/crewplan/crewplan/host/internal/rules"

	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
	backups3 "github.com/crewplan/crewplan/plugins/backup-s3"
	rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"
	rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"
	rulespeople "github.com/crewplan/crewplan/plugins/rules-people"
	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
)

// builtins are the plugins shipped inside the crewplan binary: the host
// re-executes itself with `internal-plugin NAME`, which calls the plugin's
// Serve, so a fresh checkout runs with `go run` and one binary holds all.
var builtins = map[string]func(){
	"rules-calendar": rulescalendar.Serve,
	"rules-people":   rulespeople.Serve,
	"rules-workload": rulesworkload.Serve,
	"rules-pairing":  rulespairing.Serve,
	"backup-local":   backuplocal.Serve,
	"backup-s3":      backups3.Serve,
}

// builtinRules are the built-in plugins that are rules.
var builtinRules = []string{"rules-calendar", "rules-pairing", "rules-people", "rules-workload"}

// BuiltinRules returns the names of the built-in rule plugins, sorted.
func BuiltinRules() []string { return slices.Clone(builtinRules) }

// IsBuiltin reports whether name is a plugin built into crewplan.
func IsBuiltin(name string) bool {
	_, ok := builtins[name]
	return ok
}

// ServeBuiltin runs the built-in plugin name in this process (the plugin
// side of a re-executed host) and reports whether there is one.
func ServeBuiltin(name string) bool {
	serve, ok := builtins[name]
	if !ok {
		return false
	}
	serve()
	return true
}

// ServeIfPluginMode serves a built-in plugin and reports true when this
// process was started as one (`PROGRAM internal-plugin NAME`). A test
// binary that builds an app calls it first thing in TestMain, so that the
// host can re-execute the test binary for its built-in plugins as it
// re-executes crewplan.
func ServeIfPluginMode() bool {
	if len(os.Args) != 3 || os.Args[1] != InternalPluginCommand {
		return false
	}
	if !ServeBuiltin(os.Args[2]) {
		os.Exit(2)
	}
	return true
}

// InProcessRules returns a rule engine over the built-in rules' code run
// in this process, not as plugins: the baseline that benchmarks compare
// the plugin processes with, and a fast engine for tests of what sits on
// top of the rules. Production always asks the plugin processes.
func InProcessRules() *rules.Engine {
	return rules.NewEngine(
		rules.Named{Name: "rules-calendar", Rule: rulescalendar.New()},
		rules.Named{Name: "rules-pairing", Rule: rulespairing.New()},
		rules.Named{Name: "rules-people", Rule: rulespeople.New()},
		rules.Named{Name: "rules-workload", Rule: rulesworkload.New()},
	)
}
