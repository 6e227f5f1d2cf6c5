package sdktest_test

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

const memTargetPkg = "github.com/crewplan/crewplan/sdk/sdktest/testdata/memtarget"

var (
	memTargetOnce sync.Once
	memTargetPath string
	memTargetErr  error
)

// memTargetBinary builds the in-memory target plugin once per test binary.
func memTargetBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a plugin binary")
	}
	memTargetOnce.Do(func() {
		memTargetPath = filepath.Join(binDir, "memtarget")
		out, err := exec.Command("go", "build", "-o", memTargetPath, memTargetPkg).CombinedOutput()
		if err != nil {
			memTargetErr = fmt.Errorf("build %s: %v\n%s", memTargetPkg, err, out)
		}
	})
	if memTargetErr != nil {
		t.Fatal(memTargetErr)
	}
	return memTargetPath
}

// TestLaunchTargetConformance runs the conformance suite on a target
// plugin process, launched afresh for each case as the host launches it.
func TestLaunchTargetConformance(t *testing.T) {
	bin := memTargetBinary(t)
	sdktest.TestTarget(t, func(t *testing.T) backup.Target { return sdktest.LaunchTarget(t, bin) })
}

func TestLaunchTarget(t *testing.T) {
	c := sdktest.LaunchTarget(t, memTargetBinary(t))
	info, err := c.Info(t.Context())
	if err != nil || info.Name != "backup-memtarget" || info.Type != plugin.TypeBackup {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	if err := c.Configure(t.Context(), []byte(`{"bucket": "x"}`)); !errors.Is(err, plugin.ErrBadConfig) {
		t.Fatalf("Configure with an unknown field = %v, want ErrBadConfig", err)
	}
	if err := c.Configure(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	// No SelfTester: the plugin self-tests by listing.
	if err := c.SelfTest(t.Context()); err != nil {
		t.Fatal(err)
	}
}
