package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	_ "github.com/glebarez/go-sqlite" // "sqlite", to dump production's database
)

// TestTestInstanceEndToEnd: production serves the demo store; a test
// instance is created from it while production answers requests, runs the
// scheduler on its copy, verifies it is apart, and is cleaned up;
// production's database dumps the same before and after.
func TestTestInstanceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	prodPort, testPort := freePort(t), freePort(t)
	configs := filepath.Join(dir, "configs")
	os.MkdirAll(configs, 0o755)
	for _, name := range []string{"base.yaml", "production.yaml", "test.yaml"} {
		b, err := os.ReadFile(filepath.Join("../configs", name))
		if err != nil {
			t.Fatal(err)
		}
		body := strings.Replace(string(b), "port: 8000", fmt.Sprintf("port: %d", prodPort), 1)
		body = strings.Replace(body, "port: 8001", fmt.Sprintf("port: %d", testPort), 1)
		os.WriteFile(filepath.Join(configs, name), []byte(body), 0o644)
	}
	crewplan := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "CREWPLAN_CONFIG_DIR=configs"}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}

	prod := serveOn(t, dir, configs, "production", prodPort, "--load-demo")
	prodAPI := signedIn(t, prod.base)
	prodDB := filepath.Join(dir, "data", "crewplan.db")
	before := dump(t, prodDB)

	// Production answers requests while the copy is made.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var served, failed int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, path := range []string{"/api/employees", "/api/events", "/api/runs", "/", "/readyz"} {
				if prodAPI.get(path) == 200 {
					served++
				} else {
					failed++
				}
			}
		}
	}()
	code, out := crewplan("testinstance", "create")
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "copied production's database") {
		t.Fatalf("testinstance create = %d\n%s", code, out)
	}
	if served == 0 || failed != 0 {
		t.Errorf("production during create: %d requests served, %d failed", served, failed)
	}

	test := serveOn(t, dir, configs, "test", testPort)
	testAPI := signedIn(t, test.base) // the copy has production's users
	var run struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Placed int    `json:"placed"`
	}
	if code := testAPI.post("/api/runs", &run); code != 201 || run.Status != "completed" || run.Placed == 0 {
		t.Fatalf("a run on the test instance = %d %+v", code, run)
	}

	code, out = crewplan("testinstance", "verify")
	if code != 0 || strings.Count(out, "✓") != 6 || strings.Contains(out, "✗") {
		t.Errorf("testinstance verify = %d\n%s", code, out)
	}
	test.stop(t)
	code, out = crewplan("testinstance", "cleanup")
	if code != 0 || !strings.Contains(out, "removed") {
		t.Errorf("testinstance cleanup = %d\n%s", code, out)
	}
	for _, gone := range []string{"data/crewplan_test.db", "data/models_test", "logs/crewplan_test.log"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s is still there after cleanup", gone)
		}
	}

	after := dump(t, prodDB)
	if before != after {
		b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("production's database changed: line %d was\n%s\nis\n%s", i, b[i], a[i])
			}
		}
		t.Fatalf("production's database changed: %d lines before, %d after", len(b), len(a))
	}
	if !strings.Contains(before, "employees") || strings.Count(before, "\n") < 1000 {
		t.Errorf("the dump holds too little to compare: %d lines", strings.Count(before, "\n"))
	}
}

// client is a signed-in API session.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

// signedIn signs in as the demo admin.
func signedIn(t *testing.T, base string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: &http.Client{Jar: jar}}
	resp, err := c.http.Post(base+"/api/session", "application/json", strings.NewReader(`{"username":"demo","password":"crewplan-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body.CSRF == "" {
		t.Fatalf("sign in on %s: %d %v", base, resp.StatusCode, err)
	}
	c.csrf = body.CSRF
	return c
}

// get answers the status of GET path, 0 when it could not be asked.
func (c *client) get(path string) int {
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (c *client) post(path string, out any) int {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		c.t.Errorf("POST %s: %v", path, err)
	}
	return resp.StatusCode
}

// dump is a logical dump of a SQLite database: its schema, then every
// row of every table as text, sorted.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := func(q string) [][]string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			line := make([]string, len(vals))
			for i, v := range vals {
				line[i] = fmt.Sprintf("%#v", v)
			}
			out = append(out, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var b strings.Builder
	var tables []string
	for _, r := range query("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name") {
		fmt.Fprintln(&b, strings.Join(r, " "))
		if r[0] == `"table"` {
			tables = append(tables, strings.Trim(r[1], `"`))
		}
	}
	for _, table := range tables {
		var lines []string
		for _, r := range query(`SELECT * FROM "` + table + `"`) {
			lines = append(lines, table+": "+strings.Join(r, ", "))
		}
		slices.Sort(lines)
		for _, l := range lines {
			fmt.Fprintln(&b, l)
		}
	}
	return b.String()
}
