// Package poolvet defines an Analyzer that reports waits in the bodies of
// poolgen workers that no context can interrupt. The runtime makes such a
// wait impossible on the pool itself; a worker's body is the last place one
// can hide. Command poolvet runs it, on its own or through go vet:
//
//	poolvet ./...
//	go vet -vettool=$(command -v poolvet) ./...
//
// # Analyzer poolvet
//
// poolvet: report waits in poolgen worker bodies that no context can interrupt
//
// # Workers
//
// A worker is a function with a //poolgen:worker directive (read with the
// directive parser that poolgen uses), or a func literal passed as the fn
// argument of pool.Submit, pool.Map or pool.Stream. The runtime is recognised
// by its import path, github.com/poolgen/poolgen/runtime/pool, through types:
// another package named pool, or a local func named Submit, is not it. Its
// ctx is its first parameter when that is a context.Context; a worker with
// the nocontext option has none. Generated files (a "Code generated ... DO
// NOT EDIT." header) are skipped: poolgen's wrappers only call the worker,
// which is checked where it is written.
//
// # What it reports
//
//   - time.Sleep. Fix: a timer and a select with a case <-ctx.Done().
//   - A channel send or receive outside a select, a range over a channel, and
//     a select with neither a case receiving from a context's Done channel nor
//     a default. A receive from ctx.Done() (any context's Done method, or a
//     local defined as done := ctx.Done() and never assigned again) is fine.
//     A send on a local channel made with a buffer (x := make(chan T, n),
//     with n not the constant 0, and x never assigned again) is not
//     reported: the buffer is assumed to have room, as it has in the usual
//     "one result per task" pattern. Receives from it still are.
//   - sync.WaitGroup.Wait and sync.Cond.Wait.
//   - Calls that have a twin taking a context: http.Get, Head, Post and
//     PostForm (functions and *http.Client methods); http.NewRequest, with a
//     fix to http.NewRequestWithContext(ctx, ...); net.Dial, with a fix to
//     (&net.Dialer{}).DialContext(ctx, ...); and, by a general rule found
//     through types, any function F or method M when the same package has a
//     function FContext, or the same receiver a method MContext, that takes a
//     context.Context followed by exactly F's parameters and returns the same
//     results (exec.Command, (*sql.DB).Query, (*sql.Tx).Exec, (*sql.Conn)
//     and (*sql.Stmt) forms, (*net.Dialer).Dial, (*tls.Conn).Handshake, and
//     user code alike). Its fix calls the twin with the worker's ctx first.
//     log/slog is exempt: its XContext twins pass ctx to handlers for values
//     and wait for nothing.
//   - A ctx parameter that is never used (or is unnamed or _), when the body
//     shows that it may run long: a for loop with no post statement to bound
//     it (for { } or for cond { }), a wait on a channel, or a call with a
//     context argument that is not the worker's ctx. Loops over data (range,
//     or for with a post statement) end with their input, and poolvet does not
//     follow calls, so a worker that only computes or calls other code is not
//     reported. When the worker also has a wait reported
//     above, that report says how to use ctx, and this one is left out.
//
// Fixes are offered only when the worker's ctx is named and that name, at the
// call, still refers to it (not shadowed). In a nocontext worker the waits are
// still reported, with a note that the worker must take a context.Context
// first, and no fix.
//
// # How deep it looks
//
// Only code that runs on the worker's goroutine before it returns: the body,
// func literals called on the spot (func() { ... }()), and deferred ones
// (defer func() { ... }()). It does not look inside func literals that are
// stored, returned, passed to another function (sort.Slice's less, a
// callback) or started with go: they may run elsewhere or later, and a func
// literal passed to pool.Submit is a worker of its own. It does not follow
// calls into other functions. So it misses some waits, on purpose: a report
// must point at code that is wrong.
//
// # Programs with process workers
//
// A pool runs an isolate=process worker in a child process that re-executes
// the program's binary, and pool.ProcessMain, first in main (or TestMain),
// turns that child into a server of tasks. Without it, each child runs main
// (or the whole test suite, side effects included) before it fails. So
// poolvet reports a func main of package main, or a func TestMain(*testing.M)
// in a test file, whose first statement is not a call of pool.ProcessMain,
// in a package that runs process workers: one that calls
// pool.RegisterProcess, as poolgen's output for isolate=process does
// (generated files count here), or that imports, directly or not, a package
// that does. The fix inserts pool.ProcessMain() first, and removes a later
// call of it from main's statements, when the file imports the runtime.
//
// A program that imports such a package but never starts its workers is
// reported too: ProcessMain returns at once in a process that is not a
// pool's child, so the call costs nothing there. Finding the registration
// through imports uses analysis facts: under go vet they are computed once
// per package, but poolvet run on its own type-checks every dependency from
// source (a few seconds for this repository).
//
// # Silencing a report
//
// A comment //poolvet:ignore reason on the line before a report silences the
// reports on that line. The reason is required: a //poolvet:ignore without one
// is itself reported and silences nothing, and so is one written after code,
// at the end of a line, where it would seem to silence its own line.
package poolvet
