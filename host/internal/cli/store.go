package cli

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/store"
)

// openStore loads the configuration, opens the configured database and
// migrates it: what every command that works on the data starts with. The
// returned func closes everything.
func (e *env) openStore(ctx context.Context, flags *pflag.FlagSet) (*store.Store, func(), error) {
	cfg, err := e.loadConfig(flags)
	if err != nil {
		return nil, nil, err
	}
	log, closer, err := app.NewLogger(cfg.Log, e.stderr)
	if err != nil {
		return nil, nil, err
	}
	s, err := app.OpenStore(ctx, cfg.Database, log)
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		closer.Close()
		return nil, nil, err
	}
	return s, func() { s.Close(); closer.Close() }, nil
}
