package remote

import (
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// leave hands c, held by a job that has ended, to a watcher: c is told to
// cancel every call it holds, and gets the grace period to answer them all
// before it is killed.
func (d *Driver) leave(c Conn) {
	d.mu.Lock()
	n, ran := len(d.pending), d.ran
	d.mu.Unlock()
	if n == 0 {
		d.job.Backend.Release(c, ran, false)
		return
	}
	c.Send(&wire.Msg{Kind: wire.KindCancel, ID: c.NextID()}) // every call up to a fresh id: all it holds
	d.job.Backend.Watch(func() { d.watchGrace(c) })
}

// watchGrace waits for c to answer the calls it holds, within the grace
// period; else it kills c.
func (d *Driver) watchGrace(c Conn) {
	b := d.job.Backend
	t := time.NewTimer(b.Grace())
	defer t.Stop()
	for {
		d.mu.Lock()
		n, ran := len(d.pending), d.ran
		d.wakeAt = 0
		d.mu.Unlock()
		if n == 0 {
			b.Release(c, ran, false)
			return
		}
		select {
		case <-d.wake:
		case <-c.Dead():
			return
		case <-t.C:
			c.Kill()
			return
		case <-b.Killed():
			c.Kill()
			return
		}
	}
}
