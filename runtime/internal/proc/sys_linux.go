package proc

import "syscall"

// setPdeathsig makes the kernel send a child SIGTERM when the thread that
// started it ends; the child then kills its process group, itself and what its
// tasks started (killGroupOnTerm). Go ends a thread only when a goroutine
// locked to it exits, which the pool's goroutines never do. The child also
// exits when its task pipe ends, which covers the rest.
func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
