package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/rank"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/host/internal/web"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
)

// stumpModule is a real model module: the embedded evaluator with one
// tree (a split on the first feature) over the host's features.
func stumpModule(t testing.TB, version string) []byte {
	t.Helper()
	p := gbdt.Params{
		Name: "stump", Version: version, Features: features.Names, Base: 1,
		Trees: []gbdt.Tree{{Feature: []int16{0, gbdt.Leaf, gbdt.Leaf}, Value: []float32{5, -0.5, 0.5}, Left: []uint16{1, 0, 0}, Right: []uint16{2, 0, 0}}},
	}
	wasm, err := evaluator.Module(p, []byte(`{"metrics": {"auc": 0.71, "p_at_3": 0.96}}`))
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// rankerEnv is a server with the ranking models of a fresh registry, and
// two models registered.
func rankerEnv(t *testing.T) (*testEnv, *ranker.Registry, [2]*store.RankingModel) {
	t.Helper()
	ctx := context.Background()
	st := storetest.SQLite(t)
	rt, err := ranker.NewRuntime(ctx, ranker.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	reg := &ranker.Registry{Dir: t.TempDir(), Store: st, Runtime: rt, Features: features.Names}
	t.Cleanup(func() { reg.Close(ctx); rt.Close(ctx) })
	var ms [2]*store.RankingModel
	for i, v := range []string{"1", "2"} {
		if ms[i], err = reg.Add(ctx, stumpModule(t, v)); err != nil {
			t.Fatal(err)
		}
	}
	svc := &rank.Service{Store: st, Registry: reg, Config: rank.Config{ConfidenceThreshold: 0.5}}
	return newEnv(t, st, func(o *web.Options) { o.Ranker = svc }), reg, ms
}

type rankerStatus struct {
	Active *struct {
		ID      int64  `json:"id"`
		Version string `json:"version"`
	} `json:"active"`
	Live                bool           `json:"live"`
	Fast                bool           `json:"fast"`
	Shadow              bool           `json:"shadow"`
	ShadowSource        string         `json:"shadow_source"`
	ConfidenceThreshold float64        `json:"confidence_threshold"`
	Fallbacks           map[string]int `json:"fallbacks"`
}

func (e *testEnv) rankerStatus(t *testing.T) rankerStatus {
	t.Helper()
	var st rankerStatus
	e.do(t, e.view, "GET", "/api/ranker", "").want(t, http.StatusOK).decode(t, &st)
	return st
}

func TestRankerAPI(t *testing.T) {
	e, reg, ms := rankerEnv(t)
	if st := e.rankerStatus(t); st.Active != nil || st.Live || st.Shadow || st.ShadowSource != "config" || st.ConfidenceThreshold != 0.5 {
		t.Fatalf("status with no model active: %+v", st)
	}
	var list struct {
		Items []struct {
			ID      int64          `json:"id"`
			Metrics map[string]any `json:"metrics"`
			Card    map[string]any `json:"card"`
		} `json:"items"`
	}
	e.do(t, e.view, "GET", "/api/ranker/models", "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 2 || list.Items[0].Metrics["auc"] != 0.71 || list.Items[0].Card["metrics"] == nil {
		t.Fatalf("models %+v", list)
	}

	// Only admins change the live model.
	for _, c := range []*client{e.view, e.sched} {
		e.do(t, c, "POST", "/api/ranker/activate", `{"id": 1}`).want(t, http.StatusForbidden)
		e.do(t, c, "POST", "/api/ranker/rollback", "").want(t, http.StatusForbidden)
		e.do(t, c, "PUT", "/api/ranker/shadow", `{"shadow": true}`).want(t, http.StatusForbidden)
	}
	for _, tc := range []struct {
		body   string
		status int
		says   string
	}{
		{`{"id": 0}`, http.StatusUnprocessableEntity, "body.id"},
		{`{"id": 999}`, http.StatusNotFound, "999"},
		{`{"id": "one"}`, http.StatusBadRequest, "id"},
		{`not json`, http.StatusBadRequest, ""},
	} {
		r := e.do(t, e.admin, "POST", "/api/ranker/activate", tc.body).want(t, tc.status)
		if b := r.apiError(t); !strings.Contains(b.Error+fieldText(b), tc.says) {
			t.Errorf("activate %s: %+v does not say %q", tc.body, b, tc.says)
		}
	}
	if reg.Active() != nil {
		t.Fatal("a refused activation made a model live")
	}

	for _, m := range ms {
		e.do(t, e.admin, "POST", "/api/ranker/activate", `{"id": `+strconv.FormatInt(m.ID, 10)+`}`).want(t, http.StatusOK)
	}
	if st := e.rankerStatus(t); st.Active == nil || st.Active.ID != ms[1].ID || !st.Live || !st.Fast {
		t.Fatalf("after activating %d: %+v", ms[1].ID, st)
	}
	if live := reg.Active(); live == nil || live.Meta().Version != "2" {
		t.Fatalf("live model %v", live)
	}
	e.do(t, e.admin, "POST", "/api/ranker/rollback", "").want(t, http.StatusOK)
	if st := e.rankerStatus(t); st.Active == nil || st.Active.ID != ms[0].ID || reg.Active().Meta().Version != "1" {
		t.Fatalf("after a rollback: %+v", st)
	}
	r := e.do(t, e.admin, "POST", "/api/ranker/rollback", "").want(t, http.StatusConflict)
	if !strings.Contains(r.apiError(t).Error, "first model activated") {
		t.Errorf("rollback past the first model: %s", r.body)
	}

	// Shadow mode: stored, then back to the configuration's.
	for _, tc := range []struct {
		body   string
		shadow bool
		source string
	}{{`{"shadow": true}`, true, "stored"}, {`{"shadow": false}`, false, "stored"}, {`{"shadow": null}`, false, "config"}} {
		var st rankerStatus
		e.do(t, e.admin, "PUT", "/api/ranker/shadow", tc.body).want(t, http.StatusOK).decode(t, &st)
		if st.Shadow != tc.shadow || st.ShadowSource != tc.source {
			t.Errorf("shadow %s: %+v", tc.body, st)
		}
	}
	for _, body := range []string{`{}`, `{"shadow": "yes"}`, `{"shadow": true, "x": 1}`} {
		e.do(t, e.admin, "PUT", "/api/ranker/shadow", body).want(t, http.StatusUnprocessableEntity)
	}

	e.do(t, e.admin, "POST", "/api/ranker/deactivate", "").want(t, http.StatusOK)
	if st := e.rankerStatus(t); st.Active != nil || reg.Active() != nil {
		t.Fatalf("after deactivating: %+v", st)
	}
}

func TestRankerAPIUnavailable(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.do(t, e.view, "GET", "/api/ranker", "").want(t, http.StatusServiceUnavailable)
	e.do(t, e.admin, "POST", "/api/ranker/rollback", "").want(t, http.StatusServiceUnavailable)
}

func fieldText(b errorBody) string {
	var s strings.Builder
	for _, f := range b.Fields {
		s.WriteString(f.Field + " " + f.Message + "; ")
	}
	return s.String()
}
