package remote

import (
	"slices"
	"time"

	"github.com/poolgen/poolgen/runtime/internal/wire"
)

// Handle takes a reply of the worker the driver holds; see Handler.
func (d *Driver) Handle(m *wire.Msg) bool {
	now := time.Now()
	j := d.job
	d.mu.Lock()
	i := slices.IndexFunc(d.pending, func(p pendingCall) bool { return p.id == m.ID })
	if i < 0 {
		d.mu.Unlock()
		return false
	}
	p := d.pending[i]
	d.pending = slices.Delete(d.pending, i, i+1)
	notRun := m.Kind == wire.KindNotRun
	if notRun {
		d.sent--
	} else {
		d.ran++
		d.measure(now)
	}
	d.futile = 0
	if len(d.pending) > 0 {
		d.headSince = now
	}
	wake := d.wakeAt >= 0 && len(d.pending) <= d.wakeAt
	if wake {
		d.wakeAt = -1
	}
	helper := false
	if d.revokeLeft > 0 && m.ID > d.revokeHead {
		d.revokeLeft--
		helper = d.revokeLeft == 0
	}
	d.mu.Unlock()
	if notRun {
		j.giveBack(p.in)
	} else {
		v, err := replyOutcome(m)
		j.Deliver(p.in.Seq, v, err)
	}
	if helper && j.nback.Load() > 0 {
		// The revoked calls are back in the job: start a driver for them,
		// which takes a free worker (this one is held by the stuck call).
		j.Spawn(j.NewDriver())
	}
	if wake {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// measure updates the time a worker takes per call with a reply that came
// now, and the window from it. d.mu must be held.
func (d *Driver) measure(now time.Time) {
	if !d.busySince.IsZero() {
		took := now.Sub(d.busySince)
		if d.perCall == 0 {
			d.perCall = took
		} else {
			d.perCall += (took - d.perCall) / 4
		}
		d.window = int(min(max(Queued/max(d.perCall, 1), MinWindow), MaxWindow))
	}
	d.busySince = time.Time{}
	if len(d.pending) > 0 {
		d.busySince = now
	}
}

// stuckAfter is how long the oldest pending call may run before the calls
// behind it are revoked. d.mu must be held.
func (d *Driver) stuckAfter() time.Duration { return max(Stuck, 10*d.perCall) }

// revokeIfStuck revokes the calls queued in c behind the oldest pending one
// when that one has run for longer than stuckAfter: the worker answers them
// unrun, and they go back to the job for another driver (see Handle).
func (d *Driver) revokeIfStuck(c Conn) {
	d.mu.Lock()
	if d.revoked || len(d.pending) < 2 || time.Since(d.headSince) < d.stuckAfter() {
		d.mu.Unlock()
		return
	}
	d.revoked, d.revokeHead, d.revokeLeft = true, d.pending[0].id, len(d.pending)-1
	d.wakeAt = 0
	d.mu.Unlock()
	c.Send(&wire.Msg{Kind: wire.KindRevoke, ID: d.revokeHead}) // if this fails the worker is ending anyway
}

// died settles the calls pending in c, which has died: the oldest that
// reached it fails with c's error (c was running it), the others never
// started and go back to be sent again.
func (d *Driver) died(c Conn) {
	d.mu.Lock()
	pending := d.pending
	d.pending = nil
	var again []Input
	blamed := -1
	for i, p := range pending {
		if blamed < 0 && p.written {
			blamed = i
			continue
		}
		again = append(again, p.in)
	}
	if blamed < 0 && len(again) > 0 {
		// c died before any call reached it. After a few such workers in a
		// row, blame the oldest call anyway, so that the job cannot spin.
		if d.futile++; d.futile >= 3 {
			blamed, again = 0, again[1:]
			d.futile = 0
		}
	}
	d.retry = append(again, d.retry...)
	d.mu.Unlock()
	if blamed >= 0 {
		d.job.Deliver(pending[blamed].in.Seq, nil, c.Err())
	}
}
