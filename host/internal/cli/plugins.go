package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/pluginhost"
)

func newPlugins(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "Inspect the plugins: list what crewplan runs, check a plugin binary",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "Start every configured plugin and list its name, type, version, path, checksum and health",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			specs, err := h.Specs(cfg.Plugins, cfg.Backup.PluginNames()...)
			if err != nil {
				return err
			}
			ps, err := h.Start(cmd.Context(), specs)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTYPE\tVERSION\tAPI\tHEALTH\tPATH\tSHA256")
			for _, p := range ps {
				st := p.Status()
				health := "healthy"
				if !st.Healthy {
					health = "unhealthy"
				}
				path, sum := st.Path, st.Checksum
				if st.Builtin {
					path = "built in (" + filepath.Base(st.Path) + " " + pluginhost.InternalPluginCommand + " " + st.Name + ")"
					sum = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\t%s\n", st.Name, st.Info.Type, st.Info.Version, st.Info.APIVersions, health, path, sum)
			}
			return tw.Flush()
		},
	}
	var sum string
	check := &cobra.Command{
		Use:   "check PATH",
		Short: "Load a plugin binary, print its info and run its self-test",
		Long: `Load a plugin binary the way the host does (handshake, API version, SHA-256
when --sha256 is given, configuration "{}"), print its info and run its
self-test. Exit 0 when it passes, 1 when it does not, 2 for a bad argument.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := filepath.Abs(args[0])
			if err != nil {
				return invalid(err)
			}
			if _, err := os.Stat(path); err != nil {
				return invalid(fmt.Errorf("plugin %s: %w", args[0], err))
			}
			spec := pluginhost.Spec{Name: filepath.Base(path), Path: path}
			if sum != "" {
				b, err := hex.DecodeString(strings.TrimSpace(sum))
				if err != nil || len(b) != sha256.Size {
					return invalid(fmt.Errorf("--sha256 %q is not a SHA-256 in hex", sum))
				}
				spec.Checksum = b
			}
			h, err := pluginhost.New(pluginhost.Options{})
			if err != nil {
				return err
			}
			defer h.Close()
			p, err := h.StartRule(cmd.Context(), spec)
			if err != nil {
				return err
			}
			info, _ := p.Info(cmd.Context())
			actual, err := fileSHA256(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "name:        %s\ntype:        %s\nversion:     %s\napi:         %v\ndescription: %s\nsha256:      %s\n",
				info.Name, info.Type, info.Version, info.APIVersions, info.Description, actual)
			if err := p.SelfTest(cmd.Context()); err != nil {
				fmt.Fprintln(e.stdout, "self-test:   FAILED")
				return fmt.Errorf("plugin %s: self-test: %w", spec.Name, err)
			}
			fmt.Fprintln(e.stdout, "self-test:   passed")
			return nil
		},
	}
	check.Flags().StringVar(&sum, "sha256", "", "the SHA-256 the binary must have (hex), as the configuration will pin it")
	cmd.AddCommand(list, check)
	return cmd
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
