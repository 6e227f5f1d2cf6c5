package web

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

func TestEventPageJSONMatchesEncodingJSON(t *testing.T) {
	ext, run, parent, next := "X-1", int64(7), int64(600001), 2
	d := civil.MustParseDate("2026-03-02")
	odd := []string{"", "plain", `quo"te \ back`, "tab\tnew\nline\r\b\f\x00\x1f", "<b>&amp;</b>", "caf\u00e9 \u2028 \u2029 \U0001F600", "bad \xff utf8 \xe2\x82", "V2-CORE (300410117846)"}
	var page eventPage
	for i, s := range odd {
		e := eventJSON{Ref: int64(600000 + i), Name: s, Type: store.EventCore, Kind: store.EventKind(s), Start: d, Due: d.AddDays(i),
			DurationMin: 390, Condition: store.ConditionUnstaffed, StoreID: s, LocationID: s}
		if i%2 == 1 {
			e.ParentRef = &parent
			e.Schedule = &scheduleJSON{ID: int64(i), Event: e.Ref, Employee: s, At: "2026-03-02T09:45", Source: store.SourceManual,
				PostedBy: s, ExternalID: &ext, RunID: &run, OverrideReason: s, CreatedAt: time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)}
		}
		if i%4 == 3 {
			e.Schedule.ExternalID, e.Schedule.RunID = nil, nil
			e.Schedule.CreatedAt = time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("x", -5*3600))
		}
		page.Items = append(page.Items, e)
	}
	for _, p := range []eventPage{page, {Items: page.Items[:1], Limit: 500, Offset: 10, NextOffset: &next}, {Items: []eventJSON{}}} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(p); err != nil {
			t.Fatal(err)
		}
		if got := p.appendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("appendJSON differs from encoding/json:\n got %s\nwant %s", got, want.Bytes())
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", "\u2028", "\xff", "<&>", "\"\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
