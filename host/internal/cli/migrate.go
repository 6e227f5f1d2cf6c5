package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
)

func newMigrate(e *env) *cobra.Command {
	var statusOnly, noBackup bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to this build's version",
		Long: `Bring the database schema up to this build's version. A database at an
older schema is backed up first: a safety backup, stored on the targets of
backup.targets and kept until removed by hand. When no target gets it,
nothing is migrated. --no-backup skips that backup: take one of your own
first. A new, empty database is migrated without one.`,
		Args: exactArgs(0),
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
			st, err := s.MigrationStatus(ctx)
			if err != nil {
				return err
			}
			if statusOnly {
				fmt.Fprintf(e.stdout, "schema version %d of %d (%s)\n", st.Current, st.Latest, upToDate(st.UpToDate()))
				return nil
			}
			// The backup targets' plugins start only for a database that
			// needs the backup.
			if st.Older() && !noBackup {
				svc, stop, err := e.openBackups(ctx, cfg, s, log)
				if err != nil {
					return err
				}
				made, err := app.BackupBeforeMigrate(ctx, s, svc, log)
				stop()
				if err != nil {
					return err
				}
				e.printMade(made)
			}
			if st, err = s.Migrate(ctx); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "schema at version %d\n", st.Current)
			return nil
		},
	}
	cmd.Flags().BoolVar(&statusOnly, "status", false, "print the schema version and change nothing")
	cmd.Flags().BoolVar(&noBackup, "no-backup", false, "migrate a database at an older schema without backing it up first (take your own backup before)")
	cmd.Flags().String("db", "", "SQLite file or postgres:// URL (database.url)")
	return cmd
}

func upToDate(ok bool) string {
	if ok {
		return "up to date"
	}
	return "migrations pending: run crewplan migrate"
}
