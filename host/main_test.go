package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the crewplan binary TestMain builds once for the tests here,
// which run it as a real process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "crewplan-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "crewplan")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build crewplan: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// instance is a crewplan serve process.
type instance struct {
	cmd  *exec.Cmd
	base string
	logs *strings.Builder
}

// serve starts `crewplan serve` in dir with the repository's configs and
// waits until /readyz answers 200.
func serve(t testing.TB, dir, profile string, args ...string) *instance {
	t.Helper()
	configs, _ := filepath.Abs("../configs")
	return serveOn(t, dir, configs, profile, freePort(t), args...)
}

// serveOn starts `crewplan serve` in dir with the configs folder and port
// and waits until /readyz answers 200.
func serveOn(t testing.TB, dir, configs, profile string, port int, args ...string) *instance {
	t.Helper()
	all := append([]string{"serve", "--profile", profile, "--config-dir", configs, "--port", fmt.Sprint(port)}, args...)
	cmd := exec.Command(binary, all...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	logs := &strings.Builder{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs}
	t.Cleanup(func() { in.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(in.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return in
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s instance not ready: %s", profile, logs)
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (in *instance) stop(t testing.TB) {
	if in.cmd.ProcessState != nil {
		return
	}
	in.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- in.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("crewplan exited with %v after SIGTERM: %s", err, in.logs)
		}
	case <-time.After(20 * time.Second):
		in.cmd.Process.Kill()
		t.Errorf("crewplan did not stop on SIGTERM")
	}
}

func get(t testing.TB, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func signIn(t testing.TB, base, user, password string) int {
	t.Helper()
	resp, err := http.Post(base+"/api/session", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, password)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestProductionAndTestInstancesSideBySide runs a production instance (with
// the demo store) and a test instance from the same folder at once: each
// has its own database and log file, and neither sees the other's data.
func TestProductionAndTestInstancesSideBySide(t *testing.T) {
	dir := t.TempDir()
	prod := serve(t, dir, "production", "--load-demo")
	test := serve(t, dir, "test")

	for _, f := range []string{"data/crewplan.db", "data/crewplan_test.db", "logs/crewplan.log", "logs/crewplan_test.log", "data/models", "data/models_test"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if code := signIn(t, prod.base, "demo", "crewplan-demo"); code != 200 {
		t.Errorf("demo sign-in on production = %d", code)
	}
	if code := signIn(t, test.base, "demo", "crewplan-demo"); code != 401 {
		t.Errorf("demo sign-in on the empty test instance = %d, want 401", code)
	}
	_, page := get(t, test.base+"/login")
	if !strings.Contains(page, "TEST INSTANCE") {
		t.Error("test instance page has no banner")
	}
	_, page = get(t, prod.base+"/login")
	if strings.Contains(page, "TEST INSTANCE") {
		t.Error("production page has the test banner")
	}
	testLog, _ := os.ReadFile(filepath.Join(dir, "logs/crewplan_test.log"))
	prodLog, _ := os.ReadFile(filepath.Join(dir, "logs/crewplan.log"))
	if !strings.Contains(string(testLog), "profile=test") || strings.Contains(string(prodLog), "profile=test") {
		t.Errorf("log files mixed:\nprod:\n%s\ntest:\n%s", prodLog, testLog)
	}
	if strings.Contains(string(testLog), "demo store loaded") {
		t.Error("the test instance loaded the demo store")
	}
}

// TestServeRejectsBadConfiguration checks the exit status and message of
// a start with an unknown profile and with an unknown environment variable.
func TestServeRejectsBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	configs, _ := filepath.Abs("../configs")
	for _, tt := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"unknown profile", []string{"serve", "--profile", "staging", "--config-dir", configs}, "", "staging"},
		{"missing config dir", []string{"serve", "--config-dir", filepath.Join(dir, "none")}, "", "base.yaml"},
		{"typo in env", []string{"serve", "--config-dir", configs}, "CREWPLAN_SERVER_PORT=9000", "CREWPLAN_SERVER__PORT"},
		{"bad port", []string{"serve", "--config-dir", configs, "--port", "70000"}, "", "server.port"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, tt.args...)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			if tt.env != "" {
				cmd.Env = append(cmd.Env, tt.env)
			}
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), tt.want) {
				t.Errorf("exit %v, output %s; want exit 2 naming %q", err, out, tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused start wrote files: %v", entries)
	}
}

// BenchmarkProcessStartToReady measures `crewplan serve` from exec to the
// first 200 from /readyz, on an empty SQLite database.
func BenchmarkProcessStartToReady(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		in := serve(b, dir, "production")
		b.StopTimer()
		in.stop(b)
		b.StartTimer()
	}
}
