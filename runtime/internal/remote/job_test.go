package remote

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sliceSource hands out the inputs 0..n-1, each as a one-byte argument.
type sliceSource struct {
	mu   sync.Mutex
	next int
	n    int
}

func (s *sliceSource) Take() (Input, bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= s.n {
		return Input{}, false, false
	}
	s.next++
	return Input{Seq: s.next - 1, Arg: []byte{byte(s.next - 1)}}, true, true
}

func (s *sliceSource) Items() <-chan Input { return nil }

// runJob runs a job of n inputs on b with workers drivers, until want
// outcomes are in or the bound passes; it returns the inputs delivered.
func runJob(t *testing.T, b Backend, workers, n, want int) []int {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	var got []int
	enough := make(chan struct{})
	j := &Job{Backend: b, Name: "f", Ctx: ctx, Source: &sliceSource{n: n}}
	var drivers sync.WaitGroup
	j.Spawn = func(d *Driver) error {
		drivers.Add(1)
		go func() { defer drivers.Done(); d.Run() }()
		return nil
	}
	j.Deliver = func(seq int, _ []byte, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			t.Errorf("input %d: %v", seq, err)
		}
		if got = append(got, seq); len(got) == want {
			close(enough)
		}
	}
	for range workers {
		j.Spawn(j.NewDriver())
	}
	select {
	case <-enough:
	case <-time.After(5 * time.Second):
		t.Errorf("%d of %d inputs delivered", len(got), want)
	}
	cancel()
	drivers.Wait()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(got)
	return got
}

func TestJobRevokesCallsQueuedBehindAHungOne(t *testing.T) {
	release := make(chan struct{})
	b := newFakeBackend(2, func(ctx context.Context, arg []byte) ([]byte, error) {
		if arg[0] == 0 {
			<-release // ignores its ctx until the test ends
		}
		return arg, nil
	})
	defer b.close()
	defer close(release)
	if got := runJob(t, b, 2, 8, 7); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("delivered %v; want every input but the hung 0", got)
	}
}

func TestJobDeliversEveryInputOnce(t *testing.T) {
	b := newFakeBackend(3, func(ctx context.Context, arg []byte) ([]byte, error) { return arg, nil })
	defer b.close()
	got := runJob(t, b, 3, 200, 200)
	for i, v := range got {
		if v != i {
			t.Fatalf("delivered %v; want 0..199 once each", got)
		}
	}
}
