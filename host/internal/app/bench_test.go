package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

func storeFilter() store.EmployeeFilter { return store.EmployeeFilter{} }

// BenchmarkStartupToReady measures a start on an empty SQLite database:
// configuration, store open and migration, web server, until /readyz
// answers 200 over TCP. Each iteration uses a new database.
func BenchmarkStartupToReady(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		cfg := loadConfig(b, "production", dir)
		a, err := app.New(ctx, cfg, app.Options{Stderr: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- a.Serve(sctx, ln) }()
		<-a.Ready()
		resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("readyz: %v %v", resp, err)
		}
		resp.Body.Close()
		b.StopTimer()
		cancel()
		<-done
		a.Close()
		b.StartTimer()
	}
}

// BenchmarkAPIListEventsRegionMonth measures GET /api/events for the whole
// month of the 60-person region (2,121 events, 328 posted), in process
// through the full middleware stack, on SQLite.
func BenchmarkAPIListEventsRegionMonth(b *testing.B) {
	benchListEvents(b, "")
}

// BenchmarkAPIListEventsRegionMonthPostgres is the same on PostgreSQL.
func BenchmarkAPIListEventsRegionMonthPostgres(b *testing.B) {
	u := storetest.PostgresURL(b)
	if u == "" {
		b.Skip(storetest.PostgresEnv + " is not set")
	}
	benchListEvents(b, u)
}

func benchListEvents(b *testing.B, dbURL string) {
	ctx := context.Background()
	var extra []string
	if dbURL != "" {
		extra = append(extra, "CREWPLAN_DATABASE__URL="+dbURL)
	}
	cfg := loadConfig(b, "production", b.TempDir(), extra...)
	a, err := app.New(ctx, cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	sc, err := scenario.ParseFile("../../../testdata/scenarios/region-month.json")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Store().Import(ctx, "bench", sc.Dataset("bench")); err != nil {
		b.Fatal(err)
	}
	cookie := signIn(b, a)
	req := func() *http.Request {
		r := httptest.NewRequest("GET", "/api/events?from=2026-03-01&to=2026-03-31&limit=5000", nil)
		r.Header.Set("Cookie", cookie)
		return r
	}
	resp, err := a.Handler().Test(req(), -1)
	if err != nil {
		b.Fatal(err)
	}
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		b.Fatalf("GET /api/events: %d %v", resp.StatusCode, err)
	}
	if len(body.Items) < 2000 {
		b.Fatalf("GET /api/events returned %d events, want the month's ~2,100", len(body.Items))
	}
	for b.Loop() {
		resp, err := a.Handler().Test(req(), -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET /api/events: %v %v", resp.StatusCode, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// signIn creates an admin and returns the Cookie header of its session.
func signIn(b testing.TB, a *app.App) string {
	b.Helper()
	if err := a.Store().CreateUser(context.Background(), "bench", &store.User{Username: "bench", Role: store.UserAdmin}, "bench password 123"); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/api/session", strings.NewReader(`{"username":"bench","password":"bench password 123"}`))
	r.Header.Set("Content-Type", "application/json")
	resp, err := a.Handler().Test(r, -1)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("sign in: %v %v", resp, err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "crewplan_session" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatal("sign in set no session cookie")
	return ""
}
