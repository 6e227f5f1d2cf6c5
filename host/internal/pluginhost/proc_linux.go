package pluginhost

import (
	"os/exec"
	"syscall"
)

// dieWithHost makes the kernel kill the plugin process when the host dies,
// even by SIGKILL, so that no plugin outlives its host.
func dieWithHost(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
