package backup

import (
	"cmp"
	"slices"
	"time"
)

// Policy is how long a target keeps its backups (backup.retention_days
// and the rest of the configuration, which config validates). Only
// verified backups count toward it; restore's safety backups are never
// removed by it.
type Policy struct {
	// Days keeps every verified backup younger than this many days
	// (default DefaultRetentionDays).
	Days int `json:"days"`
	// KeepLast keeps the newest KeepLast verified backups, however old.
	KeepLast int `json:"keep_last"`
	// Daily, Weekly and Monthly keep the newest verified backup of each of
	// the last Daily days, Weekly weeks (from Sunday) and Monthly months
	// that have one.
	Daily   int `json:"daily"`
	Weekly  int `json:"weekly"`
	Monthly int `json:"monthly"`
}

// DefaultRetentionDays is how many days a target keeps verified backups
// when the configuration does not say.
const DefaultRetentionDays = 7

// UnfinishedAfter is how old a backup without a verified manifest must be
// before prune removes it: younger, it may still be uploading.
const UnfinishedAfter = 24 * time.Hour

// Held is a backup as retention sees it.
type Held struct {
	ID       string
	Created  time.Time
	Kind     Kind
	Verified bool // its manifest is there, parses and says it was verified
}

// Kept is a backup retention keeps, with why.
type Kept struct {
	Held
	Why string // "newest", "safety", "days", "keep_last", "daily", "weekly", "monthly", "unfinished"
}

// Plan splits a target's backups into those p keeps (with the first
// reason that keeps each) and those to remove, as of now, in the order
// given. It always keeps:
//
//   - restore's safety backups (removed by hand only);
//   - the newest verified backup, however old, so that a target whose
//     backups stopped for a while still holds the last good one;
//   - a backup without a verified manifest younger than UnfinishedAfter,
//     which may still be uploading.
//
// A backup without a verified manifest that is older is removed: it is
// what a failed or killed backup left.
func Plan(held []Held, now time.Time, p Policy) (keep []Kept, remove []Held) {
	why := make(map[string]string, len(held))
	verified := make([]Held, 0, len(held))
	for _, h := range held {
		if h.Verified && h.Kind != KindSafety {
			verified = append(verified, h)
		}
	}
	// Newest first; ties by id, so that the plan is the same every time.
	slices.SortFunc(verified, func(a, b Held) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID))
	})
	mark := func(id, reason string) {
		if _, ok := why[id]; !ok {
			why[id] = reason
		}
	}
	if len(verified) > 0 {
		mark(verified[0].ID, "newest")
	}
	for i, h := range verified {
		if p.Days > 0 && now.Sub(h.Created) < time.Duration(p.Days)*24*time.Hour {
			mark(h.ID, "days")
		}
		if i < p.KeepLast {
			mark(h.ID, "keep_last")
		}
	}
	bucket := func(n int, reason string, of func(time.Time) string) {
		seen := make(map[string]bool)
		for _, h := range verified {
			if len(seen) == n {
				return
			}
			k := of(h.Created.UTC())
			if !seen[k] {
				seen[k] = true
				mark(h.ID, reason)
			}
		}
	}
	bucket(p.Daily, "daily", func(t time.Time) string { return t.Format(time.DateOnly) })
	bucket(p.Weekly, "weekly", func(t time.Time) string {
		return t.AddDate(0, 0, -int(t.Weekday())).Format(time.DateOnly)
	})
	bucket(p.Monthly, "monthly", func(t time.Time) string { return t.Format("2006-01") })
	for _, h := range held {
		switch {
		case h.Kind == KindSafety:
			keep = append(keep, Kept{h, "safety"})
		case !h.Verified && now.Sub(h.Created) < UnfinishedAfter:
			keep = append(keep, Kept{h, "unfinished"})
		case h.Verified && why[h.ID] != "":
			keep = append(keep, Kept{h, why[h.ID]})
		default:
			remove = append(remove, h)
		}
	}
	return keep, remove
}
