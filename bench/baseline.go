package bench

import "sync"

// ChannelPool is the baseline every contender is measured against: what a
// careful engineer writes by hand. Workers read tasks from one buffered
// channel; a caller that wants a task's result gives it a 1-buffered result
// channel of its own.
type ChannelPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

// NewChannelPool starts workers goroutines reading from a channel of buffer
// tasks.
func NewChannelPool(workers, buffer int) *ChannelPool {
	c := &ChannelPool{tasks: make(chan func(), buffer)}
	for range workers {
		c.wg.Go(func() {
			for t := range c.tasks {
				t()
			}
		})
	}
	return c
}

// Go queues task. It blocks while the buffer is full, with no way out: the
// baseline is as simple as it gets.
func (c *ChannelPool) Go(task func()) { c.tasks <- task }

// Close stops accepting tasks and waits until every queued task has run.
func (c *ChannelPool) Close() {
	close(c.tasks)
	c.wg.Wait()
}
