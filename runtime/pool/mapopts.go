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
// fn is called from any goroutine but never concurrently with itself, and its
// last call happens before Map returns or the Stream loop ends. Keep it quick:
// the work waits for it.
func Progress(fn func(done, total int)) MapOption {
	return func(c *mapConfig) { c.progress = fn }
}
