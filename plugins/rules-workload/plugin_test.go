package rulesworkload_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	rulesworkload "github.com/crewplan/crewplan/plugins/rules-workload"
	"github.com/crewplan/crewplan/sdk/plugin"
	"github.com/crewplan/crewplan/sdk/rule"
)

func TestInfo(t *testing.T) {
	got, err := rulesworkload.New().Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := plugin.Info{Type: plugin.TypeRule, Name: "rules-workload", Version: "1.0.0", APIVersions: []int{rule.APIVersion}}
	got.Description = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Info (-want +got):\n%s", diff)
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		raw string
		bad bool
	}{
		{"", false},
		{"  ", false},
		{"{}", false},
		{" { } \n", false},
		{`{"max": 3}`, true},
		{`[]`, true},
		{`{} {}`, true},
		{`{`, true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := rulesworkload.New().Configure(context.Background(), []byte(tt.raw))
			if tt.bad != (err != nil) {
				t.Fatalf("Configure(%q) = %v, want error: %v", tt.raw, err, tt.bad)
			}
			if err != nil && !errors.Is(err, plugin.ErrBadConfig) {
				t.Errorf("Configure(%q) = %v, want an error wrapping plugin.ErrBadConfig", tt.raw, err)
			}
		})
	}
}

func TestCheckEmpty(t *testing.T) {
	b := batch()
	if vs := check(t, rulesworkload.New(), b); len(vs) != 0 {
		t.Errorf("Check of no candidates = %v", vs)
	}
}

func TestCheckCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := batch(cand(ana, core1, "2026-03-05", "09:45"))
	if _, err := rulesworkload.New().Check(ctx, b); !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a canceled context = %v, want context.Canceled", err)
	}
}

func TestCheckConcurrent(t *testing.T) {
	// One Batch may be read by several rules at once: its lookups are
	// built on first use, under the race detector here.
	want := check(t, rulesworkload.New(), bigBatch(2000))
	b := bigBatch(2000)
	r := rulesworkload.New()
	got := make([][]rule.Verdict, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i], errs[i] = r.Check(context.Background(), b) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("Check %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("Check %d differs from a lone Check (-want +got):\n%s", i, diff)
		}
	}
}
