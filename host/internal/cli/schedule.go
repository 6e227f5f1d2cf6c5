package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/runs"
	"github.com/crewplan/crewplan/host/internal/scenario"
)

func newSchedule(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run the auto-scheduler outside the server",
	}
	var file, out, ranker string
	sim := &cobra.Command{
		Use:   "simulate --scenario FILE [--out RESULT.json]",
		Short: "Schedule a scenario on a private database and write the result document",
		Long: `Load a scenario file (see docs/scenarios.md) into a new, private SQLite
database (never the configured one), run the auto-scheduler on it exactly as
the server does — the configured rule plugins, the ranker — and write the
result document to --out, or to standard output. Exit 0 when the run
completed (even with events it could not place), 2 for an invalid scenario,
1 for anything else.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return invalid(fmt.Errorf("--scenario FILE is required"))
			}
			if ranker != "rules" {
				return invalid(fmt.Errorf("--ranker %q: only the rule-based ranking (rules) exists so far", ranker))
			}
			sc, err := scenario.ParseFile(file)
			if err != nil {
				return invalid(err)
			}
			cfg, err := e.loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			log, closer, err := app.NewLogger(cfg.Log, io.Discard)
			if err != nil {
				return err
			}
			defer closer.Close()
			h, err := pluginhost.New(pluginhost.Options{Log: log, StartTimeout: cfg.Plugins.StartTimeout, CallTimeout: cfg.Plugins.CallTimeout})
			if err != nil {
				return err
			}
			defer h.Close()
			specs, err := h.Specs(cfg.Plugins)
			if err != nil {
				return err
			}
			ps, err := h.Start(cmd.Context(), specs)
			if err != nil {
				return fmt.Errorf("start rule plugins: %w", err)
			}
			named := make([]rules.Named, len(ps))
			for i, p := range ps {
				named[i] = rules.Named{Name: p.Name(), Rule: p}
			}
			res, err := runs.Simulate(cmd.Context(), sc, rules.NewEngine(named...), nil, log)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := scenario.WriteResult(&buf, res); err != nil {
				return err
			}
			if out == "" {
				_, err = e.stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "run %s: placed %d, failed %d, bumps %d in %d ms; result in %s\n",
				res.Run.Status, res.Run.Placed, res.Run.Failed, res.Run.Bumps, res.Run.ElapsedMS, out)
			return nil
		},
	}
	sim.Flags().StringVar(&file, "scenario", "", "scenario file to schedule")
	sim.Flags().StringVar(&out, "out", "", "write the result document here (default: standard output)")
	sim.Flags().StringVar(&ranker, "ranker", "rules", "ranking: rules")
	cmd.AddCommand(sim)
	return cmd
}
