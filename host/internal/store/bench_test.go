package store_test

import (
	"testing"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/host/internal/store/storetest"
)

// BenchmarkStoreListEventsRegionMonth reads the 60-person region's month (2,121
// events, 328 posted) straight from the store on SQLite: the query and the
// scan, without HTTP — the baseline of the API's events list benchmark.
func BenchmarkStoreListEventsRegionMonth(b *testing.B) {
	s := storetest.SQLite(b)
	sc, err := scenario.ParseFile("../../../testdata/scenarios/region-month.json")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Import(ctx, admin, sc.Dataset(admin)); err != nil {
		b.Fatal(err)
	}
	f := store.EventFilter{From: date("2026-03-01"), To: date("2026-03-31")}
	for b.Loop() {
		evs, err := s.ListEvents(ctx, f)
		if err != nil || len(evs) < 2000 {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}
