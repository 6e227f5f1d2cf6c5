package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/scenario"
	"github.com/crewplan/crewplan/host/internal/store"
)

func newImport(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import data into the configured database",
	}
	sc := &cobra.Command{
		Use:   "scenario FILE",
		Short: "Import a scenario file (people, events, calendar, posted work) in one transaction",
		Long: `Import a scenario file (see docs/scenarios.md) into the configured database,
all of it or nothing. An invalid file exits with status 2 and names every
problem by its field path; an employee id or event ref that already exists is
refused, naming it.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenario.ParseFile(args[0])
			if err != nil {
				return invalid(err)
			}
			st, done, err := e.openStore(cmd.Context(), cmd.Flags())
			if err != nil {
				return err
			}
			defer done()
			n, err := st.Import(cmd.Context(), store.SystemActor, s.Dataset(store.SystemActor))
			if err != nil {
				if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalid) {
					return invalid(fmt.Errorf("%s: %w", args[0], err))
				}
				return err
			}
			fmt.Fprintf(e.stdout, "imported %s: %d employees, %d events, %d posted, %d rotation days, %d exceptions, %d holidays, %d locked days\n",
				args[0], n.Employees, n.Events, n.Posted, n.Rotations, n.RotationExceptions, n.Holidays, n.LockedDays)
			return nil
		},
	}
	sc.Flags().String("db", "", "SQLite file or postgres:// URL (database.url)")
	cmd.AddCommand(sc)
	return cmd
}
