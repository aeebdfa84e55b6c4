package wire

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConcurrentUse encodes and decodes values of several types from many
// goroutines at once, while the decoder cache is emptied now and then: run
// under -race.
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				if g == 0 && i%50 == 0 {
					decoders.reset()
				}
				sent := holder{V: inner{A: i, I: []any{leaf{fmt.Sprint(g)}, &leaf2{N: i}}[i%2]}}
				if g%2 == 1 {
					sent = holder{V: newBenchValue()}
				}
				data, err := AppendValue(nil, sent)
				if err != nil {
					errs <- err
					return
				}
				var got holder
				if err := DecodeValue(data, &got); err != nil {
					errs <- err
					return
				}
				if diff := cmp.Diff(sent, got); diff != "" {
					errs <- fmt.Errorf("goroutine %d, value %d: (-sent +got):\n%s", g, i, diff)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
