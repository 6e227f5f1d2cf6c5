package web_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/host/internal/web"
)

func TestNewNeedsStore(t *testing.T) {
	t.Parallel()
	if _, err := web.New(web.Options{}); err == nil {
		t.Fatal("New without a store: no error")
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newBareEnv(t, st)
		r := e.do(t, nil, "GET", "/healthz", "").want(t, http.StatusOK)
		if got := string(r.body); got != `{"status":"ok"}` {
			t.Errorf("healthz body %s", got)
		}
		var ready struct {
			Status string
			Schema struct{ Current, Latest int64 }
		}
		e.do(t, nil, "GET", "/readyz", "").want(t, http.StatusOK).decode(t, &ready)
		if ready.Status != "ready" || ready.Schema.Current < 1 || ready.Schema.Current != ready.Schema.Latest {
			t.Errorf("readyz %+v", ready)
		}

		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		r = e.do(t, nil, "GET", "/readyz", "").want(t, http.StatusServiceUnavailable)
		var notReady struct{ Status, Reason string }
		r.decode(t, &notReady)
		if notReady.Reason != "database unreachable" {
			t.Errorf("readyz with a closed store: %s", r.body)
		}
		if strings.Contains(string(r.body), "closed") {
			t.Errorf("readyz leaks the error: %s", r.body)
		}
		e.do(t, nil, "GET", "/healthz", "").want(t, http.StatusOK)
	})
}

func TestReadyzSchemaBehind(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), store.Options{URL: filepath.Join(t.TempDir(), "new.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newBareEnv(t, st)
	r := e.do(t, nil, "GET", "/readyz", "").want(t, http.StatusServiceUnavailable)
	var body struct{ Status, Reason string }
	r.decode(t, &body)
	if !strings.HasPrefix(body.Reason, "schema at version 0, this build needs ") {
		t.Errorf("readyz on an unmigrated database: %s", r.body)
	}
}

func TestReadyzCustom(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	var fail error
	e := newBareEnv(t, st, func(o *web.Options) {
		o.Ready = func(context.Context) error { return fail }
	})
	e.do(t, nil, "GET", "/readyz", "").want(t, http.StatusOK)
	fail = errors.New("plugin host down: secret detail")
	r := e.do(t, nil, "GET", "/readyz", "").want(t, http.StatusServiceUnavailable)
	if strings.Contains(string(r.body), "secret") {
		t.Errorf("readyz leaks the error: %s", r.body)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st)
	e.do(t, nil, "GET", "/healthz", "").want(t, http.StatusOK)
	e.do(t, e.view, "GET", "/api/events/612103", "").want(t, http.StatusOK)
	e.do(t, e.view, "GET", "/api/events/612104", "").want(t, http.StatusOK)
	e.do(t, nil, "GET", "/api/events/612103", "").want(t, http.StatusUnauthorized)
	e.do(t, nil, "GET", "/no/such/page", "").want(t, http.StatusNotFound)
	r := e.do(t, nil, "GET", "/metrics", "").want(t, http.StatusOK)
	text := string(r.body)
	for _, want := range []string{
		`crewplan_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`crewplan_http_requests_total{method="GET",route="/api/events/:ref",status="200"} 2`,
		`crewplan_http_requests_total{method="GET",route="/api/events/:ref",status="401"} 1`,
		`crewplan_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`crewplan_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "612103") {
		t.Error("metrics label a raw path")
	}

	// A second server on the same registry reuses the metrics.
	if _, err := web.New(web.Options{Store: st, Registry: e.reg}); err != nil {
		t.Errorf("second New on one registry: %v", err)
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st)
	r := e.do(t, e.sched, "GET", "/api/employees/E01", "").want(t, http.StatusOK)
	rid := r.header.Get("X-Request-ID")
	if rid == "" {
		t.Fatal("no X-Request-ID")
	}
	var line string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, rid) {
			line = l
		}
	}
	for _, want := range []string{`"msg":"request"`, `"method":"GET"`, `"route":"/api/employees/:id"`, `"path":"/api/employees/E01"`, `"status":200`, `"user":"sched"`, `"duration"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %s lacks %s", line, want)
		}
	}

	// An incoming request id is kept when it is a plain token, replaced
	// otherwise.
	req := httpRequest("GET", "/healthz")
	req.Header.Set("X-Request-ID", "abc-123")
	if got := e.send(t, req).header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("request id %q, want abc-123", got)
	}
	req = httpRequest("GET", "/healthz")
	req.Header.Set("X-Request-ID", "evil\"id with spaces")
	if got := e.send(t, req).header.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Errorf("request id %q: the bad one was kept", got)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st)

	t.Run("sign in sets a safe cookie", func(t *testing.T) {
		r := e.do(t, nil, "POST", "/api/session", `{"username":"sched","password":"`+password+`"}`).want(t, http.StatusOK)
		var body struct {
			User struct {
				Username, Role string
				PasswordHash   string `json:"password_hash"`
			}
			CSRFToken string `json:"csrf_token"`
		}
		r.decode(t, &body)
		if body.User.Username != "sched" || body.User.Role != "scheduler" || body.CSRFToken == "" {
			t.Errorf("sign in body %s", r.body)
		}
		if strings.Contains(string(r.body), "$2a$") {
			t.Error("sign in sends the password hash")
		}
		raw := r.header.Get("Set-Cookie")
		for _, want := range []string{"crewplan_session=", "HttpOnly", "SameSite=Lax", "path=/"} {
			if !strings.Contains(strings.ToLower(raw), strings.ToLower(want)) {
				t.Errorf("cookie %q lacks %s", raw, want)
			}
		}
		if strings.Contains(strings.ToLower(raw), "secure") {
			t.Errorf("cookie %q is Secure without CookieSecure", raw)
		}
	})

	t.Run("secure cookie", func(t *testing.T) {
		e2 := newBareEnv(t, st, func(o *web.Options) { o.CookieSecure = true })
		r := e2.do(t, nil, "POST", "/api/session", `{"username":"sched","password":"`+password+`"}`).want(t, http.StatusOK)
		if raw := r.header.Get("Set-Cookie"); !strings.Contains(strings.ToLower(raw), "secure") {
			t.Errorf("cookie %q is not Secure", raw)
		}
	})

	t.Run("bad password", func(t *testing.T) {
		for _, body := range []string{
			`{"username":"sched","password":"wrong password!"}`,
			`{"username":"nobody","password":"` + password + `"}`,
		} {
			r := e.do(t, nil, "POST", "/api/session", body).want(t, http.StatusUnauthorized)
			if got := r.apiError(t).Error; got != "unknown user or wrong password" {
				t.Errorf("error %q", got)
			}
			if len(r.cookies()) != 0 {
				t.Errorf("a failed sign-in set a cookie: %v", r.cookies())
			}
		}
	})

	t.Run("no session", func(t *testing.T) {
		for _, p := range []string{"/api/employees", "/api/session", "/api/events", "/api/settings"} {
			r := e.do(t, nil, "GET", p, "").want(t, http.StatusUnauthorized)
			if b := r.apiError(t); !strings.Contains(b.Error, "sign in") || b.RequestID == "" {
				t.Errorf("GET %s: %s", p, r.body)
			}
		}
		bogus := &client{cookie: "not-a-session", csrf: "x"}
		e.do(t, bogus, "GET", "/api/employees", "").want(t, http.StatusUnauthorized)
	})

	t.Run("expired session", func(t *testing.T) {
		users, err := st.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		token, sess, err := st.NewSession(ctx, users[0].ID, -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		e.do(t, &client{cookie: token, csrf: sess.CSRFToken}, "GET", "/api/employees", "").want(t, http.StatusUnauthorized)
	})

	t.Run("current session", func(t *testing.T) {
		r := e.do(t, e.view, "GET", "/api/session", "").want(t, http.StatusOK)
		var body struct {
			User      struct{ Username string }
			CSRFToken string `json:"csrf_token"`
		}
		r.decode(t, &body)
		if body.User.Username != "view" || body.CSRFToken != e.view.csrf {
			t.Errorf("GET /api/session: %s", r.body)
		}
	})

	newEmployee := `{"id":"E09","name":"New Person","role":"specialist"}`

	t.Run("viewer cannot write", func(t *testing.T) {
		before := e.auditCount(t)
		r := e.do(t, e.view, "POST", "/api/employees", newEmployee).want(t, http.StatusForbidden)
		if !strings.Contains(r.apiError(t).Error, "viewer") {
			t.Errorf("error %s", r.body)
		}
		e.do(t, e.view, "DELETE", "/api/events/612103", "").want(t, http.StatusForbidden)
		if after := e.auditCount(t); after != before {
			t.Errorf("audit entries %d → %d", before, after)
		}
		e.do(t, e.admin, "GET", "/api/employees/E09", "").want(t, http.StatusNotFound)
		e.do(t, e.admin, "GET", "/api/events/612103", "").want(t, http.StatusOK)
	})

	t.Run("CSRF header", func(t *testing.T) {
		before := e.auditCount(t)
		noCSRF := &client{cookie: e.sched.cookie}
		r := e.do(t, noCSRF, "POST", "/api/employees", newEmployee).want(t, http.StatusForbidden)
		if !strings.Contains(r.apiError(t).Error, "X-CSRF-Token") {
			t.Errorf("error %s", r.body)
		}
		wrong := &client{cookie: e.sched.cookie, csrf: e.admin.csrf}
		e.do(t, wrong, "POST", "/api/employees", newEmployee).want(t, http.StatusForbidden)
		e.do(t, wrong, "DELETE", "/api/session", "").want(t, http.StatusForbidden)
		if after := e.auditCount(t); after != before {
			t.Errorf("audit entries %d → %d", before, after)
		}
		e.do(t, e.admin, "GET", "/api/employees/E09", "").want(t, http.StatusNotFound)
	})

	t.Run("admin only", func(t *testing.T) {
		before := e.snapshot(t)
		settings := string(e.do(t, e.sched, "GET", "/api/settings", "").want(t, http.StatusOK).body)
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/locked-days", `{"date":"2026-03-07","reason":"inventory"}`},
			{"DELETE", "/api/locked-days/2026-03-07", ""},
			{"PUT", "/api/settings", settings},
			{"GET", "/api/audit", ""},
		} {
			r := e.do(t, e.sched, c.method, c.path, c.body).want(t, http.StatusForbidden)
			if !strings.Contains(r.apiError(t).Error, "admin") {
				t.Errorf("%s %s: %s", c.method, c.path, r.body)
			}
			e.do(t, e.view, c.method, c.path, c.body).want(t, http.StatusForbidden)
		}
		if after := e.snapshot(t); after != before {
			t.Errorf("forbidden requests changed data:\n%s\n%s", before, after)
		}
		e.do(t, e.view, "GET", "/api/locked-days", "").want(t, http.StatusOK)
		e.do(t, e.admin, "GET", "/api/audit", "").want(t, http.StatusOK)
	})

	t.Run("actor is recorded", func(t *testing.T) {
		e.do(t, e.sched, "POST", "/api/employees", newEmployee).want(t, http.StatusCreated)
		entries, err := st.ListAudit(ctx, store.AuditFilter{Entity: "employee", EntityID: "E09"})
		if err != nil || len(entries) != 1 || entries[0].Actor != "sched" {
			t.Errorf("audit of E09: %+v, %v", entries, err)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		c := e.signIn(t, "view")
		r := e.do(t, c, "DELETE", "/api/session", "").want(t, http.StatusNoContent)
		if raw := r.header.Get("Set-Cookie"); !strings.Contains(raw, "crewplan_session=;") && !strings.Contains(raw, "crewplan_session=\"\"") {
			t.Errorf("sign out cookie %q", raw)
		}
		e.do(t, c, "GET", "/api/session", "").want(t, http.StatusUnauthorized)
	})
}

// TestInternalErrorDoesNotLeak closes the store under a signed-in user:
// every request then fails inside, and the client must learn nothing but
// "internal error" and the request id, which finds the real error in the
// log.
func TestInternalErrorDoesNotLeak(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	seed(t, st)
	e := newEnv(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/employees", "/api/events/612103", "/api/settings"} {
		r := e.do(t, e.admin, "GET", p, "").want(t, http.StatusInternalServerError)
		b := r.apiError(t)
		if b.Error != "internal error" || b.RequestID == "" || b.RequestID != r.header.Get("X-Request-ID") {
			t.Errorf("GET %s: %s", p, r.body)
		}
		for _, leak := range []string{"closed", "sql", "database", "store"} {
			if strings.Contains(strings.ToLower(string(r.body)), leak) {
				t.Errorf("GET %s leaks %q: %s", p, leak, r.body)
			}
		}
		if logs := e.logs.String(); !strings.Contains(logs, b.RequestID) || !strings.Contains(logs, "closed") {
			t.Errorf("the log lacks the real error of %s", b.RequestID)
		}
	}
	// A panicking handler is recovered the same way.
	e.app.Get("/api/boom", func(*fiber.Ctx) error { panic("boom: secret detail") })
	r := e.do(t, nil, "GET", "/api/boom", "").want(t, http.StatusInternalServerError)
	if b := r.apiError(t); b.Error != "internal error" || strings.Contains(string(r.body), "secret") {
		t.Errorf("panic: %s", r.body)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "secret detail") || !strings.Contains(logs, `"route":"/api/boom"`) {
		t.Error("the log lacks the panic")
	}

	r = e.page(t, e.admin, "/").want(t, http.StatusInternalServerError)
	if body := string(r.body); !strings.Contains(body, "internal error") || strings.Contains(body, "closed") {
		t.Errorf("dashboard with a closed store: %s", body)
	}
}

func httpRequest(method, path string) *http.Request {
	req, _ := http.NewRequest(method, "http://crewplan.test"+path, nil)
	return req
}
