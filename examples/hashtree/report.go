package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

// report is hashtree's summary, as text or JSON.
type report struct {
	Dir         string       `json:"dir"`
	Files       int          `json:"files"`   // files hashed
	Total       int          `json:"total"`   // files found
	Bytes       int64        `json:"bytes"`   // bytes hashed
	Seconds     float64      `json:"seconds"` // time spent hashing
	Interrupted bool         `json:"interrupted"`
	Largest     []fileResult `json:"largest"`    // the ten largest files
	Best        []fileResult `json:"best_ratio"` // the three that compress best
	Worst       []fileResult `json:"worst_ratio"`
	Failed      []string     `json:"failed,omitempty"` // "path: error" for each failure
	Results     []fileResult `json:"results"`          // every file hashed, in path order
}

// summarize builds the report from Map's results: a file that finished has its
// Path set; err is Map's error. Files cancelled by Ctrl+C do not count as
// failed; those that failed before it do.
func summarize(dir string, files []string, results []fileResult, err error, elapsed time.Duration) *report {
	r := &report{Dir: dir, Total: len(files), Seconds: elapsed.Seconds()}
	for _, res := range results {
		if res.Path != "" {
			r.Results = append(r.Results, res)
			r.Bytes += res.Size
		}
	}
	r.Files = len(r.Results)
	var te *pool.TaskError
	var pe *pool.PartialError
	errs := unjoin(err)
	if errors.As(err, &pe) { // Ctrl+C: the files that failed before it, and why it ended
		errs = []error{pe.Err}
		for _, f := range pe.Failures {
			errs = append(errs, f)
		}
	}
	for _, e := range errs {
		switch {
		case e == nil:
		case errors.Is(e, context.Canceled): // Ctrl+C, not the file's fault; run says so
		case errors.As(e, &te):
			r.Failed = append(r.Failed, fmt.Sprintf("%s: %v", files[te.Index], te.Err))
		default:
			r.Failed = append(r.Failed, e.Error())
		}
	}
	r.Largest = top(r.Results, 10, func(a, b fileResult) int { return cmp.Compare(b.Size, a.Size) })
	// Ratios mean little for tiny files: rank those of 1 KiB or more.
	var sized []fileResult
	for _, res := range r.Results {
		if res.Size >= 1024 {
			sized = append(sized, res)
		}
	}
	byRatio := func(a, b fileResult) int { return cmp.Compare(ratio(a), ratio(b)) }
	r.Best = top(sized, 3, byRatio)
	r.Worst = top(sized, 3, func(a, b fileResult) int { return byRatio(b, a) })
	return r
}

// unjoin splits an errors.Join into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func ratio(f fileResult) float64 { return float64(f.Gzipped) / float64(max(f.Size, 1)) }

// top returns the first n of files in the order of less, leaving files as it is.
func top(files []fileResult, n int, less func(a, b fileResult) int) []fileResult {
	s := slices.SortedStableFunc(slices.Values(files), less)
	return s[:min(n, len(s))]
}

func (r *report) writeText(w io.Writer) {
	if r.Interrupted {
		fmt.Fprintf(w, "interrupted after %d of %d files\n", r.Files, r.Total)
	}
	mb := float64(r.Bytes) / 1e6
	fmt.Fprintf(w, "%d files, %.1f MB in %.2fs: %.1f MB/s, %.0f files/s\n",
		r.Files, mb, r.Seconds, mb/max(r.Seconds, 1e-9), float64(r.Files)/max(r.Seconds, 1e-9))
	section := func(title string, files []fileResult) {
		if len(files) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		for _, f := range files {
			fmt.Fprintf(w, "  %10d B  gzip %5.1f%%  %s  %s\n", f.Size, 100*ratio(f), f.SHA256[:12], f.Path)
		}
	}
	section("largest files:", r.Largest)
	section("best compression:", r.Best)
	section("worst compression:", r.Worst)
	if len(r.Failed) > 0 {
		fmt.Fprintf(w, "\n%d files failed:\n", len(r.Failed))
		for _, f := range r.Failed {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
}

func (r *report) writeJSON(w io.Writer) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(r)
}
