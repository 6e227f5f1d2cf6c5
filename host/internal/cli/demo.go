package cli

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/demo"
	"github.com/crewplan/crewplan/host/internal/scenario"
)

func newDemo(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the demo store into the configured (empty) database",
		Long: fmt.Sprintf(`Load the demo store — %d people, %d weeks of events from today, %d weeks
of worked history with attendance — and the admin user %q (password %q)
into the configured database, which must hold no employees or events; then
train a ranking model on that history and make it the active one.`, demo.Employees, demo.Weeks, demo.HistoryWeeks, demo.Username, demo.Password),
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, done, err := e.openRanker(ctx, cmd.Flags())
			if err != nil {
				return err
			}
			defer done()
			res, err := demo.Load(ctx, w.s, time.Now())
			if err != nil {
				return err
			}
			n := res.Counts
			fmt.Fprintf(e.stdout, "demo store loaded: %d employees, %d events (with history), %d posted, %d attendance records\nsign in as %s / %s\n",
				n.Employees, n.Events, n.Posted, n.Attendance, res.Username, res.Password)
			m, card, err := w.r.TrainAndActivate(ctx, w.s, w.today)
			if err != nil {
				return fmt.Errorf("demo ranking model: %w", err)
			}
			fmt.Fprintf(e.stdout, "ranking model %d (%s %s) trained on the demo history and active: held-out precision@3 %.4f, rules %.4f\n",
				m.ID, m.Name, m.Version, card.Metrics.PAt3, card.Metrics.RulesPAt3)
			return nil
		},
	}
	cmd.Flags().String("db", "", "SQLite file or postgres:// URL (database.url)")

	var opts scenario.GenerateOptions
	var now, out string
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Write a realistic scenario file of any size",
		Long: `Write a realistic scenario file shaped like the shared examples: a role mix,
availability gaps, time off, paired supervisors, juicer shifts, posted work.
The same seed and sizes always give the same file.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if now != "" {
				dt, err := parseNow(now)
				if err != nil {
					return invalid(err)
				}
				opts.Now = dt
			}
			s, err := scenario.Generate(opts)
			if err != nil {
				return invalid(err)
			}
			w := e.stdout
			var f *os.File
			if out != "" && out != "-" {
				if f, err = os.Create(out); err != nil {
					return err
				}
				w = f
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			if err := scenario.Write(bw, s); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if f != nil {
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "wrote %s: %d employees, %d events, %d posted\n", out, len(s.Employees), len(s.Events), len(s.Posted))
			}
			return nil
		},
	}
	gen.Flags().IntVar(&opts.Employees, "employees", 12, fmt.Sprintf("number of people (%d to %d)", scenario.MinEmployees, scenario.MaxEmployees))
	gen.Flags().IntVar(&opts.Weeks, "weeks", 1, fmt.Sprintf("weeks of events after now (%d to %d)", scenario.MinWeeks, scenario.MaxWeeks))
	gen.Flags().Uint64Var(&opts.Seed, "seed", 1, "random seed")
	gen.Flags().StringVar(&now, "now", "", "the scenario's now, YYYY-MM-DDTHH:MM (default 2026-03-02T08:00)")
	gen.Flags().StringVarP(&out, "out", "o", "", "file to write (default standard output)")
	cmd.AddCommand(gen)
	return cmd
}
