package web_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/host/internal/web"
	"github.com/crewplan/crewplan/ui"
)

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// loginForm gets /login and returns the form's token and cookie.
func loginForm(t *testing.T, e *testEnv) (string, *http.Cookie) {
	t.Helper()
	r := e.page(t, nil, "/login").want(t, http.StatusOK)
	m := csrfInput.FindStringSubmatch(string(r.body))
	if m == nil {
		t.Fatalf("login page has no csrf_token: %s", r.body)
	}
	for _, ck := range r.cookies() {
		if ck.Name == "crewplan_login" {
			if !ck.HttpOnly {
				t.Error("login cookie is not HttpOnly")
			}
			return m[1], ck
		}
	}
	t.Fatal("login page sets no crewplan_login cookie")
	return "", nil
}

func TestLoginFlow(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	e := newEnv(t, st, func(o *web.Options) { o.Banner = "TEST INSTANCE — not production" })

	// Signed out, every page sends the visitor to /login.
	for _, p := range []string{"/", "/employees", "/events"} {
		r := e.page(t, nil, p).want(t, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/login" {
			t.Errorf("%s redirects to %q", p, loc)
		}
	}

	token, cookie := loginForm(t, e)
	r := e.page(t, nil, "/login")
	for _, want := range []string{`<form method="post" action="/login"`, `name="username"`, `name="password"`, "TEST INSTANCE — not production", `href="/static/app.css"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("login page lacks %s", want)
		}
	}

	// A wrong password shows the form again with a message.
	r = e.form(t, "/login", url.Values{"username": {"sched"}, "password": {"wrong password"}, "csrf_token": {token}}, cookie).want(t, http.StatusUnauthorized)
	if body := string(r.body); !strings.Contains(body, "Unknown user or wrong password.") || !strings.Contains(body, `value="sched"`) {
		t.Errorf("bad login page: %s", body)
	}
	for _, ck := range r.cookies() {
		if ck.Name == "crewplan_session" && ck.Value != "" {
			t.Error("a bad login set a session cookie")
		}
	}

	// A form without its token (another site posting it) is refused.
	e.form(t, "/login", url.Values{"username": {"sched"}, "password": {password}}, cookie).want(t, http.StatusForbidden)
	e.form(t, "/login", url.Values{"username": {"sched"}, "password": {password}, "csrf_token": {token}}).want(t, http.StatusForbidden)

	r = e.form(t, "/login", url.Values{"username": {"sched"}, "password": {password}, "csrf_token": {token}}, cookie).want(t, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/" {
		t.Errorf("login redirects to %q", loc)
	}
	c := &client{name: "sched"}
	for _, ck := range r.cookies() {
		if ck.Name == "crewplan_session" {
			c.cookie = ck.Value
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v", ck)
			}
		}
	}
	if c.cookie == "" {
		t.Fatal("login set no session cookie")
	}
	r = e.page(t, c, "/").want(t, http.StatusOK)
	body := string(r.body)
	for _, want := range []string{"Next 7 days", "TEST INSTANCE — not production", `action="/logout"`, "Sched"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	e.page(t, c, "/login").want(t, http.StatusSeeOther)

	// Sign out needs the session's token.
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("dashboard has no sign-out token")
	}
	session := &http.Cookie{Name: "crewplan_session", Value: c.cookie}
	e.form(t, "/logout", url.Values{"csrf_token": {"wrong"}}, session).want(t, http.StatusForbidden)
	e.page(t, c, "/").want(t, http.StatusOK)
	r = e.form(t, "/logout", url.Values{"csrf_token": {m[1]}}, session).want(t, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/login" {
		t.Errorf("logout redirects to %q", loc)
	}
	e.page(t, c, "/").want(t, http.StatusSeeOther)
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		seed(t, st) // events from 2026-03-03 to 2026-03-10
		if err := st.CreateEvent(ctx, store.SystemActor, &store.Event{Ref: 700001, Name: "JUICER PRODUCTION", StartDate: day("2026-03-02"), DueDate: day("2026-03-04")}); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateEvent(ctx, store.SystemActor, &store.Event{Ref: 700002, Name: "DIGITAL TEARDOWN", StartDate: day("2026-03-20"), DueDate: day("2026-03-25")}); err != nil {
			t.Fatal(err)
		}
		post(t, st, coreRef, "2026-03-04")
		lock(t, st, "2026-03-07")
		if err := st.PutHoliday(ctx, store.SystemActor, &store.Holiday{Date: day("2026-03-08"), Name: "Store closed"}); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, st)
		app, err := web.NewAt(web.Options{Store: st, Banner: "TEST"}, nowAt) // Monday 2026-03-02
		if err != nil {
			t.Fatal(err)
		}
		e.app = app
		body := string(e.page(t, e.view, "/").want(t, http.StatusOK).body)
		for _, want := range []string{
			"Monday", "Sunday", "Mar 2", "Mar 8", // the seven days, today first
			"612103-CF-Apple Slices - V2-CORE", "Ana Ruiz", "09:45", // the posted core
			"JUICER PRODUCTION", "unassigned · due Mar 4", // an unassigned event due this week
			"Closed: Store closed", "Locked: inventory count",
			`<span class="stat-num">1</span>`, "unassigned, due this week",
			"TEST",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		for _, unwanted := range []string{"DIGITAL TEARDOWN", "612103 Apple Slices V2-SUPERVISOR"} { // due after the week
			if strings.Contains(body, unwanted) {
				t.Errorf("dashboard shows %q", unwanted)
			}
		}
	})
}

func TestListPages(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	seed(t, st)
	post(t, st, coreRef, "2026-03-04")
	if err := st.UpdateEmployee(ctx, store.SystemActor, &store.Employee{
		ID: "E02", Name: "Uma Moreau", Role: store.RoleJuicer, Active: true,
		Weekly:  []store.WeeklyAvailability{{Weekday: 0, Available: false}, {Weekday: 6, Available: false}},
		TimeOff: []store.TimeOff{{StartDate: day("2026-03-05"), EndDate: day("2026-03-06"), Reason: "vacation"}},
	}); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, st)
	app, err := web.NewAt(web.Options{Store: st}, nowAt)
	if err != nil {
		t.Fatal(err)
	}
	e.app = app

	body := string(e.page(t, e.view, "/employees").want(t, http.StatusOK).body)
	for _, want := range []string{"E01", "Ana Ruiz", "Lead event specialist", "Juicer barista", "Mar 5 – Mar 6 (vacation)", `class="wd wd-on"`, "2 employees, 2 active"} {
		if !strings.Contains(body, want) {
			t.Errorf("employees page lacks %q", want)
		}
	}

	body = string(e.page(t, e.view, "/events?from=2026-03-01&to=2026-03-31").want(t, http.StatusOK).body)
	for _, want := range []string{"612103-CF-Apple Slices - V2-CORE", "Ana Ruiz", "Wed Mar 4, 09:45", "612103 Apple Slices V2-SUPERVISOR", "unassigned", `value="2026-03-01"`} {
		if !strings.Contains(body, want) {
			t.Errorf("events page lacks %q", want)
		}
	}
	body = string(e.page(t, e.view, "/events").want(t, http.StatusOK).body)
	if !strings.Contains(body, `value="2026-03-02"`) || !strings.Contains(body, `value="2026-03-15"`) {
		t.Errorf("events page does not default to two weeks from today")
	}

	// A bad query is an HTML error page naming the parameter.
	r := e.page(t, e.view, "/events?from=2026-02-30").want(t, http.StatusBadRequest)
	if body := string(r.body); !strings.Contains(body, "query.from") || !strings.Contains(body, "<html") {
		t.Errorf("bad query page: %s", body)
	}
	r = e.page(t, e.view, "/no/such/page").want(t, http.StatusNotFound)
	if !strings.Contains(string(r.body), "<html") {
		t.Errorf("404 page: %s", r.body)
	}

	r = e.page(t, nil, "/static/app.css").want(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") || !strings.Contains(string(r.body), ".topbar") {
		t.Errorf("app.css: %s", ct)
	}
	e.page(t, nil, "/static/nothing.css").want(t, http.StatusNotFound)
}

func TestBrokenTemplate(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	good, err := fs.ReadFile(ui.Templates, "dashboard.html")
	if err != nil {
		t.Fatal(err)
	}
	for name, dashboard := range map[string]string{
		"parse error":    `{{define "content"}}{{.Data.Days}`,
		"escape error":   `{{define "content"}}<a title="{{.Title}}{{end}}`,
		"no content":     `<p>nothing defined</p>`,
		"undefined func": `{{define "content"}}{{nosuchfunc .}}{{end}}`,
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if err := fs.WalkDir(ui.Templates, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(ui.Templates, p)
				fsys[p] = &fstest.MapFile{Data: b}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			fsys["dashboard.html"] = &fstest.MapFile{Data: []byte(dashboard)}
			if _, err := web.NewWithTemplates(web.Options{Store: st}, fsys); err == nil || !strings.Contains(err.Error(), "dashboard.html") {
				t.Errorf("New with a broken dashboard.html: %v", err)
			}
			fsys["dashboard.html"] = &fstest.MapFile{Data: good}
			if _, err := web.NewWithTemplates(web.Options{Store: st}, fsys); err != nil {
				t.Errorf("New with the good templates: %v", err)
			}
		})
	}
}
