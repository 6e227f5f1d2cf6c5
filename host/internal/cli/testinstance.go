package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/testinstance"
)

func newTestInstance(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testinstance",
		Short: "Make, check and remove a test instance: a copy of production beside it",
		Long: `A test instance is the test profile's crewplan (configs/test.yaml), running beside
production on a copy of production's database: for trying a new crewplan or a
new ranking model before trusting it. It has its own port, database, models,
backups and log, never pushes to the planning system, and says on every page
and response that it is a test instance.

  crewplan testinstance create      copy production's database (while it runs)
  crewplan serve --profile test     run the test instance
  crewplan testinstance verify      check the two are apart, production unchanged
  crewplan testinstance cleanup     remove the test instance's database and log`,
	}
	cmd.AddCommand(newTestInstanceCreate(e), newTestInstanceVerify(e), newTestInstanceCleanup(e))
	return cmd
}

// testPair loads the test profile and production's configuration beside
// it. A test profile that would touch production is invalid input.
func (e *env) testPair(cmd *cobra.Command) (*testinstance.Pair, error) {
	if e.profile != "" && e.profile != config.ProfileTest {
		return nil, invalid(fmt.Errorf("testinstance works on the %s profile; drop --profile %s", config.ProfileTest, e.profile))
	}
	e.profile = config.ProfileTest
	cfg, err := e.loadConfig(cmd.Flags())
	if err != nil {
		return nil, err
	}
	pair, err := testinstance.New(cfg)
	if err != nil {
		return nil, invalid(err)
	}
	return pair, nil
}

func newTestInstanceCreate(e *env) *cobra.Command {
	var replace bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Copy production's database into a new test instance",
		Long: `Copy production's database into the test instance's while production keeps
serving, migrate the copy to this crewplan's schema, and record production's
schema version and checksum in it (for verify). Production's ranking models
are copied too. When the config folder has no test.yaml, one is written from
production's configuration: each place with _test added, the next port, sync
off. An existing test database is refused unless --replace.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := e.configDir
			if dir == "" {
				dir = config.DefaultDir
				if v, ok := config.LookupEnv(e.environ, config.EnvConfigDir); ok && v != "" {
					dir = v
				}
			}
			if e.profile == "" || e.profile == config.ProfileTest {
				wrote, err := testinstance.WriteProfile(dir)
				if err != nil {
					return err
				}
				if wrote != "" {
					fmt.Fprintf(e.stdout, "wrote the test profile %s from production's configuration\n", wrote)
				}
			}
			pair, err := e.testPair(cmd)
			if err != nil {
				return err
			}
			// What create did goes to the test instance's log.
			log, closer, err := app.NewLogger(pair.Test.Log, io.Discard)
			if err != nil {
				return err
			}
			defer closer.Close()
			pair.Log = log.With("profile", config.ProfileTest)
			c, err := pair.Create(cmd.Context(), testinstance.CreateOptions{Replace: replace})
			if err != nil {
				return err
			}
			rec := c.Record
			fmt.Fprintf(e.stdout, "copied production's database %s (schema version %d, checksum %s…) to %s in %s\n",
				c.ProductionDB, rec.ProductionSchema, rec.ProductionChecksum.All[:12], c.TestDB, c.Took.Round(1e6))
			if c.Schema != rec.ProductionSchema {
				fmt.Fprintf(e.stdout, "migrated the copy to schema version %d\n", c.Schema)
			}
			fmt.Fprintf(e.stdout, "copied %d ranking model file(s) to %s\n", c.Models, pair.Test.Ranker.Dir)
			fmt.Fprintf(e.stdout, "sync is off. Start it with `crewplan serve --profile test` (%s), then check it with `crewplan testinstance verify`\n",
				pair.Test.Server.Addr())
			return nil
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "replace an existing test instance's database with a fresh copy")
	return cmd
}

func newTestInstanceVerify(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the test instance and production are apart, and production unchanged",
		Long: `Check, one line each, ✓ or ✗ with why: production and the test instance answer
on their own ports; their databases are different ones; production's schema
version and data are what they were when the copy was made (the test instance
wrote nothing to them; production's own work changes them too); sync is off
in the test profile; each logs to a file of its own. Exit 1 when one fails.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			pair, err := e.testPair(cmd)
			if err != nil {
				return err
			}
			checks := pair.Verify(cmd.Context())
			for _, c := range checks {
				fmt.Fprintln(e.stdout, c)
			}
			if n := testinstance.Failed(checks); n > 0 {
				return fmt.Errorf("%d check(s) failed", n)
			}
			return nil
		},
	}
}

func newTestInstanceCleanup(e *env) *cobra.Command {
	var opts testinstance.CleanupOptions
	cmd := &cobra.Command{
		Use:   "cleanup [--db] [--logs] [--config]",
		Short: "Remove the test instance's database, logs or profile file",
		Long: `Remove what the flags name of the test instance, which must be stopped:
--db its database, models folder and backup work folder (its backups stay);
--logs its log file; --config the test profile's file (test.yaml; the next
create writes one from production's). Without flags: --db and --logs.
Nothing of production's is ever removed.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !opts.DB && !opts.Logs && !opts.Config {
				opts.DB, opts.Logs = true, true
			}
			pair, err := e.testPair(cmd)
			if err != nil {
				return err
			}
			removed, err := pair.Cleanup(cmd.Context(), opts)
			for _, r := range removed {
				fmt.Fprintln(e.stdout, "removed", r)
			}
			if len(removed) == 0 && err == nil {
				fmt.Fprintln(e.stdout, "nothing to remove")
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&opts.DB, "db", false, "remove the test instance's database, models folder and backup work folder")
	cmd.Flags().BoolVar(&opts.Logs, "logs", false, "remove the test instance's log file")
	cmd.Flags().BoolVar(&opts.Config, "config", false, "remove the test profile's file (test.yaml)")
	return cmd
}
