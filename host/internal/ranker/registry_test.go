package ranker_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/evaluator"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	abi "github.com/crewplan/crewplan/sdk/ranker"
)

// newRegistry returns a registry on s (a fresh SQLite store when nil) and
// a fresh models directory.
func newRegistry(t *testing.T, s *store.Store) *ranker.Registry {
	t.Helper()
	if s == nil {
		s = storetest.SQLite(t)
	}
	r := &ranker.Registry{
		Dir:     filepath.Join(t.TempDir(), "models"),
		Store:   s,
		Runtime: newRuntime(t, ranker.Options{}),
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	return r
}

// registryModels returns two logreg models: the fixture's, with a card
// carrying training metrics, and one with other weights.
func registryModels(t *testing.T) (a, b []byte) {
	t.Helper()
	a, err := abi.WithSection(fixtureModule(t), abi.SectionCard,
		[]byte(`{"name":"logreg-fixture","metrics":{"auc":0.81,"logloss":0.42}}`))
	if err != nil {
		t.Fatal(err)
	}
	b = withParams(t, logreg.Encode(logreg.Params{
		Name: "logreg-b", Version: "2", Bias: 0.25,
		Features: []string{"hours_week", "days_since_last", "skill_match", "travel_km", "accept_rate"},
		Weights:  []float32{-0.5, 0.25, 1, -0.125, 0.75},
	}))
	return a, b
}

// fixtureScores scores the shared fixture matrix with m.
func fixtureScores(t *testing.T, m *ranker.Model) []float32 {
	t.Helper()
	x, err := abi.DecodeMatrix(readFixture(t, "fixture-matrix.bin"), 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Score(context.Background(), x, 7, 5)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// liveSHA returns the SHA-256 of the live model, "" when none is.
func liveSHA(r *ranker.Registry) string {
	if m := r.Active(); m != nil {
		return m.SHA256()
	}
	return ""
}

// files lists the names in dir (none when it does not exist).
func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestRegistryLifecycle adds two models, activates one then the other,
// rolls back, deactivates, and reopens the registry, all without a
// restart, checking the live model each time, on SQLite and PostgreSQL.
func TestRegistryLifecycle(t *testing.T) {
	storetest.Each(t, testRegistryLifecycle)
}

func testRegistryLifecycle(t *testing.T, s *store.Store) {
	ctx := context.Background()
	r := newRegistry(t, s)
	wasmA, wasmB := registryModels(t)

	a, err := r.Add(ctx, wasmA)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "logreg-fixture" || a.Version != "2026-12-05.1" || a.Active || a.File != a.SHA256+".wasm" {
		t.Errorf("Add = %+v", a)
	}
	if a.Metrics != `{"auc":0.81,"logloss":0.42}` || a.Card == "{}" {
		t.Errorf("Add recorded metrics %s, card %s", a.Metrics, a.Card)
	}
	if r.Path(a) != filepath.Join(r.Dir, a.File) {
		t.Errorf("Path = %s, want %s", r.Path(a), filepath.Join(r.Dir, a.File))
	}
	if onDisk, err := os.ReadFile(r.Path(a)); err != nil || string(onDisk) != string(wasmA) {
		t.Fatalf("the model file: %v", err)
	}
	if r.Active() != nil {
		t.Fatal("a model is live before any activation")
	}
	if _, err := r.Add(ctx, wasmA); !errors.Is(err, store.ErrConflict) {
		t.Errorf("adding the same module again = %v, want a conflict", err)
	}
	if got := files(t, r.Dir); len(got) != 1 {
		t.Errorf("models directory holds %v after a refused duplicate", got)
	}

	if _, err := r.Activate(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	liveA := r.Active()
	if liveA == nil || liveA.SHA256() != a.SHA256 {
		t.Fatalf("live model %q, want %s", liveSHA(r), a.SHA256)
	}
	if liveA.Trusted() {
		t.Error("a logreg model runs on the fast runtime: only the embedded evaluator's code is trusted")
	}
	want, err := abi.DecodeScores(readFixture(t, "fixture-scores.bin"), 7)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range fixtureScores(t, liveA) {
		if math.Abs(float64(s-want[i])) > 1e-6 {
			t.Errorf("row %d scored %v, want %v", i+1, s, want[i])
		}
	}

	b, err := r.Add(ctx, wasmB)
	if err != nil {
		t.Fatal(err)
	}
	if b.SHA256 == a.SHA256 || b.Name != "logreg-b" || b.Metrics != "{}" || b.Card != "{}" {
		t.Errorf("Add = %+v", b)
	}
	if _, err := r.Activate(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := liveSHA(r); got != b.SHA256 {
		t.Fatalf("live model %q after activating b, want %s", got, b.SHA256)
	}
	fixtureScores(t, r.Active())
	// The model swapped out is closed.
	if _, err := liveA.Score(ctx, make([]float32, 5), 1, 5); !errors.Is(err, ranker.ErrClosed) {
		t.Errorf("Score on the model swapped out = %v, want ErrClosed", err)
	}

	row, err := r.Rollback(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if row.ID != a.ID || liveSHA(r) != a.SHA256 {
		t.Fatalf("rollback made model %d (%s) live, want a", row.ID, liveSHA(r))
	}
	if act, ok, err := r.Store.ActiveRankingModel(ctx); err != nil || !ok || act.ID != a.ID {
		t.Fatalf("active row after rollback = %+v, %v", act, err)
	}
	if _, err := r.Rollback(ctx); !errors.Is(err, store.ErrNoPreviousModel) || liveSHA(r) != a.SHA256 {
		t.Errorf("rollback from the first model = %v (live %s)", err, liveSHA(r))
	}

	// A second registry on the same store and directory, as after a
	// restart, loads the active model.
	r2 := &ranker.Registry{Dir: r.Dir, Store: r.Store, Runtime: r.Runtime}
	defer r2.Close(ctx)
	if err := r2.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if got := liveSHA(r2); got != a.SHA256 {
		t.Errorf("Open made %q live, want %s", got, a.SHA256)
	}

	if err := r.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	if r.Active() != nil {
		t.Error("a model is live after Deactivate")
	}
	if act, ok, err := r.Store.ActiveRankingModel(ctx); err != nil || ok {
		t.Errorf("active row after Deactivate = %+v, %v", act, err)
	}
	if err := r2.Open(ctx); err != nil || r2.Active() != nil {
		t.Errorf("Open with no active model: %v, live %s", err, liveSHA(r2))
	}
}

// addBoth adds the two registry models to r, in order.
func addBoth(t *testing.T, r *ranker.Registry) (a, b *store.RankingModel) {
	t.Helper()
	wasmA, wasmB := registryModels(t)
	var err error
	if a, err = r.Add(context.Background(), wasmA); err != nil {
		t.Fatal(err)
	}
	if b, err = r.Add(context.Background(), wasmB); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// TestRegistryCorruptFile flips a byte of a registered model's file:
// Activate refuses it and nothing changes; Open at start-up runs with no
// model rather than fail.
func TestRegistryCorruptFile(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, nil)
	a, b := addBoth(t, r)
	if _, err := r.Activate(ctx, a.ID); err != nil {
		t.Fatal(err)
	}

	flip := func(row *store.RankingModel) {
		path := filepath.Join(r.Dir, row.File)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	flip(b)
	_, err := r.Activate(ctx, b.ID)
	if !errors.Is(err, ranker.ErrModelFile) {
		t.Fatalf("activating a corrupted file = %v, want ErrModelFile", err)
	}
	t.Log(err)
	if liveSHA(r) != a.SHA256 {
		t.Errorf("live model %q after a refused activation, want a", liveSHA(r))
	}
	if act, ok, err := r.Store.ActiveRankingModel(ctx); err != nil || !ok || act.ID != a.ID {
		t.Errorf("active row after a refused activation = %+v, %v", act, err)
	}
	fixtureScores(t, r.Active()) // still serving

	// The active model's file corrupted: a restart runs with no model.
	flip(a)
	r2 := &ranker.Registry{Dir: r.Dir, Store: r.Store, Runtime: r.Runtime}
	defer r2.Close(ctx)
	if err := r2.Open(ctx); err != nil {
		t.Fatalf("Open with a corrupted active model = %v, want nil", err)
	}
	if r2.Active() != nil {
		t.Error("Open made a corrupted model live")
	}
}

// TestRegistryAddRefuses adds a module that fails validation: no file, no
// row.
func TestRegistryAddRefuses(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, nil)
	bad := guest(t, "misbehave-abi2")
	if _, err := r.Add(ctx, bad); !errors.Is(err, ranker.ErrInvalidModel) {
		t.Fatalf("Add of a module of ABI version 2 = %v, want ErrInvalidModel", err)
	} else {
		t.Log(err)
	}
	if _, err := r.Add(ctx, []byte("not wasm")); !errors.Is(err, ranker.ErrInvalidModel) {
		t.Fatalf("Add of bytes that are not WebAssembly = %v, want ErrInvalidModel", err)
	}
	cardList, err := abi.WithSection(scoringHand(t), abi.SectionCard, []byte("[1]"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Add(ctx, cardList); !errors.Is(err, ranker.ErrInvalidModel) || !strings.Contains(err.Error(), "not a JSON object") {
		t.Fatalf("Add of a module whose card is a list = %v, want ErrInvalidModel", err)
	}
	if got := files(t, r.Dir); len(got) != 0 {
		t.Errorf("models directory holds %v after refused adds", got)
	}
	if rows, err := r.Store.ListRankingModels(ctx); err != nil || len(rows) != 0 {
		t.Errorf("ListRankingModels = %v, %v; want none", rows, err)
	}
}

// TestRegistryTrust adds and activates two models made from the embedded
// evaluator, as training does: each runs on the fast runtime, by its code
// hash, and scores as the native evaluator does.
func TestRegistryTrust(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, nil)
	p := gbdtParams(t)
	x, want := benchMatrix(), make([]float32, benchRows)
	for _, version := range []string{"1", "2"} {
		p.Version = version
		p.Base += 0.5 // other scores
		wasm, err := evaluator.Module(p, []byte(`{"name":"bench-gbdt","metrics":{"ndcg@5":0.9}}`))
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Add(ctx, wasm)
		if err != nil {
			t.Fatal(err)
		}
		if row.Metrics != `{"ndcg@5":0.9}` {
			t.Errorf("Add recorded metrics %s", row.Metrics)
		}
		if _, err := r.Activate(ctx, row.ID); err != nil {
			t.Fatal(err)
		}
		m := r.Active()
		if m == nil || m.SHA256() != row.SHA256 || !m.Trusted() || m.CodeSHA256() != evaluator.CodeSHA256() {
			t.Fatalf("version %s live: %v; want it trusted, with the evaluator's code hash", version, m)
		}
		native := gbdt.New()
		if err := native.Load(gbdt.Encode(p)); err != nil {
			t.Fatal(err)
		}
		if err := native.Score(x, benchRows, benchCols, want); err != nil {
			t.Fatal(err)
		}
		got, err := m.Score(ctx, x, benchRows, benchCols)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Errorf("version %s, row %d scored %v, natively %v", version, i+1, got[i], want[i])
			}
		}
	}
}

// TestRegistryRefresh changes the active model through one registry, as
// the CLI or another host would, and checks that Refresh on a second one
// follows, and that LoadFailure says why an active model is not live.
func TestRegistryRefresh(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, nil)
	a, b := addBoth(t, r)
	var log logRecords
	other := &ranker.Registry{Dir: r.Dir, Store: r.Store, Runtime: r.Runtime, Logger: slog.New(&log)}
	defer other.Close(ctx)
	check := func(step, wantSHA string, wantFailure error) {
		t.Helper()
		if err := other.Refresh(ctx); err != nil {
			t.Fatalf("%s: Refresh: %v", step, err)
		}
		if got := liveSHA(other); got != wantSHA {
			t.Errorf("%s: live %q, want %q", step, got, wantSHA)
		}
		if got := other.LoadFailure(); !errors.Is(got, wantFailure) || (got == nil) != (wantFailure == nil) {
			t.Errorf("%s: LoadFailure() = %v, want %v", step, got, wantFailure)
		}
	}
	check("nothing active", "", nil)
	if _, err := r.Activate(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	check("a activated elsewhere", a.SHA256, nil)
	liveA := other.Active()
	check("nothing changed", a.SHA256, nil)
	if other.Active() != liveA {
		t.Error("Refresh loaded the live model again although nothing changed")
	}
	if _, err := r.Activate(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	check("b activated elsewhere", b.SHA256, nil)

	// a's file corrupted, and a activated by the store alone: the model
	// cannot load; Refresh says why, and does not try again every time.
	path := filepath.Join(r.Dir, a.File)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)/2] ^= 0xff
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Store.ActivateRankingModel(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	check("a activated with a corrupted file", "", ranker.ErrModelFile)
	check("again", "", ranker.ErrModelFile)
	if n := log.count("active ranking model not loaded; ranking by rules"); n != 1 {
		t.Errorf("the corrupted model was loaded %d times, want once", n)
	}
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Activate(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	check("b activated again", b.SHA256, nil)
	if err := r.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	check("deactivated elsewhere", "", nil)
}
