package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"

	"github.com/poolgen/poolgen/runtime/internal/remote"
	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// childEnv, in a child's environment, holds its parent's pid; Main serves
// tasks when it is set.
const childEnv = "POOLGEN_PROCESS_CHILD"

// childWithoutMain is true in a child that runs main without having called
// Main first: it must not start children of its own.
var childWithoutMain atomic.Bool

func init() {
	// Set before main runs, so that a child whose main forgot ProcessMain
	// refuses to start children (which would forget it too, and so on).
	childWithoutMain.Store(os.Getenv(childEnv) != "")
}

// childQueue bounds the calls a parent queues in a child: a job's window
// (remote.MaxWindow) is under it, so the child's reading goroutine never
// waits to queue a call and always reads the next frame.
const childQueue = 2 * remote.MaxWindow

// Main serves calls when this process is a child started by a Set, and
// never returns then; anywhere else it returns at once. When the child is
// retired (its parent closes the pipe) while no call runs, it calls atExit
// before it exits: the worker's state is closed there.
func Main(atExit func()) {
	parent := os.Getenv(childEnv)
	if parent == "" {
		return
	}
	childWithoutMain.Store(false)
	os.Unsetenv(childEnv) // a worker's own subprocesses are not children of a pool
	serve(parent, atExit)
	os.Exit(0)
}

// serve serves calls until the parent closes its pipe or dies, then kills
// its own process group, itself included. It returns only when the parent
// is gone before it starts serving. parent is the parent's pid, as the
// parent wrote it; atExit runs at the pipe's end unless a call still runs.
func serve(parent string, atExit func()) {
	// Ctrl+C goes to the parent alone, which decides: a child must not die
	// half-way through a task on its own.
	signal.Ignore(os.Interrupt)
	if pid, err := strconv.Atoi(parent); err != nil || pid != os.Getppid() {
		return // the parent died before this child could ask to die with it
	}
	killGroupOnTerm()
	in, out := childPipe(3, "poolgen-tasks"), childPipe(4, "poolgen-results")
	w := wire.NewFrameWriter(out)
	send := func(m *wire.Msg) {
		w.Send(m) // when the parent is gone the main goroutine sees the end of the other pipe
	}
	send(&wire.Msg{Kind: wire.KindHello})
	s := remote.NewServer(childQueue, send)
	go s.Run()
	fr := wire.NewFrameReader(in)
	for {
		m, err := fr.Next()
		if err != nil {
			// The parent retired this child, or died (its pipe may end
			// before the kernel tells this child so), or a task closed the
			// pipe's descriptor, as tidy-up code does. Either way, what this
			// child's tasks started ends with it.
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				fmt.Fprintf(os.Stderr, "pool: the worker process lost its pipes to the pool: %v\n", err)
			}
			if !s.Stop() {
				atExit() // retired while idle: nothing uses the worker's state
			}
			killOwnGroup()
			return
		}
		switch m.Kind {
		case wire.KindCall:
			s.Accept(m)
		case wire.KindCancel:
			s.CancelUpTo(m.ID)
		case wire.KindRevoke:
			s.Revoke()
		}
	}
}
