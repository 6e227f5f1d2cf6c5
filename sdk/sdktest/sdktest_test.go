package sdktest_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/crewplan/crewplan/sdk/internal/examplerule"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

const examplePkg = "github.com/crewplan/crewplan/sdk/internal/examplerule/cmd"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sdktest")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// exampleBinary builds the example plugin once per test binary (Build
// builds into one test's TempDir, which goes when that test ends).
func exampleBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a plugin binary")
	}
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "examplerule")
		out, err := exec.Command("go", "build", "-o", binPath, examplePkg).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build %s: %v\n%s", examplePkg, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin binary")
	}
	r := sdktest.Launch(t, sdktest.Build(t, "../internal/examplerule/cmd"))
	if info, err := r.Info(t.Context()); err != nil || info.Name != "rules-example" {
		t.Fatalf("Info = %+v, %v", info, err)
	}
}

// batch is a synthetic batch with candidates that break the example rule.
func batch(n int) *rule.Batch {
	b := sdktest.SyntheticBatch(n)
	b.Candidates = append(b.Candidates,
		rule.Candidate{Event: b.Events[0].Ref, Employee: "ghost", Date: b.Holidays[0]},
		rule.Candidate{Event: b.Events[0].Ref, Employee: b.Employees[0].ID, Date: b.Holidays[0]},
	)
	return b
}

// TestPluginBinary runs the whole path: build the plugin, launch it with
// go-plugin as the host does, and compare its answers with the rule run
// in-process.
func TestPluginBinary(t *testing.T) {
	r := sdktest.Launch(t, exampleBinary(t))
	ctx := t.Context()

	info, err := r.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "rules-example" || info.Type != plugin.TypeRule {
		t.Errorf("Info = %+v", info)
	}
	if err := r.SelfTest(ctx); err != nil {
		t.Errorf("SelfTest: %v", err)
	}
	err = r.Configure(ctx, []byte(`{"holidays_soft": "yes"}`))
	if !errors.Is(err, plugin.ErrBadConfig) || !strings.Contains(err.Error(), "holidays_soft") {
		t.Errorf("Configure(bad) = %v, want ErrBadConfig naming holidays_soft", err)
	}

	for _, cfg := range []string{``, `{"holidays_soft": true}`} {
		if err := r.Configure(ctx, []byte(cfg)); err != nil {
			t.Fatalf("Configure(%q): %v", cfg, err)
		}
		local := &examplerule.Availability{}
		if err := local.Configure(ctx, []byte(cfg)); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 10, 10000} {
			b := batch(n)
			want := sdktest.Check(t, local, b)
			got := sdktest.Check(t, r, b)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("config %q, %d candidates (-in-process +plugin):\n%s", cfg, n, diff)
			}
			if n > 0 && got[len(got)-1].OK() {
				t.Fatalf("config %q: a holiday passed", cfg)
			}
		}
	}
}

// TestLargeBatch sends a batch and receives a reply over gRPC's default
// 4 MiB limit, in memory and to a real plugin.
func TestLargeBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("large batch")
	}
	b := sdktest.SyntheticBatch(500000)
	for i := range b.Candidates {
		if i%2 == 0 {
			b.Candidates[i].Employee = "ghost" // a violation each: a large reply
		}
	}
	want := sdktest.Check(t, &examplerule.Availability{}, b)
	for name, r := range map[string]rule.Rule{
		"in-memory": sdktest.ServeInProcessGRPC(t, &examplerule.Availability{}),
		"binary":    sdktest.Launch(t, exampleBinary(t)),
	} {
		got := sdktest.Check(t, r, b)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s (-in-process +gRPC):\n%s", name, diff)
		}
	}
}

func TestLaunchPassRule(t *testing.T) {
	r := sdktest.Launch(t, exampleBinary(t), "pass")
	vs := sdktest.Check(t, r, sdktest.SyntheticBatch(100))
	if len(vs) != 100 || !vs[0].OK() {
		t.Fatalf("pass rule answered %d verdicts", len(vs))
	}
	// No SelfTester: the server self-tests with an empty batch.
	if err := r.SelfTest(t.Context()); err != nil {
		t.Fatal(err)
	}
}
