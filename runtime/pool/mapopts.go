package pool

import "time"

// A MapOption configures Map and Stream.
type MapOption func(*mapConfig)

type mapConfig struct {
	timeout   time.Duration // Timeout's; 0 for the pool's TaskTimeout
	unordered bool
	collect   bool
	progress  func(done, total int)
}

func newMapConfig(opts []MapOption) mapConfig {
	var c mapConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Timeout puts a deadline d on the ctx of each input of this Map or Stream call
// from the moment it starts, in place of the pool's TaskTimeout, with the same
// effect: an input still running at its deadline fails at once, even when it
// ignores its ctx. d <= 0 means the pool's TaskTimeout. Generated wrappers of
// //poolgen:worker timeout= workers pass it.
//
// A deadline costs Map and Stream no timer or context per input: one watchdog
// per call ticks every d/128 (50µs at least) and fails an input d after it
// first saw it running, so never before its deadline and at most two ticks
// after, unless the machine keeps the watchdog from running. A deadline under
// 10ms is kept exactly for an input that looks: ctx.Err reports it passed on
// time (the watchdog still fails one that does not look within two ticks).
// The input's ctx.Deadline tells when; its ctx is one for all the inputs its
// loop runs and does not end when fn returns, so fn should not keep it.
func Timeout(d time.Duration) MapOption { return func(c *mapConfig) { c.timeout = max(d, 0) } }

// Unordered makes Stream yield results in the order they finish instead of the
// order of the input, like Python's imap_unordered. Map ignores it.
func Unordered() MapOption { return func(c *mapConfig) { c.unordered = true } }

// CollectErrors makes Map run every input instead of stopping at the first error;
// its error is then errors.Join of a *TaskError for every input that failed, in
// input order. Stream ignores it: it yields every error and goes on until the
// loop breaks.
func CollectErrors() MapOption { return func(c *mapConfig) { c.collect = true } }

// Progress makes Map and Stream call fn with the number of inputs finished so far
// and their total; a Stream's total is -1 until its input sequence has ended.
//
// fn runs on a goroutine of its own, never concurrently with itself, and the
// work does not wait for it: counts that come while a call runs coalesce, and
// the next call gets the latest. Before Map returns or the Stream loop ends, a
// call has reported the last count (done == total, or a Stream's final count)
// and none is running, unless ctx ends first: then Map and the loop return at
// once with ctx's error without waiting for a call in flight (one blocked on a
// paused terminal, say), and no call starts after they return. A panic in fn
// ends Map, or the Stream loop, with a *PanicError.
func Progress(fn func(done, total int)) MapOption {
	return func(c *mapConfig) { c.progress = fn }
}
