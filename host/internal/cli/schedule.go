package cli

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
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
	var withBound bool
	sim := &cobra.Command{
		Use:   "simulate --scenario FILE [--out RESULT.json]",
		Short: "Schedule a scenario on a private database and write the result document",
		Long: `Load a scenario file (see docs/scenarios.md) into a new, private SQLite
database (never the configured one), run the auto-scheduler on it exactly as
the server does — the configured rule plugins, the ranker — and write the
result document to --out, or to standard output; with --bound the run record
also holds the upper bound of "schedule bound". Exit 0 when the run
completed (even with events it could not place), 2 for an invalid scenario,
1 for anything else.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ranker != "rules" {
				return invalid(fmt.Errorf("--ranker %q: only the rule-based ranking (rules) exists so far", ranker))
			}
			sc, err := readScenario(file)
			if err != nil {
				return err
			}
			engine, log, stop, err := e.startRules(cmd)
			if err != nil {
				return err
			}
			defer stop()
			res, err := runs.Simulate(cmd.Context(), sc, engine, nil, log, withBound)
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
	sim.Flags().BoolVar(&withBound, "bound", false, "also compute the upper bound (see schedule bound) and record placed/bound; costs about a run's time again on a store, much more on a large region")
	cmd.AddCommand(sim)

	var boundFile string
	bound := &cobra.Command{
		Use:   "bound --scenario FILE",
		Short: "Print an upper bound on how many of a scenario's events any valid schedule could place",
		Long: `Load a scenario into a private database and compute an upper bound on how
many of its events to place any schedule that breaks no hard rule could
place: every candidate is checked alone against what is posted by the
configured rule plugins, then long events (cores, juicer production) go
through a maximum flow that keeps one long event per person and day and the
working days left in each week; short events count when anyone could take
them. A run's placed/bound says how close it came.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := readScenario(boundFile)
			if err != nil {
				return err
			}
			engine, log, stop, err := e.startRules(cmd)
			if err != nil {
				return err
			}
			defer stop()
			b, err := runs.Bound(cmd.Context(), sc, engine, log)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "bound %d of %d events to place (long events %d by maximum flow, short events %d)\n",
				b.Bound, b.Events, b.Long, b.Short)
			return nil
		},
	}
	bound.Flags().StringVar(&boundFile, "scenario", "", "scenario file")
	cmd.AddCommand(bound)
	return cmd
}

// readScenario reads the --scenario file; a missing flag or an invalid
// file is the user's input being wrong (exit 2).
func readScenario(file string) (*scenario.Scenario, error) {
	if file == "" {
		return nil, invalid(fmt.Errorf("--scenario FILE is required"))
	}
	sc, err := scenario.ParseFile(file)
	if err != nil {
		return nil, invalid(err)
	}
	return sc, nil
}

// startRules starts the configured rule plugins and returns the rule engine
// over them, the configured logger, and stop, which stops the plugins.
func (e *env) startRules(cmd *cobra.Command) (*rules.Engine, *slog.Logger, func(), error) {
	cfg, err := e.loadConfig(cmd.Flags())
	if err != nil {
		return nil, nil, nil, err
	}
	log, closer, err := app.NewLogger(cfg.Log, io.Discard)
	if err != nil {
		return nil, nil, nil, err
	}
	h, err := pluginhost.New(pluginhost.Options{Log: log, StartTimeout: cfg.Plugins.StartTimeout, CallTimeout: cfg.Plugins.CallTimeout})
	if err != nil {
		closer.Close()
		return nil, nil, nil, err
	}
	stop := func() {
		h.Close()
		closer.Close()
	}
	specs, err := h.Specs(cfg.Plugins, cfg.Backup.PluginNames()...)
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	ps, err := h.Start(cmd.Context(), specs)
	if err != nil {
		stop()
		return nil, nil, nil, fmt.Errorf("start rule plugins: %w", err)
	}
	named := make([]rules.Named, len(ps))
	for i, p := range ps {
		named[i] = rules.Named{Name: p.Name(), Rule: p}
	}
	return rules.NewEngine(named...), log, stop, nil
}
