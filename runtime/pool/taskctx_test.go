package pool

import (
	"context"
	"testing"
	"time"
)

// The doc of taskCtx says what context.Cause of a task ctx ended by Cancel is.
func TestTaskCtxCauseAfterCancelMatchesDoc(t *testing.T) {
	p := newPool(t, Workers(1))
	got := make(chan error, 1)
	f := Submit(context.Background(), p, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		got <- context.Cause(ctx)
		return 0, nil
	})
	eventually(t, "task running", func() bool { return p.Stats().Running == 1 })
	f.Cancel()
	select {
	case cause := <-got:
		if cause != context.Canceled {
			t.Fatalf("context.Cause of a task ctx ended by Cancel = %v; the doc of taskCtx says its Err, context.Canceled", cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the task did not see its ctx end")
	}
}
