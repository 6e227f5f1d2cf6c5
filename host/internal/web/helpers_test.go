package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/crewplan/crewplan/host/internal/rules"
	rulescalendar "github.com/crewplan/crewplan/plugins/rules-calendar"
	rulespairing "github.com/crewplan/crewplan/plugins/rules-pairing"
	rulespeople "github.com/crewplan/crewplan/plugins/rules-people"
	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/web"
	"github.com/crewplan/crewplan/sdk/civil"
)

// password is every test user's password.
const password = "correct horse battery"

// testEnv is a web server over a real store, with signed-in users.
type testEnv struct {
	app   *fiber.App
	st    *store.Store
	reg   *prometheus.Registry
	logs  *syncBuffer
	admin *client
	sched *client
	view  *client
}

// client is a signed-in user: the session cookie and CSRF token.
type client struct {
	name   string
	cookie string
	csrf   string
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv builds the server over st with three users (admin, sched, view)
// signed in. opts may adjust the options.
func newEnv(t testing.TB, st *store.Store, opts ...func(*web.Options)) *testEnv {
	t.Helper()
	e := newBareEnv(t, st, opts...)
	e.admin = e.signUp(t, "admin", store.UserAdmin)
	e.sched = e.addUser(t, "sched", store.UserScheduler)
	e.view = e.addUser(t, "view", store.UserViewer)
	return e
}

// addUser creates a user and a session for them through the store (the
// API sign-in is tested with signUp; bcrypt is slow under -race).
func (e *testEnv) addUser(t testing.TB, name string, role store.UserRole) *client {
	t.Helper()
	u := &store.User{Username: name, DisplayName: strings.ToUpper(name[:1]) + name[1:], Role: role}
	if err := e.st.CreateUser(context.Background(), store.SystemActor, u, password); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	token, sess, err := e.st.NewSession(context.Background(), u.ID, time.Hour)
	if err != nil {
		t.Fatalf("session of %s: %v", name, err)
	}
	return &client{name: name, cookie: token, csrf: sess.CSRFToken}
}

// newBareEnv builds the server over st without users.
func newBareEnv(t testing.TB, st *store.Store, opts ...func(*web.Options)) *testEnv {
	t.Helper()
	e := &testEnv{st: st, reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	o := web.Options{
		Store:    st,
		Log:      slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registry: e.reg,
		Rules:    builtinRulesInProcess(),
	}
	for _, f := range opts {
		f(&o)
	}
	app, err := web.New(o)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	e.app = app
	return e
}

// signUp creates a user and signs them in through the API.
func (e *testEnv) signUp(t testing.TB, name string, role store.UserRole) *client {
	t.Helper()
	u := &store.User{Username: name, DisplayName: strings.ToUpper(name[:1]) + name[1:], Role: role}
	if err := e.st.CreateUser(context.Background(), store.SystemActor, u, password); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return e.signIn(t, name)
}

// signIn signs an existing user in through the API.
func (e *testEnv) signIn(t testing.TB, name string) *client {
	t.Helper()
	r := e.do(t, nil, "POST", "/api/session", `{"username":"`+name+`","password":"`+password+`"}`)
	r.want(t, http.StatusOK)
	var body struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.decode(t, &body)
	c := &client{name: name, csrf: body.CSRFToken}
	for _, ck := range r.cookies() {
		if ck.Name == "crewplan_session" {
			c.cookie = ck.Value
		}
	}
	if c.cookie == "" || c.csrf == "" {
		t.Fatalf("sign in %s: no cookie or CSRF token: %s", name, r.body)
	}
	return c
}

// resp is an answer.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r *resp) cookies() []*http.Cookie {
	return (&http.Response{Header: r.header}).Cookies()
}

// want fails unless the status is status.
func (r *resp) want(t testing.TB, status int) *resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

func (r *resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiError decodes an /api error body.
func (r *resp) apiError(t testing.TB) errorBody {
	t.Helper()
	var b errorBody
	r.decode(t, &b)
	return b
}

// errorBody is the JSON of an /api error.
type errorBody struct {
	Error     string `json:"error"`
	Fields    []struct{ Field, Message string }
	RequestID string `json:"request_id"`
}

// do sends a request as c (nil: signed out) with a JSON body (a string;
// "" for none) and, for changes, c's CSRF token.
func (e *testEnv) do(t testing.TB, c *client, method, path, body string) *resp {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil {
		req.AddCookie(&http.Cookie{Name: "crewplan_session", Value: c.cookie})
		if method != "GET" && method != "HEAD" {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	return e.send(t, req)
}

// send sends req as it is.
func (e *testEnv) send(t testing.TB, req *http.Request) *resp {
	t.Helper()
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return &resp{status: res.StatusCode, header: res.Header, body: b}
}

// form posts an HTML form with the given cookies.
func (e *testEnv) form(t testing.TB, path string, values url.Values, cookies ...*http.Cookie) *resp {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	return e.send(t, req)
}

// page gets a page as c (nil: signed out).
func (e *testEnv) page(t testing.TB, c *client, path string) *resp {
	t.Helper()
	return e.do(t, c, "GET", path, "")
}

// auditCount returns how many audit entries there are: every store write
// adds one, so an unchanged count means nothing was written.
func (e *testEnv) auditCount(t testing.TB) int {
	t.Helper()
	entries, err := e.st.ListAudit(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	return len(entries)
}

// snapshot returns what the API says of every resource, to compare before
// and after a request that must change nothing.
func (e *testEnv) snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{
		"/api/employees", "/api/events?from=2026-01-01&to=2026-12-31", "/api/schedules",
		"/api/rotations", "/api/rotation-exceptions", "/api/holidays", "/api/locked-days",
		"/api/settings", "/api/attendance",
	} {
		r := e.do(t, e.admin, "GET", p, "").want(t, http.StatusOK)
		b.WriteString(p + "\n" + string(r.body) + "\n")
	}
	return b.String()
}

// Fixtures: two employees, a core event and its supervisor.
const (
	coreRef = 612103
	supRef  = 612104
)

var (
	day = civil.MustParseDate
	ctx = context.Background()
)

// seed adds the fixtures through the store.
func seed(t testing.TB, st *store.Store) {
	t.Helper()
	for _, emp := range []store.Employee{
		{ID: "E01", Name: "Ana Ruiz", Role: store.RoleLead, Active: true},
		{ID: "E02", Name: "Uma Moreau", Role: store.RoleJuicer, Active: true},
	} {
		if err := st.CreateEmployee(ctx, store.SystemActor, &emp); err != nil {
			t.Fatalf("seed employee: %v", err)
		}
	}
	parent := int64(coreRef)
	for _, ev := range []store.Event{
		{Ref: coreRef, Name: "612103-CF-Apple Slices - V2-CORE", StartDate: day("2026-03-03"), DueDate: day("2026-03-10")},
		{Ref: supRef, Name: "612103 Apple Slices V2-SUPERVISOR", StartDate: day("2026-03-03"), DueDate: day("2026-03-10"), ParentRef: &parent},
	} {
		if err := st.CreateEvent(ctx, store.SystemActor, &ev); err != nil {
			t.Fatalf("seed event: %v", err)
		}
	}
}

// post assigns E01 to the core event on date at 09:45 through the store.
func post(t testing.TB, st *store.Store, ref int64, date string) *store.PostedSchedule {
	t.Helper()
	ps := &store.PostedSchedule{EventRef: ref, EmployeeID: "E01", Date: day(date), StartMinute: civil.NewClock(9, 45)}
	if err := st.PostSchedule(ctx, store.SystemActor, ps); err != nil {
		t.Fatalf("post schedule: %v", err)
	}
	return ps
}

// lock locks a day through the store.
func lock(t testing.TB, st *store.Store, date string) {
	t.Helper()
	if err := st.LockDay(ctx, "admin", &store.LockedDay{Date: day(date), Reason: "inventory count"}); err != nil {
		t.Fatalf("lock day: %v", err)
	}
}

// nowAt is a fixed moment for page tests.
var nowAt = time.Date(2026, 3, 2, 8, 0, 0, 0, time.Local)

// builtinRulesInProcess is the built-in rules as an in-process engine: the
// web tests check the handlers' use of the rules; the plugin processes
// themselves are tested in pluginhost and app.
func builtinRulesInProcess() *rules.Engine {
	return rules.NewEngine(
		rules.Named{Name: "rules-calendar", Rule: rulescalendar.New()},
		rules.Named{Name: "rules-people", Rule: rulespeople.New()},
		rules.Named{Name: "rules-workload", Rule: rulesworkload.New()},
		rules.Named{Name: "rules-pairing", Rule: rulespairing.New()},
	)
}
