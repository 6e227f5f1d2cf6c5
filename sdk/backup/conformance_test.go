package backup_test

import (
	"testing"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

func TestMemTargetConformance(t *testing.T) {
	sdktest.TestTarget(t, func(*testing.T) backup.Target { return newMem() })
}
