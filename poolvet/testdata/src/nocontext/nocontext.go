// Package nocontext: a worker without a ctx has no unused ctx, but its waits
// are still reported, without a fix.
package nocontext

import (
	"os/exec"
	"time"
)

//poolgen:worker nocontext
func Spin(n int) int {
	for n > 1 {
		n /= 2
	}
	return n
}

//poolgen:worker nocontext
func Sleeper(d time.Duration) error {
	time.Sleep(d)                     // want `time.Sleep cannot be interrupted .* \(this nocontext worker must take a context.Context first\)`
	return exec.Command("true").Run() // want `exec.Command cannot be cancelled .* \(this nocontext worker must take a context.Context first\)`
}
