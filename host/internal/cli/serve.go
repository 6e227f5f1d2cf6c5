package cli

import (
	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/config"
)

func newServe(e *env) *cobra.Command {
	var loadDemo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web UI and the JSON API",
		Long: `Serve the web UI and the JSON API on server.host:server.port, migrating the
database first when database.auto_migrate is on. A database at an older
schema is backed up (a safety backup, on backup.targets) before it is
migrated; when no target gets the backup, nothing is migrated and the
server does not start. SIGINT or SIGTERM shut the server down gracefully.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			if loadDemo {
				cfg.Demo.LoadWhenEmpty = true
			}
			ctx := cmd.Context()
			a, err := app.New(ctx, cfg, app.Options{Stderr: e.stderr, Version: version})
			if err != nil {
				return err
			}
			defer a.Close()
			return a.Start(ctx)
		},
	}
	config.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&loadDemo, "load-demo", false, "load the demo store when the database is empty (demo.load_when_empty)")
	return cmd
}
