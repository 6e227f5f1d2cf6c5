package rulescalendar_test

import (
	"os"
	"testing"

	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// process is this plugin as a real plugin process (its cmd/ binary), which
// every test case also runs through: check compares it with the rule in
// process.
var process *rule.Client

func TestMain(m *testing.M) {
	os.Exit(sdktest.MainWithPlugin(m, "github.com/crewplan/crewplan/plugins/rules-calendar/cmd", &process))
}
