package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/host/internal/web"
	backuplocal "github.com/crewplan/crewplan/plugins/backup-local"
)

// backupEnv is a server with backups on a local folder and the gate a
// restore pauses it with.
func backupEnv(t *testing.T) (*testEnv, *web.Gate) {
	t.Helper()
	st := storetest.SQLite(t)
	tg := backuplocal.New()
	if err := tg.Configure(context.Background(), []byte(`{"dir": "`+t.TempDir()+`", "fsync": false}`)); err != nil {
		t.Fatal(err)
	}
	gate := web.NewGate()
	svc := &backup.Service{Store: st, WorkDir: t.TempDir(), Host: "office", Pause: gate.Pause,
		Targets: []backup.Target{{Name: "local", Target: tg, Policy: backup.Policy{Days: 7}}}}
	return newEnv(t, st, func(o *web.Options) { o.Backups = &web.Backups{Service: svc}; o.Gate = gate }), gate
}

type backupsList struct {
	Items []struct {
		ID      string   `json:"id"`
		Kind    string   `json:"kind"`
		Targets []string `json:"targets"`
	} `json:"items"`
	Targets []string `json:"targets"`
	Errors  []any    `json:"errors"`
}

func TestBackupsAPI(t *testing.T) {
	e, _ := backupEnv(t)
	for _, c := range []*client{e.view, e.sched} {
		e.do(t, c, "GET", "/api/backups", "").want(t, http.StatusForbidden)
		e.do(t, c, "POST", "/api/backups", "").want(t, http.StatusForbidden)
	}
	var list backupsList
	e.do(t, e.admin, "GET", "/api/backups", "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 0 || len(list.Targets) != 1 || list.Targets[0] != "local" || list.Errors == nil {
		t.Fatalf("before any backup: %+v", list)
	}
	var made struct {
		Backup struct {
			ID string `json:"id"`
		} `json:"backup"`
		Uploads []struct {
			Target string `json:"target"`
			OK     bool   `json:"ok"`
		} `json:"uploads"`
	}
	e.do(t, e.admin, "POST", "/api/backups", "").want(t, http.StatusCreated).decode(t, &made)
	id := made.Backup.ID
	if id == "" || len(made.Uploads) != 1 || !made.Uploads[0].OK {
		t.Fatalf("made %+v", made)
	}
	e.do(t, e.admin, "GET", "/api/backups", "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Kind != "manual" {
		t.Fatalf("after a backup: %+v", list)
	}

	var checked struct {
		Verified bool `json:"verified"`
	}
	e.do(t, e.admin, "POST", "/api/backups/"+id+"/verify", "").want(t, http.StatusOK).decode(t, &checked)
	if !checked.Verified {
		t.Error("the backup does not verify")
	}
	e.do(t, e.admin, "POST", "/api/backups/20200101T000000Z-x-0000/verify", "").want(t, http.StatusNotFound)

	// A restore needs the id twice.
	for _, body := range []string{`{}`, `{"confirm": "something else"}`} {
		r := e.do(t, e.admin, "POST", "/api/backups/"+id+"/restore", body).want(t, http.StatusUnprocessableEntity)
		if b := r.apiError(t); !strings.Contains(fieldText(b), "body.confirm") {
			t.Errorf("restore with %s: %+v", body, b)
		}
	}
	e.do(t, e.sched, "POST", "/api/backups/"+id+"/restore", `{"confirm": "`+id+`"}`).want(t, http.StatusForbidden)
	e.do(t, e.admin, "POST", "/api/backups/20200101T000000Z-x-0000/restore", `{"confirm": "20200101T000000Z-x-0000"}`).want(t, http.StatusNotFound)
	var restored struct {
		Backup struct {
			ID string `json:"id"`
		} `json:"backup"`
		Safety struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"safety"`
	}
	e.do(t, e.admin, "POST", "/api/backups/"+id+"/restore", `{"confirm": "`+id+`"}`).want(t, http.StatusOK).decode(t, &restored)
	if restored.Backup.ID != id || restored.Safety.Kind != "safety" {
		t.Fatalf("restored %+v", restored)
	}
	// The server serves on: its sessions are in the restored database.
	e.do(t, e.admin, "GET", "/api/backups", "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 2 || list.Items[0].ID != restored.Safety.ID {
		t.Fatalf("after the restore: %+v", list)
	}

	var pruned struct {
		Items []struct {
			Target  string   `json:"target"`
			Removed []string `json:"removed"`
		} `json:"items"`
	}
	e.do(t, e.admin, "POST", "/api/backups/prune", `{"dry_run": true}`).want(t, http.StatusOK).decode(t, &pruned)
	if len(pruned.Items) != 1 || len(pruned.Items[0].Removed) != 0 {
		t.Errorf("pruned %+v", pruned)
	}
	e.do(t, e.admin, "POST", "/api/backups/prune", `{"dry_run": "yes"}`).want(t, http.StatusBadRequest)
}

// TestGate: a paused server answers 503 with Retry-After, but for its
// health checks; resumed, it serves again.
func TestGate(t *testing.T) {
	e, gate := backupEnv(t)
	resume, err := gate.Pause(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(t, e.admin, "GET", "/api/employees", "").want(t, http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") == "" || !strings.Contains(r.apiError(t).Error, "restoring") {
		t.Errorf("paused: %s %v", r.body, r.header)
	}
	e.do(t, nil, "GET", "/healthz", "").want(t, http.StatusOK)
	resume()
	e.do(t, e.admin, "GET", "/api/employees", "").want(t, http.StatusOK)
}

func TestBackupsUnavailable(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.do(t, e.admin, "GET", "/api/backups", "").want(t, http.StatusServiceUnavailable)
}
