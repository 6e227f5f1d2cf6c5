package pluginhost_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/sdk/rule"
	"github.com/crewplan/crewplan/sdk/sdktest"
)

// crewplan is the crewplan binary TestMain builds: the host re-executes it
// to run the built-in plugins.
var crewplan string

func TestMain(m *testing.M) {
	if os.Getenv("PLUGINHOST_TEST_CHILD") == "1" {
		runChildHost()
		return
	}
	dir, err := os.MkdirTemp("", "pluginhost-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	crewplan = filepath.Join(dir, "crewplan")
	build := exec.Command("go", "build", "-o", crewplan, "../..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build crewplan: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newHost(t *testing.T, opts pluginhost.Options) *pluginhost.Host {
	t.Helper()
	opts.Executable = crewplan
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	h, err := pluginhost.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func engineOf(ps []*pluginhost.RulePlugin) *rules.Engine {
	named := make([]rules.Named, len(ps))
	for i, p := range ps {
		named[i] = rules.Named{Name: p.Name(), Rule: p}
	}
	return rules.NewEngine(named...)
}

// TestBuiltinRulesThroughProcessesMatchInProcess runs the built-in rules
// as real plugin processes of the crewplan binary and compares their
// verdicts with the same rules in process.
func TestBuiltinRulesThroughProcessesMatchInProcess(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, pluginhost.Options{})
	ps, err := h.StartRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4 {
		t.Fatalf("started %d plugins, want the 4 built-in rules", len(ps))
	}
	b := sdktest.SyntheticBatch(2000)
	got, err := engineOf(ps).Check(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pluginhost.InProcessRules().Check(ctx, sdktest.SyntheticBatch(2000))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts through plugin processes differ from in process (-want +got):\n%s", diff)
	}
	failing := 0
	for _, v := range got {
		if !v.OK() {
			failing++
		}
	}
	if failing == 0 || failing == len(got) {
		t.Errorf("%d of %d candidates fail: the batch does not exercise the rules", failing, len(got))
	}
	for _, p := range ps {
		st := p.Status()
		if !st.Healthy || st.PID == 0 || !st.Builtin || st.Info.Version == "" {
			t.Errorf("status of %s = %+v", p.Name(), st)
		}
	}
}

// TestKilledPluginIsRestartedAndTheBatchRetried kills a plugin process
// between batches and in the middle of one: the next call restarts it,
// retries, and answers as before.
func TestKilledPluginIsRestartedAndTheBatchRetried(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, pluginhost.Options{})
	p, err := h.StartRule(ctx, h.BuiltinSpec("rules-people"))
	if err != nil {
		t.Fatal(err)
	}
	b := sdktest.SyntheticBatch(5000)
	want, err := p.Check(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		pid := p.PID()
		if pid == 0 {
			t.Fatal("no pid")
		}
		if round == 2 {
			// In the middle of a batch: kill while the call is in flight.
			go func() {
				time.Sleep(500 * time.Microsecond)
				syscall.Kill(pid, syscall.SIGKILL)
			}()
		} else {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		got, err := p.Check(ctx, b)
		if err != nil {
			t.Fatalf("round %d: check after kill: %v", round, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round %d: verdicts after restart differ:\n%s", round, diff)
		}
	}
	if st := p.Status(); st.Restarts < 2 || !st.Healthy {
		t.Errorf("status = %+v; want at least two restarts and healthy", st)
	}
}

func sha(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return s[:]
}

// TestPluginsThatCannotStart tries the ways a plugin fails to start: each
// is refused with an error naming it, and nothing is left running.
func TestPluginsThatCannotStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h := newHost(t, pluginhost.Options{StartTimeout: 2 * time.Second})
	good := h.BuiltinSpec("rules-calendar")
	for _, tt := range []struct {
		name string
		spec pluginhost.Spec
		want string
	}{
		{"missing binary", pluginhost.Spec{Name: "ghost", Path: filepath.Join(dir, "nope")}, "ghost"},
		{"wrong checksum", pluginhost.Spec{Name: "tampered", Path: good.Path, Args: good.Args, Checksum: make([]byte, 32)}, "checksum"},
		{"exits at once", pluginhost.Spec{Name: "quitter", Path: script("quitter", "exit 3")}, "quitter"},
		{"prints to stdout before serving", pluginhost.Spec{Name: "chatty", Path: script("chatty", "echo hello from init; exec sleep 5")}, "chatty"},
		{"never starts", pluginhost.Spec{Name: "sleeper", Path: script("sleeper", "exec sleep 30")}, "sleeper"},
		{"not a crewplan plugin", pluginhost.Spec{Name: "stranger", Path: script("stranger", "echo '1|1|tcp|127.0.0.1:1|grpc'; exec sleep 5")}, "stranger"},
		{"unknown built-in", pluginhost.Spec{Name: "rules-nothing", Path: good.Path, Args: []string{pluginhost.InternalPluginCommand, "rules-nothing"}}, "rules-nothing"},
		{"refuses its config", pluginhost.Spec{Name: "rules-calendar", Path: good.Path, Args: good.Args, Config: []byte(`{"colour":"red"}`)}, "configure"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			p, err := h.StartRule(ctx, tt.spec)
			if err == nil {
				p.Close()
				t.Fatal("started")
			}
			if !errors.Is(err, pluginhost.ErrPlugin) || !strings.Contains(err.Error(), tt.spec.Name) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want ErrPlugin naming %q and %q", err, tt.spec.Name, tt.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusal took %v", d)
			}
		})
	}
	// A correct checksum is accepted.
	spec := good
	spec.Checksum = sha(t, good.Path)
	p, err := h.StartRule(ctx, spec)
	if err != nil {
		t.Fatalf("plugin with the right checksum: %v", err)
	}
	p.Close()
}

// TestNoOrphansWhenTheHostIsKilled starts a host in a child process, kills
// it with SIGKILL, and checks that its plugin processes die with it.
func TestNoOrphansWhenTheHostIsKilled(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLUGINHOST_TEST_CHILD=1", "PLUGINHOST_TEST_CREWPLAN="+crewplan)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("child host: %v", err)
	}
	var pids []int
	for _, f := range strings.Fields(line) {
		pid, _ := strconv.Atoi(f)
		pids = append(pids, pid)
	}
	if len(pids) != 4 {
		t.Fatalf("child host reported plugin pids %q", line)
	}
	for _, pid := range pids {
		if syscall.Kill(pid, 0) != nil {
			t.Fatalf("plugin %d is not running before the kill", pid)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("plugin %d outlived its host killed with SIGKILL", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// alive reports whether pid runs (a zombie reaped by init counts as gone).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] != "Z"
}

// runChildHost is the child of TestNoOrphansWhenTheHostIsKilled: it starts
// the built-in rules, prints their pids and waits to be killed.
func runChildHost() {
	h, err := pluginhost.New(pluginhost.Options{Executable: os.Getenv("PLUGINHOST_TEST_CREWPLAN")})
	if err != nil {
		os.Exit(1)
	}
	ps, err := h.StartRules(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var pids []string
	for _, p := range ps {
		pids = append(pids, strconv.Itoa(p.PID()))
	}
	fmt.Println(strings.Join(pids, " "))
	select {}
}

var _ rule.Rule = (*pluginhost.RulePlugin)(nil)

// TestExternalPluginBesideTheBuiltins loads the SDK's example third-party
// rule as an external binary pinned by its SHA-256, next to the built-in
// rules, and checks it takes part in the engine's answer.
func TestExternalPluginBesideTheBuiltins(t *testing.T) {
	ctx := context.Background()
	bin := sdktest.Build(t, "github.com/crewplan/crewplan/sdk/examples/adultbeverage/cmd")
	h := newHost(t, pluginhost.Options{})
	ps, err := h.StartRules(ctx, pluginhost.Spec{Name: "adult-beverage", Path: bin, Checksum: sha(t, bin), Config: []byte(`{"keywords":["WINE","BEER","SPIRITS"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 5 || ps[4].Name() != "adult-beverage" || ps[4].Status().Builtin || ps[4].Status().Checksum == "" {
		t.Fatalf("plugins = %d, last %+v", len(ps), ps[len(ps)-1].Status())
	}
	b := sdktest.SyntheticBatch(50)
	b.Events[0].Name = "600000-CF-Red Wine (111111111111) - V2-CORE"
	for i := range b.Employees {
		b.Employees[i].Attributes = map[string]string{"adult_beverage_trained": "false"}
	}
	b.Candidates[0].Event = b.Events[0].Ref
	vs, err := engineOf(ps).Check(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vs[0].Violations {
		found = found || v.Rule == "adult_beverage"
	}
	if !found {
		t.Errorf("the external rule did not flag the untrained wine demo: %+v", vs[0])
	}
}

// TestSpecsFromConfiguration discovers third-party plugins in the
// configured folder: pinned ones run beside the built-ins with their
// configuration; an unpinned file, a pin without its file and a built-in's
// name are refused, each named.
func TestSpecsFromConfiguration(t *testing.T) {
	ctx := context.Background()
	bin := sdktest.Build(t, "github.com/crewplan/crewplan/sdk/examples/adultbeverage/cmd")
	dir := t.TempDir()
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "adult-beverage"), raw, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha(t, bin))
	h := newHost(t, pluginhost.Options{})
	cfg := config.PluginsConfig{Dir: dir, SHA256: map[string]string{"adult-beverage": sum},
		Config: map[string]string{"adult-beverage": `{"keywords":["CIDER"]}`}}
	specs, err := h.Specs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 5 || specs[4].Name != "adult-beverage" || string(specs[4].Config) != `{"keywords":["CIDER"]}` {
		t.Fatalf("specs = %+v", specs)
	}
	ps, err := h.Start(ctx, specs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 5 {
		t.Fatalf("started %d", len(ps))
	}

	os.WriteFile(filepath.Join(dir, "stray"), []byte("#!/bin/sh\n"), 0o755)
	cfg.SHA256["gone"] = sum
	_, err = h.Specs(cfg)
	for _, want := range []string{"stray in plugins.dir", "is not pinned", "pins gone, which is not in plugins.dir"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want it to say %q", err, want)
		}
	}
	// A tampered binary is refused at start.
	os.Remove(filepath.Join(dir, "stray"))
	delete(cfg.SHA256, "gone")
	// (Written aside and renamed over: the running one keeps its file busy.)
	tampered := filepath.Join(t.TempDir(), "adult-beverage")
	if err := os.WriteFile(tampered, append(raw, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tampered, filepath.Join(dir, "adult-beverage")); err != nil {
		t.Fatal(err)
	}
	specs, err = h.Specs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Start(ctx, specs); err == nil || !strings.Contains(err.Error(), "adult-beverage") || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("tampered binary: %v", err)
	}
}

// TestFaultyPlugins runs plugins that start but misbehave: each fault is
// contained and reported with the plugin's name.
func TestFaultyPlugins(t *testing.T) {
	ctx := context.Background()
	bin := sdktest.Build(t, "github.com/crewplan/crewplan/host/internal/pluginhost/testdata/faulty")
	h := newHost(t, pluginhost.Options{StartTimeout: 5 * time.Second, CallTimeout: 300 * time.Millisecond, Restarts: 1})
	spec := func(mode string) pluginhost.Spec {
		return pluginhost.Spec{Name: "faulty-" + mode, Path: bin, Args: []string{mode}, Checksum: sha(t, bin)}
	}
	// Refused at start.
	for mode, want := range map[string]string{"badapi": "API versions [99]", "cookie": "faulty-cookie"} {
		if p, err := h.StartRule(ctx, spec(mode)); err == nil || !errors.Is(err, pluginhost.ErrPlugin) || !strings.Contains(err.Error(), want) {
			if p != nil {
				p.Close()
			}
			t.Errorf("%s: err = %v; want ErrPlugin saying %q", mode, err, want)
		}
	}
	// Started, but their checks fail; the engine's whole answer fails with
	// them, naming the plugin.
	b := sdktest.SyntheticBatch(20)
	for mode, want := range map[string]string{
		"liar":  "19 verdicts for 20 candidates",
		"hang":  "failed after 1 restarts",
		"panic": "faulty-panic",
	} {
		t.Run(mode, func(t *testing.T) {
			p, err := h.StartRule(ctx, spec(mode))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			start := time.Now()
			vs, err := engineOf([]*pluginhost.RulePlugin{p}).Check(ctx, b)
			if err == nil || vs != nil || !strings.Contains(err.Error(), "faulty-"+mode) || !strings.Contains(err.Error(), want) {
				t.Errorf("check = %v, %v; want an error naming faulty-%s and saying %q", vs, err, mode, want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("the fault took %v to surface", d)
			}
		})
	}
}

// TestHealthCheckRestartsADeadPlugin kills a plugin between calls: the
// health check brings it back before anyone asks.
func TestHealthCheckRestartsADeadPlugin(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, pluginhost.Options{})
	p, err := h.StartRule(ctx, h.BuiltinSpec("rules-pairing"))
	if err != nil {
		t.Fatal(err)
	}
	h.CheckHealth(20 * time.Millisecond)
	old := p.PID()
	syscall.Kill(old, syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := p.Status()
		if st.Healthy && st.PID != old && st.Restarts == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not restarted by the health check: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
