//go:build !linux

package pluginhost

import "os/exec"

// dieWithHost has no equivalent outside Linux; go-plugin's own cleanup and
// the service manager's process group cover a host that exits normally.
func dieWithHost(*exec.Cmd) {}
