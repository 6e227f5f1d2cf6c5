package cli

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/store"
)

// openStore loads the configuration and opens the configured database:
// what every command that works on the data starts with. A new database
// is migrated; one at an older schema is refused, pointing to `crewplan
// migrate`, which takes a backup before it migrates. The returned func
// closes everything.
func (e *env) openStore(ctx context.Context, flags *pflag.FlagSet) (*store.Store, func(), error) {
	return e.openStoreAs(ctx, flags, true)
}

// openStoreAs is openStore; without migrate it leaves the schema as it is
// (for backups, which take the database as they find it).
func (e *env) openStoreAs(ctx context.Context, flags *pflag.FlagSet, migrate bool) (*store.Store, func(), error) {
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
	done := func() { s.Close(); closer.Close() }
	if !migrate {
		return s, done, nil
	}
	st, err := s.MigrationStatus(ctx)
	if err == nil && st.Older() {
		err = fmt.Errorf("the database is at schema version %d and this crewplan needs %d: run `crewplan migrate` first (it takes a backup before migrating)", st.Current, st.Latest)
	}
	if err == nil {
		_, err = s.Migrate(ctx)
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	return s, done, nil
}
