package app_test

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/config"
)

// TestTestInstanceRefused: a test instance pointed at production's
// database or port is refused before it opens anything, with a message
// naming the key.
func TestTestInstanceRefused(t *testing.T) {
	for _, tt := range []struct{ env, says string }{
		{"CREWPLAN_DATABASE__URL=data/crewplan.db", "database.url"},
		{"CREWPLAN_SERVER__PORT=8000", "server.port"},
	} {
		dir := t.TempDir()
		cfg := loadConfig(t, config.ProfileTest, dir, tt.env)
		a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
		if err == nil {
			a.Close()
			t.Fatalf("%s: the test instance started", tt.env)
		}
		if !strings.Contains(err.Error(), "would touch production") || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v", tt.env, err)
		}
		// Production's database is data/crewplan.db in the working
		// directory: the refused instance must not have made it.
		if _, err := os.Stat(filepath.Join("data", "crewplan.db")); !os.IsNotExist(err) {
			t.Errorf("%s: the refused instance touched production's database: %v", tt.env, err)
		}
	}
}

// TestTestInstanceMarked: every response of a test instance says so in a
// header, and every page shows the banner.
func TestTestInstanceMarked(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, config.ProfileTest, dir)
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, path := range []string{"/healthz", "/api/events", "/login", "/nowhere"} {
		res, err := a.Handler().Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get(config.TestInstanceHeader); got != "test" {
			t.Errorf("GET %s (%d): %s %q, want test", path, res.StatusCode, config.TestInstanceHeader, got)
		}
		if path == "/login" {
			body, _ := io.ReadAll(res.Body)
			if !strings.Contains(string(body), "TEST INSTANCE") {
				t.Errorf("the sign-in page shows no banner")
			}
		}
		res.Body.Close()
	}
	prod := loadConfig(t, config.ProfileProduction, t.TempDir())
	p, err := app.New(context.Background(), prod, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.Handler().Test(httptest.NewRequest("GET", "/healthz", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Header.Get(config.TestInstanceHeader); got != "" {
		t.Errorf("production says it is %q", got)
	}
}
