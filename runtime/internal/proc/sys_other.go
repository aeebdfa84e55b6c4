//go:build !unix

package proc

import (
	"os"
	"syscall"
)

const supported = false

func childSysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) { p.Kill() }

func exitCode(ps *os.ProcessState) int { return ps.ExitCode() }

func childPipe(fd int, name string) *os.File { return os.NewFile(uintptr(fd), name) }

func killGroupOnTerm() {}

func killOwnGroup() { os.Exit(1) }
