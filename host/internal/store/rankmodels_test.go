package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// rankingModel returns a valid model whose SHA-256 is c repeated.
func rankingModel(name, version string, c byte) *store.RankingModel {
	sum := strings.Repeat(string(c), 64)
	return &store.RankingModel{Name: name, Version: version, SHA256: sum, File: sum + ".wasm", Metrics: `{"auc":0.81}`}
}

// activeID returns the id of the active model, 0 when none.
func activeID(t *testing.T, s *store.Store) int64 {
	t.Helper()
	m, ok, err := s.ActiveRankingModel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return 0
	}
	return m.ID
}

func TestRankingModelAdd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := rankingModel("logreg", "2026-12-05.1", 'a')
		if err := s.AddRankingModel(ctx, a); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.CreatedAt.IsZero() || a.Active {
			t.Errorf("added %+v", a)
		}
		got, err := s.GetRankingModel(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "logreg" || got.SHA256 != a.SHA256 || got.File != a.File || got.Metrics != `{"auc":0.81}` || got.Card != "{}" || got.Active || got.ActivatedAt != nil {
			t.Errorf("GetRankingModel = %+v", got)
		}
		if _, err := s.GetRankingModel(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetRankingModel(999) = %v, want ErrNotFound", err)
		}
		// The same module again is a conflict.
		wantConflict(t, s.AddRankingModel(ctx, rankingModel("other", "2", 'a')), "already registered", a.SHA256)

		tests := []struct {
			name   string
			edit   func(m *store.RankingModel)
			fields []string
		}{
			{"bad name", func(m *store.RankingModel) { m.Name = "LogReg" }, []string{"name"}},
			{"no name or version", func(m *store.RankingModel) { m.Name, m.Version = "", " " }, []string{"name", "version"}},
			{"upper-case sha256", func(m *store.RankingModel) { m.SHA256 = strings.Repeat("B", 64) }, []string{"sha256"}},
			{"short sha256", func(m *store.RankingModel) { m.SHA256 = "bb" }, []string{"sha256"}},
			{"no file", func(m *store.RankingModel) { m.File = "" }, []string{"file"}},
			{"metrics not JSON", func(m *store.RankingModel) { m.Metrics = "auc=0.8" }, []string{"metrics"}},
			{"card not an object", func(m *store.RankingModel) { m.Card = "[1]" }, []string{"card"}},
			{"null metrics", func(m *store.RankingModel) { m.Metrics = "null" }, []string{"metrics"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := rankingModel("gbdt", "1", 'b')
				tt.edit(m)
				wantFields(t, s.AddRankingModel(ctx, m), tt.fields...)
			})
		}
		list, err := s.ListRankingModels(ctx)
		if err != nil || len(list) != 1 {
			t.Errorf("ListRankingModels = %v, %v; want only the first model", list, err)
		}
	})
}

func TestRankingModelActivateRollback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var ids []int64
		for i, c := range []byte("abc") {
			m := rankingModel("logreg", string(rune('1'+i)), c)
			if err := s.AddRankingModel(ctx, m); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		list, err := s.ListRankingModels(ctx)
		if err != nil || len(list) != 3 || list[0].ID != ids[2] || list[2].ID != ids[0] {
			t.Fatalf("ListRankingModels = %+v, %v; want newest first", list, err)
		}
		if id := activeID(t, s); id != 0 {
			t.Fatalf("a fresh registry has model %d active", id)
		}
		if _, err := s.RollbackRankingModel(ctx); !errors.Is(err, store.ErrNoPreviousModel) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("rollback with none active = %v", err)
		}
		if _, err := s.ActivateRankingModel(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("activate a missing model = %v", err)
		}

		for _, id := range ids {
			m, err := s.ActivateRankingModel(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != id || !m.Active || m.ActivatedAt == nil {
				t.Errorf("ActivateRankingModel(%d) = %+v", id, m)
			}
			if got := activeID(t, s); got != id {
				t.Fatalf("active = %d, want %d", got, id)
			}
		}
		// Activating the active one changes nothing.
		if _, err := s.ActivateRankingModel(ctx, ids[2]); err != nil || activeID(t, s) != ids[2] {
			t.Fatalf("activate the active model: %v", err)
		}
		// Rollbacks walk back: c → b → a, then there is nothing before a.
		if prev, err := s.PreviousRankingModel(ctx); err != nil || prev.ID != ids[1] {
			t.Fatalf("PreviousRankingModel = %+v, %v", prev, err)
		}
		for _, want := range []int64{ids[1], ids[0]} {
			m, err := s.RollbackRankingModel(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != want || !m.Active || activeID(t, s) != want {
				t.Fatalf("rollback = %+v, want model %d active", m, want)
			}
		}
		if _, err := s.RollbackRankingModel(ctx); !errors.Is(err, store.ErrNoPreviousModel) {
			t.Errorf("rollback from the first model = %v", err)
		}
		if activeID(t, s) != ids[0] {
			t.Error("a refused rollback changed the active model")
		}
		// Exactly one is active.
		list, _ = s.ListRankingModels(ctx)
		n := 0
		for _, m := range list {
			if m.Active {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d models active", n)
		}

		if err := s.DeactivateRankingModels(ctx); err != nil {
			t.Fatal(err)
		}
		if id := activeID(t, s); id != 0 {
			t.Errorf("after deactivate model %d is active", id)
		}
		if _, err := s.RollbackRankingModel(ctx); !errors.Is(err, store.ErrNoPreviousModel) {
			t.Errorf("rollback with none active = %v", err)
		}
		// The schema itself allows only one active model.
		err = s.RawExec(ctx, "UPDATE ranking_models SET active = TRUE, activated_at = created_at")
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("two active models: %v, want a conflict", err)
		}
	})
}

func TestRankerShadow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if on, set, err := s.RankerShadow(ctx); on || set || err != nil {
			t.Fatalf("nothing stored: %v %v %v", on, set, err)
		}
		for _, want := range []bool{true, false} {
			if err := s.SetRankerShadow(ctx, admin, &want); err != nil {
				t.Fatal(err)
			}
			if on, set, err := s.RankerShadow(ctx); on != want || !set || err != nil {
				t.Errorf("stored %v: read %v %v %v", want, on, set, err)
			}
		}
		if _, err := s.GetSettings(ctx); err != nil {
			t.Errorf("the settings with the shadow mode stored: %v", err)
		}
		if err := s.SetRankerShadow(ctx, admin, nil); err != nil {
			t.Fatal(err)
		}
		if _, set, _ := s.RankerShadow(ctx); set {
			t.Error("cleared, still set")
		}
	})
}
