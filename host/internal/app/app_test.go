package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// loadConfig loads the repository's configs for profile with the database
// and logs in dir.
func loadConfig(t testing.TB, profile, dir string, extra ...string) *config.Config {
	t.Helper()
	environ := append([]string{
		"CREWPLAN_DATABASE__URL=" + filepath.Join(dir, "crewplan.db"),
		"CREWPLAN_LOG__FILE=" + filepath.Join(dir, "crewplan.log"),
		"CREWPLAN_RANKER__DIR=" + filepath.Join(dir, "models"),
		"CREWPLAN_BACKUP__WORK_DIR=" + filepath.Join(dir, "backup-work"),
		`CREWPLAN_BACKUP__TARGETS__LOCAL={"plugin": "backup-local", "config": {"dir": "` + filepath.Join(dir, "backups") + `", "create": true}}`,
		"CREWPLAN_SERVER__PORT=1",
	}, extra...)
	cfg, err := config.Load(config.LoadOptions{Dir: "../../../configs", Profile: profile, Environ: environ})
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	return cfg
}

// start runs the app on a free port and returns its base URL.
func start(t testing.TB, a *app.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	<-a.Ready()
	return "http://" + ln.Addr().String()
}

func getJSON(t testing.TB, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &body)
	return resp.StatusCode, body
}

func TestAppServesReadyOnEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, "production", dir)
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	base := start(t, a)
	code, body := getJSON(t, base+"/readyz")
	if code != 200 || body["status"] != "ready" {
		t.Fatalf("readyz = %d %v", code, body)
	}
	if empty, _ := a.Store().Empty(context.Background()); !empty {
		t.Error("production start without demo.load_when_empty loaded data")
	}
	if _, err := os.Stat(filepath.Join(dir, "crewplan.log")); err != nil {
		t.Errorf("log file: %v", err)
	}
}

func TestAppLoadsDemoWhenEmpty(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, "dev", dir, "CREWPLAN_DEMO__LOAD_WHEN_EMPTY=true")
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	emps, err := a.Store().ListEmployees(ctx, storeFilter())
	if err != nil || len(emps) != 12 {
		t.Fatalf("demo employees = %d, %v; want 12", len(emps), err)
	}
	// The demo ranks with a model trained on its history.
	if m, ok, err := a.Store().ActiveRankingModel(ctx); err != nil || !ok || m.Name != "crewplan-gbdt" {
		t.Fatalf("active model after loading the demo: %+v %v %v", m, ok, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "models")); err != nil {
		t.Errorf("models folder: %v", err)
	}
	a.Close()
	// A second start finds data and loads nothing more.
	a, err = app.New(ctx, cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	emps, _ = a.Store().ListEmployees(ctx, storeFilter())
	if len(emps) != 12 {
		t.Errorf("after restart: %d employees", len(emps))
	}
}

func TestAppRefusesUnreachableDatabase(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, "production", dir, "CREWPLAN_DATABASE__URL=postgres://nobody:hunter2@127.0.0.1:1/none?connect_timeout=2")
	_, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v; want an error without the password", err)
	}
}

func TestAppShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, "production", dir)
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	<-a.Ready()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after its context ended")
	}
	if _, err := http.Get(fmt.Sprintf("http://%s/healthz", ln.Addr())); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// TestAppOnPostgres starts the app on PostgreSQL: it migrates the empty
// schema, loads the demo store and answers ready.
func TestAppOnPostgres(t *testing.T) {
	u := storetest.PostgresURL(t)
	if u == "" {
		t.Skip(storetest.PostgresEnv + " is not set; CI sets it")
	}
	cfg := loadConfig(t, "production", t.TempDir(), "CREWPLAN_DATABASE__URL="+u, "CREWPLAN_DEMO__LOAD_WHEN_EMPTY=true")
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if code, body := getJSON(t, start(t, a)+"/readyz"); code != 200 {
		t.Fatalf("readyz on postgres = %d %v", code, body)
	}
	if emps, _ := a.Store().ListEmployees(context.Background(), storeFilter()); len(emps) != 12 {
		t.Errorf("demo employees on postgres = %d", len(emps))
	}
}

// TestAppRunsRulePlugins checks the app's rule plugins are separate,
// healthy processes that the app's Close ends.
func TestAppRunsRulePlugins(t *testing.T) {
	cfg := loadConfig(t, "production", t.TempDir())
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Rules().Rules()); got != 4 {
		t.Fatalf("rule engine has %d rules, want the 4 built-in plugins", got)
	}
	var pids []int
	for _, r := range a.Rules().Rules() {
		p, ok := r.Rule.(interface{ PID() int })
		if !ok || p.PID() == 0 || p.PID() == os.Getpid() {
			t.Fatalf("rule %s is not a plugin process", r.Name)
		}
		pids = append(pids, p.PID())
	}
	a.Close()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for processRunning(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("plugin process %d still runs after Close", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// processRunning reports whether pid runs and is not a zombie.
func processRunning(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}
