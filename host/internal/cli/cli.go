// Package cli holds crewplan's command line: one cobra command per file.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/crewplan/crewplan/host/internal/config"
	"github.com/crewplan/crewplan/sdk/civil"
)

// version is set at build time with -ldflags -X.
var version = "dev"

// Version returns the build's version.
func Version() string { return version }

// Exit codes: 0 success, 1 anything else, 2 invalid input (bad flags, a bad
// scenario file, a bad configuration).
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitInvalid = 2
)

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// invalid marks err as the user's input being wrong (exit 2).
func invalid(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: ExitInvalid, err: err}
}

// env holds what every command shares: streams and the config flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	profile        string
	configDir      string
	home           string
}

// loadConfig loads the configuration with the command's flags.
func (e *env) loadConfig(flags *pflag.FlagSet) (*config.Config, error) {
	cfg, err := config.Load(config.LoadOptions{Dir: e.configDir, Profile: e.profile, Environ: e.environ, Flags: flags})
	if err != nil {
		return nil, invalid(fmt.Errorf("configuration: %w", err))
	}
	return cfg, nil
}

// Run runs crewplan with args (without the program name) and returns the
// process exit code. SIGINT and SIGTERM cancel the command's context.
func Run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Execute(ctx, args, os.Stdin, os.Stdout, os.Stderr, nil)
}

// Execute runs the command line with explicit streams and environment
// (nil environ means the process's), for tests.
func Execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	if environ == nil {
		environ = os.Environ()
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "crewplan:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitFailure
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "crewplan",
		Short: "crewplan schedules in-store demo staff onto the events a store must staff",
		Long: `crewplan schedules in-store demo staff — club supervisors, leads, event
specialists, juicer baristas — onto the events a store must staff. It serves a
local web UI and a JSON API, and runs the auto-scheduler.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return e.enterHome()
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return invalid(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&e.profile, "profile", "", "configuration profile: production, test or dev (default $CREWPLAN_PROFILE, else production)")
	pf.StringVar(&e.configDir, "config-dir", "", "folder holding base.yaml and the profile files (default $CREWPLAN_CONFIG_DIR, else configs, else the installed /etc/crewplan)")
	pf.StringVar(&e.home, "home", "", "folder to work in: relative paths of the configuration start there (default $CREWPLAN_HOME, else the working folder, else the installed /var/lib/crewplan)")
	root.AddCommand(
		newServe(e),
		newMigrate(e),
		newConfig(e),
		newImport(e),
		newDemo(e),
		newUser(e),
		newVersion(e),
		newPlugins(e),
		newRanker(e),
		newBackup(e),
		newDoctor(e),
		newTestInstance(e),
		newSchedule(e),
		newInternalPlugin(e),
	)
	return root
}

// exactArgs is cobra.ExactArgs with the invalid-input exit code.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return invalid(cobra.ExactArgs(n)(cmd, args))
	}
}

func parseNow(s string) (civil.DateTime, error) {
	dt, err := civil.ParseDateTime(s)
	if err != nil {
		return dt, fmt.Errorf("--now: %w", err)
	}
	return dt, nil
}
