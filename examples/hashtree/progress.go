package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how far the hashing is: a live bar when w is a terminal, else a
// plain line at most every half second. Its update is given to pool.Progress,
// which never calls it concurrently.
//
// The bar is github.com/schollz/progressbar/v3: one bar with a count and a rate
// is all hashtree draws, and it does that with a single call per update and few
// dependencies. github.com/vbauerster/mpb/v8 shines with many concurrent bars,
// which hashtree does not have.
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar // nil when w is not a terminal
	total int
	done  int
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("hashing"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("files"),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(50*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) update(done, total int) {
	p.done = done
	if p.bar != nil {
		p.bar.Set(done)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 500*time.Millisecond {
		p.last = now
		fmt.Fprintf(p.w, "hashtree: %d of %d files\n", done, total)
	}
}

// finish ends the display; the summary follows it.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Exit()
		return
	}
	fmt.Fprintf(p.w, "hashtree: %d of %d files\n", p.done, p.total)
}
