package backups3_test

import (
	"testing"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// TestConformance runs the SDK's conformance suite for backup targets
// against the bucket target on a real S3-protocol server, each case on a
// bucket of its own.
func TestConformance(t *testing.T) {
	sdktest.TestTarget(t, func(t *testing.T) backup.Target { return newServer(t).target(t, nil) })
}
