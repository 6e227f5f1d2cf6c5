package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newConfig(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the configuration",
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the merged configuration, secrets redacted, with where each value came from",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.loadConfig(cmd.Flags())
			if err != nil {
				return err
			}
			b, err := cfg.Redacted()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "# profile %s\n%s", cfg.Profile, b)
			return nil
		},
	}
	cmd.AddCommand(show)
	return cmd
}
