package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

func newVersion(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print crewplan's version",
		Args:  exactArgs(0),
		Run: func(*cobra.Command, []string) {
			fmt.Fprintf(e.stdout, "crewplan %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
