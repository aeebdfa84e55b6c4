//go:build unix && !linux

package proc

import "syscall"

// setPdeathsig does nothing: only Linux has PR_SET_PDEATHSIG. A child still
// exits when its task pipe ends, which its parent's death causes.
func setPdeathsig(*syscall.SysProcAttr) {}
