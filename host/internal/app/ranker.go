package app

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"

	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/features"
	"github.com/crewplan/crewplan/host/internal/ranker/rank"
	"github.com/crewplan/crewplan/host/internal/ranker/train"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// Ranker is the ranking models of a host or a command: the WebAssembly
// runtime, the model registry over the store, and the service that gives
// each run its ranking.
type Ranker struct {
	Runtime  *ranker.Runtime
	Registry *ranker.Registry
	Service  *rank.Service
}

// OpenRanker starts the runtime (its compilation cache in the ranker
// folder's "cache"), opens the registry (model files in the ranker folder)
// and loads the active model. A model that fails to load leaves the
// rules to decide; only a runtime that cannot start, or a store that
// cannot be read, is an error.
func OpenRanker(ctx context.Context, cfg config.RankerConfig, s *store.Store, log *slog.Logger) (*Ranker, error) {
	rt, err := ranker.NewRuntime(ctx, ranker.Options{
		CacheDir:       filepath.Join(cfg.Dir, "cache"),
		MaxMemoryPages: uint32(cfg.MaxMemoryMB) * 16, // 64 KiB pages
		Deadline:       cfg.Deadline,
		Logger:         log,
	})
	if err != nil {
		return nil, err
	}
	reg := &ranker.Registry{Dir: cfg.Dir, Store: s, Runtime: rt, Logger: log, Features: features.Names}
	if err := reg.Open(ctx); err != nil {
		_ = rt.Close(ctx)
		return nil, err
	}
	return &Ranker{
		Runtime:  rt,
		Registry: reg,
		Service: &rank.Service{
			Store: s, Registry: reg, Logger: log,
			Config: rank.Config{ConfidenceThreshold: cfg.ConfidenceThreshold, Shadow: cfg.Shadow},
		},
	}, nil
}

// Close closes the live model and the runtime.
func (r *Ranker) Close(ctx context.Context) error {
	return errors.Join(r.Registry.Close(ctx), r.Runtime.Close(ctx))
}

// TrainAndActivate trains a model on the history of s before today (see
// package train), registers it and makes it the live model: what loading
// the demo store does, so that the demo ranks with a model of its own.
func (r *Ranker) TrainAndActivate(ctx context.Context, s *store.Store, today civil.Date) (*store.RankingModel, *train.Card, error) {
	d, err := train.Load(ctx, s, today)
	if err != nil {
		return nil, nil, err
	}
	res, err := train.Train(ctx, d, train.Options{})
	if err != nil {
		return nil, nil, err
	}
	m, err := r.Registry.Add(ctx, res.Module)
	if err != nil {
		return nil, nil, err
	}
	if m, err = r.Registry.Activate(ctx, m.ID); err != nil {
		return nil, nil, err
	}
	return m, &res.Card, nil
}
