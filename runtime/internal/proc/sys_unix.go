//go:build unix

package proc

import (
	"os"
	"os/signal"
	"syscall"
)

const supported = true

// childSysProcAttr puts a child in a process group of its own, so that Ctrl+C
// in a terminal reaches the parent alone, and on Linux asks the kernel to kill
// it when the parent dies.
func childSysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	setPdeathsig(a)
	return a
}

// killGroup kills p and every process in its group.
func killGroup(p *os.Process) {
	if syscall.Kill(-p.Pid, syscall.SIGKILL) != nil {
		p.Kill()
	}
}

// exitCode is a child's exit status, or 128+n when signal n killed it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// childPipe opens a pipe a child inherited as fd. Close-on-exec keeps it out
// of the processes the child's tasks start (they would hold it open after the
// child's end); non-blocking mode lets Go's poller wait on it, so a goroutine
// waiting for a frame does not hold a thread in a read.
func childPipe(fd int, name string) *os.File {
	syscall.CloseOnExec(fd)
	syscall.SetNonblock(fd, true)
	return os.NewFile(uintptr(fd), name)
}

// killGroupOnTerm makes this child, when told to stop by SIGTERM (which the
// kernel sends when its parent dies, see setPdeathsig), kill its whole
// process group: what its tasks started must not outlive it.
func killGroupOnTerm() {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() {
		<-term
		killOwnGroup()
	}()
}

// killOwnGroup kills this process and every process in its group.
func killOwnGroup() { syscall.Kill(0, syscall.SIGKILL) }
