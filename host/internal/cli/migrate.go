package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
)

func newMigrate(e *env) *cobra.Command {
	var statusOnly bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to this build's version",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			log, closer, err := app.NewLogger(cfg.Log, e.stderr)
			if err != nil {
				return err
			}
			defer closer.Close()
			s, err := app.OpenStore(ctx, cfg.Database, log)
			if err != nil {
				return err
			}
			defer s.Close()
			if statusOnly {
				st, err := s.MigrationStatus(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "schema version %d of %d (%s)\n", st.Current, st.Latest, upToDate(st.UpToDate()))
				return nil
			}
			st, err := s.Migrate(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "schema at version %d\n", st.Current)
			return nil
		},
	}
	cmd.Flags().BoolVar(&statusOnly, "status", false, "print the schema version and change nothing")
	cmd.Flags().String("db", "", "SQLite file or postgres:// URL (database.url)")
	return cmd
}

func upToDate(ok bool) string {
	if ok {
		return "up to date"
	}
	return "migrations pending: run crewplan migrate"
}
