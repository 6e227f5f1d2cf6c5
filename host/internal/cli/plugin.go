package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crewplan/crewplan/host/internal/pluginhost"
)

// newInternalPlugin is the hidden command the host re-executes itself with
// to run a built-in plugin. It must print nothing on stdout before the
// plugin serves: stdout carries go-plugin's handshake.
func newInternalPlugin(e *env) *cobra.Command {
	return &cobra.Command{
		Use:    pluginhost.InternalPluginCommand + " NAME",
		Short:  "Serve a built-in plugin (the host runs this; people do not)",
		Hidden: true,
		Args:   exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if !pluginhost.ServeBuiltin(args[0]) {
				return invalid(fmt.Errorf("no built-in plugin %q (built in: %v)", args[0], pluginhost.BuiltinRules()))
			}
			return nil
		},
	}
}
