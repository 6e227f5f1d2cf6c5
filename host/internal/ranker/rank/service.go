package rank

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/scheduler"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Registry is the model registry as the service uses it
// (*ranker.Registry).
type Registry interface {
	// Active returns the live model, nil when none is.
	Active() *ranker.Model
	// LoadFailure says why the active model is not live: nil when it is,
	// or when no model is active.
	LoadFailure() error
	// Refresh makes the live model the store's active one again, when
	// another process (the CLI, another host) changed it.
	Refresh(ctx context.Context) error
	Activate(ctx context.Context, id int64) (*store.RankingModel, error)
	Rollback(ctx context.Context) (*store.RankingModel, error)
	Deactivate(ctx context.Context) error
}

// Service is the ranking models as the host serves them: the registry,
// the shadow mode (stored, else configured), and each run's rankings. Its
// methods are safe for concurrent use; it must not be copied.
type Service struct {
	Store    *store.Store
	Registry Registry
	// Config is the configured ranker section; a stored shadow mode wins
	// over its Shadow.
	Config Config
	Logger *slog.Logger

	mu      sync.Mutex
	version string            // of the history below (store.WorkedVersion)
	index   *features.History // kept between runs while the store's is the same
}

// history returns the feature index of the store's history before day
// before, built again only when the store's worked assignments changed.
func (s *Service) history(ctx context.Context, before civil.Date) (*features.History, error) {
	v, err := s.Store.WorkedVersion(ctx, before)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil && v == s.version {
		return s.index, nil
	}
	worked, err := s.Store.ListWorked(ctx, before)
	if err != nil {
		return nil, err
	}
	s.index, s.version = features.NewHistory(features.FromStore(worked)), v
	return s.index, nil
}

// Settings returns the configuration in force: Config with the stored
// shadow mode, if any, and where the shadow mode came from ("config" or
// "stored").
func (s *Service) Settings(ctx context.Context) (Config, string, error) {
	cfg := s.Config
	on, set, err := s.Store.RankerShadow(ctx)
	if err != nil {
		return cfg, "", err
	}
	if set {
		cfg.Shadow = on
		return cfg, "stored", nil
	}
	return cfg, "config", nil
}

// SetShadow stores the shadow mode (nil clears it: the configuration
// decides); the next run uses it.
func (s *Service) SetShadow(ctx context.Context, by store.Actor, on *bool) error {
	return s.Store.SetRankerShadow(ctx, by, on)
}

// ForRun returns the ranking and the shadow ranking (nil: none) of a run
// over in: see the package doc. It first brings the live model in line
// with the store, so that a model activated elsewhere is used.
func (s *Service) ForRun(ctx context.Context, in *scheduler.Input) (rank, shadow scheduler.Ranker, err error) {
	cfg, _, err := s.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Registry.Refresh(ctx); err != nil {
		return nil, nil, err
	}
	m := s.Registry.Active()
	if m == nil {
		if ferr := s.Registry.LoadFailure(); ferr != nil {
			return failing{ferr}, nil, nil
		}
		return scheduler.RuleRanking{}, nil, nil
	}
	h, err := s.history(ctx, in.Snapshot.Now.Date)
	if err != nil {
		return nil, nil, fmt.Errorf("ranking model: %w", err)
	}
	r := New(m, h, in, cfg, s.Logger)
	if cfg.Shadow {
		return scheduler.RuleRanking{}, r, nil
	}
	return r, nil, nil
}

// Status is what GET /api/ranker reports.
type Status struct {
	// Active is the active model's record, nil when none is active.
	Active *store.RankingModel `json:"active"`
	// Live says whether the active model is loaded and scoring; LoadError
	// says why not.
	Live      bool   `json:"live"`
	LoadError string `json:"load_error,omitempty"`
	// Fast says whether the live model runs on the fast runtime (our own
	// evaluator) rather than the guarded one.
	Fast                bool    `json:"fast"`
	Shadow              bool    `json:"shadow"`
	ShadowSource        string  `json:"shadow_source"`
	ConfidenceThreshold float64 `json:"confidence_threshold"`
	// Fallbacks totals the decisions left to the rules, by reason, over
	// the last RecentRuns runs (Runs of them counted).
	Fallbacks map[string]int `json:"fallbacks"`
	Runs      int            `json:"runs"`
	// LastRun is the latest completed run's ranking, fallbacks and shadow
	// report.
	LastRun *RunRanking `json:"last_run"`
}

// RunRanking is one run's ranking in a Status.
type RunRanking struct {
	ID        int64                  `json:"id"`
	Finished  *time.Time             `json:"finished_at"`
	Ranker    string                 `json:"ranker"`
	Fallbacks map[string]int         `json:"fallbacks"`
	Shadow    *scheduler.ShadowStats `json:"shadow"`
}

// RecentRuns is how many runs Status totals fallbacks over.
const RecentRuns = 50

// Status reports the active model, the shadow mode and the fallbacks of
// recent runs.
func (s *Service) Status(ctx context.Context) (*Status, error) {
	cfg, source, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	st := &Status{Shadow: cfg.Shadow, ShadowSource: source, ConfidenceThreshold: cfg.ConfidenceThreshold, Fallbacks: map[string]int{}}
	row, ok, err := s.Store.ActiveRankingModel(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		st.Active = row
		if m := s.Registry.Active(); m != nil && m.SHA256() == row.SHA256 {
			st.Live, st.Fast = true, m.Trusted()
		} else if ferr := s.Registry.LoadFailure(); ferr != nil {
			st.LoadError = ferr.Error()
		}
	}
	runs, err := s.Store.ListRuns(ctx, RecentRuns)
	if err != nil {
		return nil, err
	}
	for i := range runs {
		r := &runs[i]
		if r.Status == store.RunRunning || r.Status == store.RunFailed {
			continue
		}
		st.Runs++
		var fb map[string]int
		_ = json.Unmarshal([]byte(r.FallbackDetail), &fb) // the store validated it
		for k, n := range fb {
			st.Fallbacks[k] += n
		}
		if st.LastRun == nil {
			st.LastRun = &RunRanking{ID: r.ID, Finished: r.FinishedAt, Ranker: r.Ranker, Fallbacks: fb}
			var sh scheduler.ShadowStats
			if json.Unmarshal([]byte(r.Shadow), &sh) == nil && sh.Ranker != "" {
				st.LastRun.Shadow = &sh
			}
		}
	}
	return st, nil
}

// Summary says in one line what ranks the next run.
func (st *Status) Summary() string {
	var what string
	switch {
	case st.Active == nil:
		what = "no model is active: the rules rank"
	case !st.Live:
		what = fmt.Sprintf("model %d (%s %s) is active but not loaded: the rules rank (%s)", st.Active.ID, st.Active.Name, st.Active.Version, st.LoadError)
	case st.Shadow:
		what = fmt.Sprintf("model %d (%s %s) is active in shadow mode: it scores, the rules rank", st.Active.ID, st.Active.Name, st.Active.Version)
	default:
		what = fmt.Sprintf("model %d (%s %s) ranks; the rules decide under confidence %.2f", st.Active.ID, st.Active.Name, st.Active.Version, st.ConfidenceThreshold)
	}
	return what
}
