package backup

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// nightly returns n verified scheduled backups made at midnight UTC, the
// newest on day last, one a day back from it.
func nightly(last time.Time, n int) []Held {
	var out []Held
	for i := range n {
		t := last.AddDate(0, 0, -i)
		out = append(out, Held{ID: t.Format("20060102T150405Z") + "-office", Created: t, Kind: KindScheduled, Verified: true})
	}
	return out
}

func ids[T any](xs []T, id func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func TestPlanDays(t *testing.T) {
	last := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	now := last.Add(3 * time.Hour)
	held := nightly(last, 20)
	keep, remove := Plan(held, now, Policy{Days: 7})
	if len(keep) != 7 || len(remove) != 13 {
		t.Fatalf("kept %d, removed %d: want 7 and 13", len(keep), len(remove))
	}
	for _, k := range keep {
		if now.Sub(k.Created) >= 7*24*time.Hour {
			t.Errorf("kept %s (%s), older than 7 days", k.ID, k.Why)
		}
	}
	if keep[0].Why != "newest" || keep[1].Why != "days" {
		t.Errorf("reasons %q, %q: want newest, days", keep[0].Why, keep[1].Why)
	}
}

// TestPlanKeepsNewest: a target whose backups stopped keeps its last good
// one, however old; days alone would remove them all.
func TestPlanKeepsNewest(t *testing.T) {
	last := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	keep, remove := Plan(nightly(last, 5), last.AddDate(0, 2, 0), Policy{Days: 7})
	if len(keep) != 1 || keep[0].ID != nightly(last, 1)[0].ID || keep[0].Why != "newest" || len(remove) != 4 {
		t.Fatalf("kept %v, removed %d", keep, len(remove))
	}
}

func TestPlanKeepLastAndCalendar(t *testing.T) {
	last := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC) // a Saturday
	held := nightly(last, 120)
	now := last.Add(time.Hour)
	keep, _ := Plan(held, now, Policy{Days: 1, KeepLast: 3, Daily: 5, Weekly: 4, Monthly: 3})
	got := map[string]string{}
	for _, k := range keep {
		got[k.Created.Format(time.DateOnly)] = k.Why
	}
	want := map[string]string{
		"2026-12-05": "newest", "2026-12-04": "keep_last", "2026-12-03": "keep_last",
		"2026-12-02": "daily", "2026-12-01": "daily",
		// the newest of each of the last four weeks (from Sunday)
		"2026-11-28": "weekly", "2026-11-21": "weekly", "2026-11-14": "weekly",
		// the newest of each of the last three months
		"2026-11-30": "monthly", "2026-10-31": "monthly",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("kept %v\nwant %v", got, want)
	}
}

// TestPlanSafetyAndUnfinished: safety backups stay until removed by hand
// and count toward nothing; a backup without a verified manifest stays a
// day (it may be uploading), then goes, and never counts as the newest.
func TestPlanSafetyAndUnfinished(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	held := []Held{
		{ID: "old-safety", Created: now.AddDate(-1, 0, 0), Kind: KindSafety, Verified: true},
		{ID: "good", Created: now.AddDate(0, 0, -30), Kind: KindScheduled, Verified: true},
		{ID: "killed", Created: now.Add(-30 * time.Hour), Kind: KindScheduled},
		{ID: "uploading", Created: now.Add(-time.Minute), Kind: KindManual},
		{ID: "newer-safety", Created: now.Add(-time.Hour), Kind: KindSafety, Verified: true},
	}
	keep, remove := Plan(held, now, Policy{Days: 7})
	kept := ids(keep, func(k Kept) string { return k.ID + ":" + k.Why })
	if !slices.Equal(kept, []string{"old-safety:safety", "good:newest", "uploading:unfinished", "newer-safety:safety"}) {
		t.Errorf("kept %v", kept)
	}
	if r := ids(remove, func(h Held) string { return h.ID }); !slices.Equal(r, []string{"killed"}) {
		t.Errorf("removed %v", r)
	}
}
