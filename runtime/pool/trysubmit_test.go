package pool

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTrySubmitReportsAFullQueueAtOnce(t *testing.T) {
	p := newPool(t, Workers(1), QueueSize(2))
	ctx := context.Background()
	release := make(chan struct{})
	running := Submit(ctx, p, hang(release, 1))
	eventually(t, "the first task running", func() bool { return p.Stats().Running == 1 })
	var queued []*Future[int]
	for range 2 {
		f, ok := TrySubmit(ctx, p, hang(release, 2))
		if !ok || f == nil {
			t.Fatal("TrySubmit refused a task with room in the queue")
		}
		queued = append(queued, f)
	}
	if f, ok := TrySubmit(ctx, p, hang(release, 3)); ok || f != nil {
		t.Fatalf("TrySubmit on a full queue = %v, %v; want nil, false", f, ok)
	}
	if s := p.Stats(); s != (Stats{Queued: 2, Running: 1}) {
		t.Errorf("stats %+v: a refused TrySubmit counts nothing", s)
	}
	close(release)
	for _, f := range append(queued, running) {
		if _, err := f.GetWithin(5 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	f, ok := TrySubmit(ctx, p, func(context.Context) (int, error) { return 4, nil })
	if !ok {
		t.Fatal("TrySubmit refused a task once the queue had emptied")
	}
	if v, err := f.GetWithin(5 * time.Second); v != 4 || err != nil {
		t.Fatalf("got %d, %v", v, err)
	}
}

func TestTrySubmitWithEndedCtxGivesItsRoomBack(t *testing.T) {
	p := newPool(t, Workers(1), QueueSize(1))
	release := make(chan struct{})
	defer close(release)
	Submit(context.Background(), p, hang(release, 0))
	eventually(t, "the first task running", func() bool { return p.Stats().Running == 1 })
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 { // the room of each is given back, or the second would be refused
		f, ok := TrySubmit(ended, p, hang(release, 0))
		if !ok {
			t.Fatal("TrySubmit refused: the room of a cancelled task was kept")
		}
		if _, err := f.GetWithin(5 * time.Second); !errors.Is(err, context.Canceled) {
			t.Fatalf("TrySubmit with an ended ctx: %v", err)
		}
	}
}

func TestTrySubmitOnAnUnboundedQueueNeverRefuses(t *testing.T) {
	p := newPool(t, Workers(1))
	release := make(chan struct{})
	defer close(release)
	for range 100 {
		if _, ok := TrySubmit(context.Background(), p, hang(release, 0)); !ok {
			t.Fatal("TrySubmit refused on an unbounded queue")
		}
	}
}
