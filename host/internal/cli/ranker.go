package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/ranker/metrics"
	"github.com/crewplan/crewplan/host/internal/ranker/train"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

func newRanker(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ranker",
		Short: "Manage the ranking models: train, evaluate, list, add, activate, roll back, shadow",
		Long: `A ranking model orders the candidates of each placement; the rules still
decide who may be placed, and whenever the model cannot be trusted for a
placement the rule-based ranking decides it (docs/models.md). Changes made
here reach a running server at its next scheduler run.`,
	}
	cmd.AddCommand(newRankerList(e), newRankerAdd(e), newRankerActivate(e), newRankerRollback(e),
		newRankerDeactivate(e), newRankerShadow(e), newRankerTrain(e), newRankerEval(e))
	return cmd
}

// rankerEnv is what the ranker commands work on: the store, the ranking
// models as the server has them, and the store's today.
type rankerEnv struct {
	s     *store.Store
	r     *app.Ranker
	today civil.Date
}

// openRanker opens the store and the ranking models, as the server does.
func (e *env) openRanker(ctx context.Context, flags *pflag.FlagSet) (*rankerEnv, func(), error) {
	cfg, err := e.loadConfig(flags)
	if err != nil {
		return nil, nil, err
	}
	s, done, err := e.openStore(ctx, flags)
	if err != nil {
		return nil, nil, err
	}
	log, closer, err := app.NewLogger(cfg.Log, e.stderr)
	if err != nil {
		done()
		return nil, nil, err
	}
	r, err := app.OpenRanker(ctx, cfg.Ranker, s, log)
	if err != nil {
		closer.Close()
		done()
		return nil, nil, err
	}
	today := civil.DateOf(time.Now().In(cfg.Location()))
	return &rankerEnv{s, r, today}, func() { _ = r.Close(context.WithoutCancel(ctx)); closer.Close(); done() }, nil
}

// rankerRun returns a command's RunE that runs f with the store and the
// ranking models open.
func (e *env) rankerRun(f func(ctx context.Context, w *rankerEnv, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		w, done, err := e.openRanker(cmd.Context(), cmd.Flags())
		if err != nil {
			return err
		}
		defer done()
		return f(cmd.Context(), w, args)
	}
}

// modelID reads a model id argument.
func modelID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(fmt.Errorf("%q is not a model id (see crewplan ranker list)", arg))
	}
	return id, nil
}

func newRankerList(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the registered models, the active one first, with their held-out metrics",
		Args:  exactArgs(0),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, _ []string) error {
			models, err := w.s.ListRankingModels(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tVERSION\tACTIVE\tCREATED\tAUC\tP@3\tRULES P@3\tSHA256")
			for _, m := range models {
				var met train.Metrics
				_ = json.Unmarshal([]byte(m.Metrics), &met) // validated JSON; absent metrics stay 0
				active := ""
				if m.Active {
					active = "yes"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Name, m.Version, active,
					m.CreatedAt.Local().Format("2006-01-02 15:04"), num(met.AUC), num(met.PAt3), num(met.RulesPAt3), m.SHA256[:12])
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			st, err := w.r.Service.Status(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, st.Summary())
			return nil
		}),
	}
}

// num prints a metric, "-" when absent.
func num(v float64) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func newRankerAdd(e *env) *cobra.Command {
	var activate bool
	cmd := &cobra.Command{
		Use:   "add FILE.wasm",
		Short: "Validate a model module and register it (inactive unless --activate)",
		Long: `Load a model module the way the server does — ABI version, exports,
parameters, metadata and feature names, a smoke call — and register it. A
module that is not our own evaluator runs on the guarded runtime, with a
deadline on every call. Exit 2 when the module is refused.`,
		Args: exactArgs(1),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, args []string) error {
			wasm, err := os.ReadFile(args[0])
			if err != nil {
				return invalid(err)
			}
			m, err := w.r.Registry.Add(ctx, wasm)
			if err != nil {
				return invalid(err) // refused: not valid, or already registered
			}
			fmt.Fprintf(e.stdout, "model %d added: %s %s (sha256 %s)\n", m.ID, m.Name, m.Version, m.SHA256[:12])
			if activate {
				if _, err := w.r.Registry.Activate(ctx, m.ID); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "model %d is active\n", m.ID)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&activate, "activate", false, "activate the model once added")
	return cmd
}

func newRankerActivate(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "activate ID",
		Short: "Make a registered model the active one (validated again first)",
		Args:  exactArgs(1),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, args []string) error {
			id, err := modelID(args[0])
			if err != nil {
				return err
			}
			m, err := w.r.Registry.Activate(ctx, id)
			if err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return invalid(err)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "model %d is active: %s %s\n", m.ID, m.Name, m.Version)
			return nil
		}),
	}
}

func newRankerRollback(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "rollback",
		Short: "Go back to the model active before the current one (exit 2 when the current one was the first)",
		Args:  exactArgs(0),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, _ []string) error {
			m, err := w.r.Registry.Rollback(ctx)
			if err != nil {
				if errors.Is(err, store.ErrNoPreviousModel) {
					return invalid(err)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "model %d is active again: %s %s\n", m.ID, m.Name, m.Version)
			return nil
		}),
	}
}

func newRankerDeactivate(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "deactivate",
		Short: "Deactivate the active model: the rules rank every placement",
		Args:  exactArgs(0),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, _ []string) error {
			if err := w.r.Registry.Deactivate(ctx); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "no model is active: the rules rank")
			return nil
		}),
	}
}

func newRankerShadow(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "shadow [on|off|config]",
		Short: "Show or set shadow mode: the active model scores, the rules decide, runs report agreement",
		Long: `Without an argument, print the shadow mode in force and where it comes from.
"on" and "off" store it, winning over ranker.shadow in the configuration;
"config" clears the stored value so the configuration decides again.`,
		Args: cobra.MaximumNArgs(1),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, args []string) error {
			if len(args) == 1 {
				var on *bool
				switch args[0] {
				case "on", "off":
					v := args[0] == "on"
					on = &v
				case "config":
				default:
					return invalid(fmt.Errorf("%q: want on, off or config", args[0]))
				}
				if err := w.r.Service.SetShadow(ctx, store.SystemActor, on); err != nil {
					return err
				}
			}
			cfg, source, err := w.r.Service.Settings(ctx)
			if err != nil {
				return err
			}
			state := "off"
			if cfg.Shadow {
				state = "on"
			}
			fmt.Fprintf(e.stdout, "shadow mode %s (%s)\n", state, map[string]string{"config": "from the configuration", "stored": "stored with crewplan ranker shadow"}[source])
			return nil
		}),
	}
}

func newRankerTrain(e *env) *cobra.Command {
	var out string
	var activate, register bool
	var trees, depth int
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a model on the store's history, evaluate it on a held-out period and register it",
		Long: `Build examples from the worked assignments of the database (an assignment
worked as scheduled is a success; a call-in, a no-show, an excused absence or
a reassignment is not), split the days by time (train, validate, hold out
the last fifth), train gradient-boosted trees, evaluate them on the held-out
period against the rule-based ranking, and write the model module with its
card. The module is registered (inactive unless --activate) and, with
--out, written to a file. No Go toolchain is needed: the evaluator ships in
crewplan.`,
		Args: exactArgs(0),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, _ []string) error {
			d, err := train.Load(ctx, w.s, w.today)
			if err != nil {
				return err
			}
			opt := train.Options{}
			opt.Boost.Trees, opt.Boost.MaxDepth = trees, depth
			res, err := train.Train(ctx, d, opt)
			if err != nil {
				if errors.Is(err, train.ErrTooLittle) {
					return invalid(err)
				}
				return err
			}
			c := res.Card
			fmt.Fprintf(e.stdout, "trained %s %s: %d trees of depth %d on %d assignments from %s to %s\n",
				c.Name, c.Version, c.Training.Trees, c.Training.MaxDepth, c.Data.Train.Rows, c.Data.Train.From, c.Data.Train.To)
			printMetrics(e, c.Data.Test, c.Evaluation)
			if out != "" {
				if err := os.WriteFile(out, res.Module, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "module written to %s\n", out)
			}
			if !register {
				return nil
			}
			m, err := w.r.Registry.Add(ctx, res.Module)
			switch {
			case errors.Is(err, store.ErrConflict):
				// Trained again on the same history within the second.
				if m, err = registered(ctx, w.s, res.Module); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "model %d holds this module already\n", m.ID)
			case err != nil:
				return err
			default:
				fmt.Fprintf(e.stdout, "model %d registered\n", m.ID)
			}
			if activate {
				if _, err := w.r.Registry.Activate(ctx, m.ID); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "model %d is active\n", m.ID)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "also write the model module to this file")
	cmd.Flags().BoolVar(&register, "register", true, "register the model")
	cmd.Flags().BoolVar(&activate, "activate", false, "activate the model once registered")
	cmd.Flags().IntVar(&trees, "trees", 0, "most trees (default 100; early stopping may keep fewer)")
	cmd.Flags().IntVar(&depth, "depth", 0, "tree depth (default 4)")
	return cmd
}

// printMetrics prints a held-out report: the model against the rules.
func printMetrics(e *env, p train.Period, r *metrics.Report) {
	fmt.Fprintf(e.stdout, "held out %s to %s: %d decisions, %d candidates\n", p.From, p.To, r.Queries, r.Examples)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tAUC\tP@3\tNDCG@5")
	fmt.Fprintf(tw, "model\t%.3f\t%.4f\t%.4f\n", r.Model.AUC, r.Model.PAt3, r.Model.NDCGAt5)
	fmt.Fprintf(tw, "rules\t%.3f\t%.4f\t%.4f\n", r.Rules.AUC, r.Rules.PAt3, r.Rules.NDCGAt5)
	lift := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f×", *v)
	}
	fmt.Fprintf(tw, "lift\t\t%s\t%s\n", lift(r.LiftPAt3), lift(r.LiftNDCGAt5))
	_ = tw.Flush()
}

func newRankerEval(e *env) *cobra.Command {
	var file, chart, jsonOut string
	cmd := &cobra.Command{
		Use:   "eval [ID]",
		Short: "Evaluate a model on the held-out period against the rule-based ranking",
		Long: `Score the held-out decisions of the store's history with a model — the
registered model ID, the module --file, or the active model — in the
WebAssembly runtime, as a run would, and report AUC, precision@3, NDCG@5
and the lift over the rule-based ranking. The held-out period is the one
the model's card names (so that it never saw those days), else the last
fifth of the days. --chart writes the ROC and precision@k curves as a PNG.`,
		Args: cobra.MaximumNArgs(1),
		RunE: e.rankerRun(func(ctx context.Context, w *rankerEnv, args []string) error {
			var wasm []byte
			var err error
			switch {
			case file != "" && len(args) == 1:
				return invalid(errors.New("give a model id or --file, not both"))
			case file != "":
				if wasm, err = os.ReadFile(file); err != nil {
					return invalid(err)
				}
			default:
				row, err := evalTarget(ctx, w.s, args)
				if err != nil {
					return err
				}
				if wasm, err = os.ReadFile(w.r.Registry.Path(row)); err != nil {
					return err
				}
			}
			m, err := w.r.Runtime.Load(ctx, wasm)
			if err != nil {
				return invalid(err)
			}
			defer m.Close(context.WithoutCancel(ctx))
			d, err := train.Load(ctx, w.s, w.today)
			if err != nil {
				return err
			}
			from, err := heldOut(m.Card(), d)
			if err != nil {
				return err
			}
			rep, n, err := train.Evaluate(ctx, d, from, m)
			if err != nil {
				if errors.Is(err, train.ErrTooLittle) {
					return invalid(err)
				}
				return err
			}
			_, last := d.Span()
			meta := m.Meta()
			fmt.Fprintf(e.stdout, "model %s %s\n", meta.Name, meta.Version)
			printMetrics(e, train.Period{From: from, To: last, Queries: n}, rep)
			if chart != "" {
				var buf bytes.Buffer
				if err := metrics.Chart(&buf, rep, fmt.Sprintf("%s %s, held out %s to %s", meta.Name, meta.Version, from, last)); err != nil {
					return err
				}
				if err := os.WriteFile(chart, buf.Bytes(), 0o644); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "chart written to %s\n", chart)
			}
			if jsonOut != "" {
				raw, err := json.MarshalIndent(rep, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(jsonOut, append(raw, '\n'), 0o644); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&file, "file", "", "evaluate this model module instead of a registered one")
	cmd.Flags().StringVar(&chart, "chart", "", "write the ROC and precision@k chart to this PNG file")
	cmd.Flags().StringVar(&jsonOut, "json", "", "write the full report as JSON to this file")
	return cmd
}

// registered returns the registered model whose module is wasm.
func registered(ctx context.Context, s *store.Store, wasm []byte) (*store.RankingModel, error) {
	sum := sha256.Sum256(wasm)
	models, err := s.ListRankingModels(ctx)
	if err != nil {
		return nil, err
	}
	for i := range models {
		if models[i].SHA256 == hex.EncodeToString(sum[:]) {
			return &models[i], nil
		}
	}
	return nil, fmt.Errorf("model sha256:%x: %w", sum[:6], store.ErrNotFound)
}

// evalTarget returns the registered model args name, or the active one.
func evalTarget(ctx context.Context, s *store.Store, args []string) (*store.RankingModel, error) {
	if len(args) == 1 {
		id, err := modelID(args[0])
		if err != nil {
			return nil, err
		}
		m, err := s.GetRankingModel(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid(err)
		}
		return m, err
	}
	m, ok, err := s.ActiveRankingModel(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalid(errors.New("no model is active: give a model id or --file"))
	}
	return m, nil
}

// heldOut returns the first held-out day: the card's, when the model has
// one, else the split of d's days.
func heldOut(card []byte, d *train.Data) (civil.Date, error) {
	var c train.Card
	if json.Unmarshal(card, &c) == nil && !c.Data.Test.From.IsZero() {
		return c.Data.Test.From, nil
	}
	sp, err := d.SplitByTime(train.DefaultValidFraction, train.DefaultTestFraction)
	if err != nil {
		return 0, invalid(err)
	}
	return sp.Test, nil
}
