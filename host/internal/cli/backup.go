package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
	"github.com/crewplan/crewplan/host/internal/store"
)

func newBackup(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Back up the database and the configuration, list, verify, restore and prune backups",
		Long: `A backup is a consistent copy of the database taken while crewplan runs,
compressed, with the configuration archived next to it, verified before it
counts, and stored on every configured target (backup.targets). The server
takes one by itself on backup.schedule. See docs/backups.md.`,
	}
	cmd.AddCommand(newBackupNow(e), newBackupList(e), newBackupVerify(e), newBackupRestore(e), newBackupPrune(e))
	return cmd
}

// backupEnv opens what the backup commands work on: the configuration,
// the store and the backup service over the configured targets' plugins.
type backupEnv struct {
	cfg *config.Config
	svc *backup.Service
}

// backupRun returns a command's RunE that runs f with the backup service
// open.
func (e *env) backupRun(f func(ctx context.Context, b *backupEnv, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		cfg, err := e.loadConfig(cmd.Flags())
		if err != nil {
			return err
		}
		// A backup takes the database as it is, at whatever schema.
		s, done, err := e.openStoreAs(ctx, cmd.Flags(), false)
		if err != nil {
			return err
		}
		defer done()
		log, closer, err := app.NewLogger(cfg.Log, e.stderr)
		if err != nil {
			return err
		}
		defer closer.Close()
		svc, stop, err := e.openBackups(ctx, cfg, s, log)
		if err != nil {
			return err
		}
		defer stop()
		return f(ctx, &backupEnv{cfg: cfg, svc: svc}, cmd, args)
	}
}

// openBackups starts the plugins of the configured backup targets and
// returns the backup service over s, and a func that stops the plugins. A
// target whose plugin does not start is left out, with a warning.
func (e *env) openBackups(ctx context.Context, cfg *config.Config, s *store.Store, log *slog.Logger) (*backup.Service, func(), error) {
	h, err := pluginhost.New(pluginhost.Options{Log: log, StartTimeout: cfg.Plugins.StartTimeout, CallTimeout: cfg.Plugins.CallTimeout})
	if err != nil {
		return nil, nil, err
	}
	svc, err := app.OpenBackups(ctx, cfg, s, h, version, log)
	if svc == nil {
		h.Close()
		return nil, nil, invalid(err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: %v\n", err)
	}
	return svc, h.Close, nil
}

// printMade prints what a backup made: its id, what it holds, and each
// target's outcome.
func (e *env) printMade(made *backup.Made) {
	if made == nil || made.Manifest == nil {
		return
	}
	m := made.Manifest
	fmt.Fprintf(e.stdout, "backup %s: %s database at schema version %d, %s stored\n", m.ID, m.Dialect, m.SchemaVersion, bytesText(m.Size()))
	for _, u := range made.Uploads {
		if u.Err != nil {
			fmt.Fprintf(e.stdout, "  ✗ %s: %v\n", u.Target, u.Err)
		} else {
			fmt.Fprintf(e.stdout, "  ✓ %s\n", u.Target)
		}
	}
}

// progress returns a progress reporter drawing a bar per step on stderr,
// and a func that ends the last bar.
func (e *env) progress() (func(backup.Progress), func()) {
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	var step backup.Step
	end := func() {
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(e.stderr)
			bar = nil
		}
	}
	return func(p backup.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Step != step || bar == nil {
			end()
			step = p.Step
			total := p.Total
			if total <= 0 {
				total = -1 // a spinner
			}
			// No spinner ticker: its goroutine reads the bar's state
			// without the bar's lock (a data race in progressbar 3.19);
			// a spinner turns on each report instead.
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(e.stderr), progressbar.OptionSetDescription(fmt.Sprintf("%-9s", p.Step)),
				progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetWidth(30),
				progressbar.OptionSetSpinnerChangeInterval(0))
		}
		if p.Total > 0 && bar.GetMax64() != p.Total {
			bar.ChangeMax64(p.Total)
		}
		_ = bar.Set64(p.Done)
	}, func() { mu.Lock(); end(); mu.Unlock() }
}

func newBackupNow(e *env) *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "now",
		Short: "Take a backup now and store it on every target",
		Long: `Take a backup now: a consistent copy of the database (while crewplan keeps
serving), compressed, the configuration archived with it, verified, then
stored on every target. Exit 1 when a target did not get it (the others
still hold it) or when it failed.`,
		Args: exactArgs(0),
		RunE: e.backupRun(func(ctx context.Context, b *backupEnv, _ *cobra.Command, _ []string) error {
			var report func(backup.Progress)
			end := func() {}
			if !quiet {
				report, end = e.progress()
			}
			made, err := b.svc.Now(ctx, backup.KindManual, report)
			end()
			e.printMade(made)
			return err
		}),
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "draw no progress bars")
	return cmd
}

// bytesText writes a size in bytes for people.
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func newBackupList(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the backups every target holds, newest first",
		Long: `List the finished backups of every target, newest first: id, when, kind,
size, schema version, when it was verified and the targets that hold it. A
backup without its manifest (one that did not finish) is not listed. Exit 1
when a target could not be read (the others are listed).`,
		Args: exactArgs(0),
		RunE: e.backupRun(func(ctx context.Context, b *backupEnv, _ *cobra.Command, _ []string) error {
			list, errs := b.svc.List(ctx)
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"backups": list, "errors": errs}); err != nil {
					return err
				}
			} else {
				loc := b.cfg.Location()
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tCREATED\tKIND\tSIZE\tSCHEMA\tVERIFIED\tTARGETS")
				for _, l := range list {
					verified := "no"
					if !l.Verified.IsZero() {
						verified = l.Verified.In(loc).Format("2006-01-02 15:04")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", l.ID, l.Created.In(loc).Format("2006-01-02 15:04"), l.Kind,
						bytesText(l.Size()), l.SchemaVersion, verified, strings.Join(l.Targets, ","))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if len(list) == 0 {
					fmt.Fprintln(e.stdout, "no backups yet")
				}
			}
			if len(errs) > 0 {
				var all []error
				for _, te := range errs {
					all = append(all, fmt.Errorf("target %s: %w", te.Target, te.Err))
				}
				return errors.Join(all...)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newBackupVerify(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify ID",
		Short: "Download a backup from every target that holds it and verify each copy",
		Long: `Download backup ID from every target that holds it and verify each copy:
sizes and checksums, decompression, the database's integrity check and its
row counts against the manifest. Exit 1 when a copy does not verify.`,
		Args: exactArgs(1),
		RunE: e.backupRun(func(ctx context.Context, b *backupEnv, _ *cobra.Command, args []string) error {
			report, end := e.progress()
			checked, err := b.svc.Verify(ctx, args[0], report)
			end()
			for _, c := range checked {
				if c.Err != nil {
					fmt.Fprintf(e.stdout, "✗ %s: %v\n", c.Target, c.Err)
				} else {
					fmt.Fprintf(e.stdout, "✓ %s\n", c.Target)
				}
			}
			return err
		}),
	}
}

func newBackupRestore(e *env) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Replace the database with backup ID, after a safety backup of the current one",
		Long: `Replace the whole database with backup ID. The backup is read from the first
target whose copy verifies; one made by a newer crewplan is refused. A
safety backup of the current database is taken first (kept until removed by
hand), then the restored database is put in place in one step, checked
against the backup and migrated to this crewplan's schema.

It asks you to type RESTORE, unless --yes. It refuses while a crewplan
server runs on this configuration's address: restore through the server
(POST /api/backups/ID/restore) or stop it first.`,
		Args: exactArgs(1),
		RunE: e.backupRun(func(ctx context.Context, b *backupEnv, _ *cobra.Command, args []string) error {
			id := args[0]
			if addr := b.cfg.Server.Addr(); serving(ctx, addr) {
				return fmt.Errorf("a crewplan server answers on %s: restore through it (POST /api/backups/%s/restore, admin) or stop it first", addr, id)
			}
			if !yes {
				fmt.Fprintf(e.stderr, "This replaces the whole database with backup %s (a safety backup of the current one is taken first).\nType RESTORE to go on: ", id)
				line, _ := bufio.NewReader(e.stdin).ReadString('\n')
				if strings.TrimSpace(line) != "RESTORE" {
					return invalid(errors.New("restore not confirmed: nothing was changed"))
				}
			}
			report, end := e.progress()
			r, err := b.svc.Restore(ctx, id, backup.RestoreOptions{Confirm: id, Progress: report})
			end()
			if r != nil && r.Safety != nil {
				fmt.Fprintf(e.stdout, "safety backup of the database as it was: %s\n", r.Safety.ID)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "restored %s from %s; the database is at schema version %d\n", id, r.From, r.Migrated)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return cmd
}

// serving reports whether a crewplan server answers /readyz at addr.
func serving(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

func newBackupPrune(e *env) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove from each target the backups its retention no longer keeps",
		Long: `Remove from each target the backups its retention no longer keeps
(backup.retention_days, keep_last, daily, weekly, monthly, or the target's
own). Only verified backups count; the newest verified backup and restore's
safety backups are always kept; a backup that never finished goes after a
day. With --dry-run, only say what would go.`,
		Args: exactArgs(0),
		RunE: e.backupRun(func(ctx context.Context, b *backupEnv, _ *cobra.Command, _ []string) error {
			var errs []error
			for _, p := range b.svc.Prune(ctx, time.Now(), dryRun) {
				verb := "removed"
				if dryRun {
					verb = "would remove"
				}
				if p.Err != nil {
					fmt.Fprintf(e.stdout, "✗ %s: %v\n", p.Target, p.Err)
					errs = append(errs, fmt.Errorf("target %s: %w", p.Target, p.Err))
				}
				fmt.Fprintf(e.stdout, "%s: kept %d, %s %d\n", p.Target, len(p.Kept), verb, len(p.Removed))
				for _, id := range p.Removed {
					fmt.Fprintf(e.stdout, "  - %s\n", id)
				}
			}
			return errors.Join(errs...)
		}),
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be removed, remove nothing")
	return cmd
}
