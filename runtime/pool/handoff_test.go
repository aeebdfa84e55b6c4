package pool

import (
	"testing"
	"time"
)

// putAll of several items while several takers sleep wakes enough of them:
// after an expire gives a batch back, idle workers share it.
func TestHandoffPutAllWakesATakerPerItem(t *testing.T) {
	h := newHandoff[int](2, 4)
	done := make(chan struct{})
	defer close(done)
	took := make(chan int, 2)
	for range 2 {
		go func() {
			got, why := h.take(nil, 1, done, nil)
			if why == tookItems {
				took <- got[0]
			}
		}()
	}
	eventually(t, "both takers asleep", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.sleepers == 2
	})
	h.putAll([]int{1, 2})
	for range 2 {
		select {
		case <-took:
		case <-time.After(time.Second):
			t.Fatalf("a taker sleeps while %d items wait", h.len())
		}
	}
}

// len returns how many items wait, for tests: the runtime never asks.
func (h *handoff[T]) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}
