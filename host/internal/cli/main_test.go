package cli_test

import (
	"os"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
)

// TestMain lets `plugins list` re-execute this test binary for the
// built-in plugins, as it re-executes crewplan.
func TestMain(m *testing.M) {
	if pluginhost.ServeIfPluginMode() {
		return
	}
	os.Exit(m.Run())
}
