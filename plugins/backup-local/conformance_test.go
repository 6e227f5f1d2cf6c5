package backuplocal_test

import (
	"testing"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// TestConformance runs the SDK's conformance suite for backup targets
// against the folder target, each case on a folder of its own.
func TestConformance(t *testing.T) {
	sdktest.TestTarget(t, func(t *testing.T) backup.Target { return newTarget(t, t.TempDir()) })
}
