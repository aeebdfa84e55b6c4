package pool

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// conn is a Local value that tells when two tasks use it at once, and counts
// its closes.
type conn struct {
	id     int
	busy   atomic.Bool
	uses   int // not atomic: -race reports two tasks using it at once
	closed atomic.Int32
}

func (c *conn) Close() error { c.closed.Add(1); return nil }

// use uses c as a task does, failing t when another task uses it meanwhile.
func (c *conn) use(t *testing.T) {
	if !c.busy.CompareAndSwap(false, true) {
		t.Errorf("conn %d used by two tasks at once", c.id)
		return
	}
	c.uses++
	runtime.Gosched()
	c.busy.Store(false)
}

// conns makes conns as a Local's init and keeps every one it made.
type conns struct {
	mu   sync.Mutex
	all  []*conn
	fail int // the next fail inits return an error
}

var errInit = errors.New("init failed")

func (cs *conns) local() *Local[*conn] {
	return NewLocal(func(context.Context) (*conn, error) {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if cs.fail > 0 {
			cs.fail--
			return nil, errInit
		}
		c := &conn{id: len(cs.all)}
		cs.all = append(cs.all, c)
		return c, nil
	})
}

func (cs *conns) made() []*conn {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return slices.Clone(cs.all)
}

// closeAndCount closes p and checks that every value made was closed once.
func (cs *conns) closeAndCount(t *testing.T, p *Pool) {
	t.Helper()
	closeQuiet(t, p)
	for _, c := range cs.made() {
		if n := c.closed.Load(); n != 1 {
			t.Errorf("conn %d closed %d times once Close returned nil, want 1", c.id, n)
		}
	}
}

func TestLocalValuePerWorkerNeverSharedAndClosed(t *testing.T) {
	const workers = 4
	var cs conns
	l := cs.local()
	p := New(context.Background(), Workers(workers))
	ctx := context.Background()
	use := func(ctx context.Context, _ int) (int, error) {
		c, err := l.Get(ctx)
		if err != nil {
			return 0, err
		}
		c.use(t)
		return c.id, nil
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		var fs []*Future[int]
		for i := range 200 {
			fs = append(fs, Submit(ctx, p, func(ctx context.Context) (int, error) { return use(ctx, i) }))
		}
		for _, f := range fs {
			if _, err := f.GetWithin(5 * time.Second); err != nil {
				t.Errorf("Submit: %v", err)
			}
		}
	})
	wg.Go(func() {
		if _, err := Map(ctx, p, make([]int, 2000), use); err != nil {
			t.Errorf("Map: %v", err)
		}
	})
	wg.Go(func() {
		for _, err := range Stream(ctx, p, slices.Values(make([]int, 500)), use) {
			if err != nil {
				t.Errorf("Stream: %v", err)
			}
		}
	})
	wg.Wait()
	if n := len(cs.made()); n < 1 || n > workers {
		t.Errorf("init ran %d times, want 1..%d: at most once per worker", n, workers)
	}
	cs.closeAndCount(t, p)
}

func TestLocalSubmitMapAndStreamShareTheWorkersValue(t *testing.T) {
	var cs conns
	l := cs.local()
	p := newPool(t, Workers(1))
	ctx := context.Background()
	id := func(ctx context.Context, _ int) (int, error) {
		c, err := l.Get(ctx)
		if err != nil {
			return -1, err
		}
		return c.id, nil
	}
	first, err := Submit(ctx, p, func(ctx context.Context) (int, error) { return id(ctx, 0) }).GetWithin(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := Map(ctx, p, make([]int, 100), id)
	if err != nil {
		t.Fatal(err)
	}
	// Under a deadline, inputs get a ctx of their own (inputCtx): the same value.
	timed, err := Map(ctx, p, make([]int, 100), id, Timeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, timed...)
	for _, opts := range [][]MapOption{nil, {Timeout(time.Minute)}} {
		for v, err := range Stream(ctx, p, slices.Values(make([]int, 10)), id, opts...) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, v)
		}
	}
	for _, v := range ids {
		if v != first {
			t.Fatalf("inputs saw conns %v, want all %d: the one worker's", ids, first)
		}
	}
}

func TestLocalInitErrorIsReturnedAndNotKept(t *testing.T) {
	cs := conns{fail: 1}
	l := cs.local()
	p := New(context.Background(), Workers(1))
	get := func(ctx context.Context) (*conn, error) { return l.Get(ctx) }
	ctx := context.Background()
	if _, err := Submit(ctx, p, get).GetWithin(5 * time.Second); !errors.Is(err, errInit) {
		t.Fatalf("first Get: %v, want init's error", err)
	}
	c1, err := Submit(ctx, p, get).GetWithin(5 * time.Second)
	if err != nil {
		t.Fatalf("second Get: %v, want init called again", err)
	}
	c2, err := Submit(ctx, p, get).GetWithin(5 * time.Second)
	if err != nil || c2 != c1 {
		t.Fatalf("third Get: %v, %v; want the value of the second", c2, err)
	}
	cs.closeAndCount(t, p)
}

func TestLocalGetOutsideATaskErrors(t *testing.T) {
	var cs conns
	l := cs.local()
	if _, err := l.Get(context.Background()); err == nil {
		t.Fatal("Get with a ctx not of a task: nil error")
	}
	p := newPool(t, Workers(1))
	type key struct{}
	// A ctx derived from a task's leads to its worker too.
	_, err := Submit(context.Background(), p, func(ctx context.Context) (*conn, error) {
		ctx, cancel := context.WithCancel(context.WithValue(ctx, key{}, 1))
		defer cancel()
		return l.Get(ctx)
	}).GetWithin(5 * time.Second)
	if err != nil {
		t.Fatalf("Get with a ctx derived from a task's: %v", err)
	}
	if len(cs.made()) != 1 {
		t.Fatal("init ran outside a task")
	}
}

func TestLocalAbandonedTaskKeepsItsValueAndItsReplacementBuildsOne(t *testing.T) {
	var cs conns
	l := cs.local()
	p := New(context.Background(), Workers(1))
	ctx := context.Background()
	got, release, returned := make(chan *conn, 1), make(chan struct{}), make(chan struct{})
	// The first task takes a value, then hangs past its deadline ignoring its
	// ctx: it is abandoned, and its worker's slot goes to a fresh goroutine.
	f := SubmitWithin(ctx, p, 20*time.Millisecond, func(ctx context.Context) (int, error) {
		defer close(returned)
		c, err := l.Get(ctx)
		if err != nil {
			return 0, err
		}
		got <- c
		<-release
		c.use(t) // still its own
		if c.closed.Load() != 0 {
			t.Error("the abandoned task's value was closed while it ran")
		}
		return 0, nil
	})
	if _, err := f.GetWithin(5 * time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung task: %v, want its deadline", err)
	}
	old := <-got
	next, err := Submit(ctx, p, func(ctx context.Context) (*conn, error) { return l.Get(ctx) }).GetWithin(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if next == old {
		t.Fatal("the replacement worker got the abandoned worker's value")
	}
	close(release)
	within(t, "the abandoned task", returned)
	cs.closeAndCount(t, p)
}

func TestLocalValueClosedWhenWorkerExits(t *testing.T) {
	var cs conns
	l := cs.local()
	p := New(context.Background(), Workers(2))
	ctx := context.Background()
	if _, err := Map(ctx, p, make([]int, 2), func(ctx context.Context, _ int) (int, error) {
		_, err := l.Get(ctx)
		return 0, err
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs.made() {
		if c.closed.Load() != 0 {
			t.Fatal("a value was closed while its worker lives")
		}
	}
	cs.closeAndCount(t, p)
}
