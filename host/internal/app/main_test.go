package app_test

import (
	"os"
	"testing"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
)

// TestMain lets the app re-execute this test binary for its built-in
// plugins, as it re-executes crewplan.
func TestMain(m *testing.M) {
	if pluginhost.ServeIfPluginMode() {
		return
	}
	os.Exit(m.Run())
}
