package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/crewplan/crewplan/host/internal/config"
)

func TestRankerSection(t *testing.T) {
	dir := writeDir(t, map[string]string{"base.yaml": "ranker:\n  confidence_threshold: 0.7\n  shadow: true\n", "production.yaml": ""})
	cfg, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{"CREWPLAN_RANKER__DEADLINE=20ms"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Ranker; r.ConfidenceThreshold != 0.7 || !r.Shadow || r.Deadline != 20*time.Millisecond || r.Dir != "data/models" || r.MaxMemoryMB != 64 {
		t.Errorf("ranker = %+v", r)
	}
	cfg, err = config.Load(config.LoadOptions{Dir: dir, Environ: []string{"CREWPLAN_RANKER__CONFIDENCE_THRESHOLD=0"}})
	if err != nil || cfg.Ranker.ConfidenceThreshold != 0 {
		t.Errorf("threshold 0 from the environment: %v, %v", cfg, err)
	}
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"threshold above 1", "ranker:\n  confidence_threshold: 1.5\n", "ranker.confidence_threshold: 1.5 is not a probability"},
		{"threshold negative", "ranker:\n  confidence_threshold: -0.1\n", "ranker.confidence_threshold"},
		{"threshold not a number", "ranker:\n  confidence_threshold: high\n", `ranker.confidence_threshold: "high" is not a number`},
		{"threshold NaN", "ranker:\n  confidence_threshold: NaN\n", "ranker.confidence_threshold"},
		{"no folder", "ranker:\n  dir: ''\n", "ranker.dir: is required"},
		{"zero deadline", "ranker:\n  deadline: 0s\n", "ranker.deadline"},
		{"memory too small", "ranker:\n  max_memory_mb: 1\n", "ranker.max_memory_mb: 1: want 4 to 4096"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"base.yaml": tt.yaml, "production.yaml": ""})
			_, err := config.Load(config.LoadOptions{Dir: dir, Environ: []string{}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to say %q", err, tt.want)
			}
		})
	}
}
