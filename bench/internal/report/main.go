// Command report turns the output of the bench module's go test -bench run
// into RESULTS.md: the machine, a table of medians per benchmark with each
// contender's ratio to the baseline, and the targets of issue 5, each stated as
// met or not met from the numbers. run.sh calls it; it computes nothing that
// is not in its input.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
)

// A table says how to show one benchmark: which metrics, and which of them the
// ratio column compares with the group's first contender.
type table struct {
	bench, about string
	metrics      []string
	ratio        string
}

var tables = []table{
	{"TaskCost", "One task of TinyTasks on one goroutine, no pool.", []string{"ns/op"}, ""},
	{"TinyTasks", "100k tasks of ~50ns that return nothing; wait for all. Lower is better.", []string{"ns/task", "allocs/task"}, "ns/task"},
	{"TypedResults", "100k tasks of ~50ns each returning an int, collected in input order through the library's result API (ants and errgroup have none: tasks store by index). Lower is better.", []string{"ns/task", "allocs/task"}, "ns/task"},
	{"CPUTasks", "10k tasks of ~20µs of CPU: efficiency = (work timed on one goroutine / cores) / wall time. Higher is better.", []string{"eff%", "µs-work/task"}, "eff%"},
	{"CancelLatency", "Every worker busy with a cooperative task, `queued` tasks behind; cancel. µs until the library's wait returns, and tasks started after the cancel. A contender whose run took over 1s at one size is skipped at the next (it is missing below). ants, conc and errgroup have no ctx on their wait and block the producer at the worker limit: their latency is the time to drain.", []string{"µs/cancel", "started-after-cancel"}, "µs/cancel"},
	{"Memory", "1M submissions of tasks that block until released, 64 workers. B/task: heap + stacks after a GC, while submissions stand still, per accepted task. backpressure 1: Submit blocked (accepted < 1M), so B/task is not a per-queued-task cost.", []string{"B/task", "accepted", "backpressure"}, "B/task"},
	{"Deadlines", "1M inputs of a multiplication through Map and Stream: without a deadline, with Timeout(time.Minute), with the pool's TaskTimeout(time.Minute); the deadlines never fire. The ratio column is against map; the target (above) compares each call with the same call without a deadline. Lower is better.", []string{"ns/item", "allocs/item"}, "ns/item"},
	{"StreamHeap", "Stream of inputs generated on the fly; heap above the start. held: the live heap, exact, when the consumer pauses (10 times a run) and the stream stalls with its buffers full — what the stream holds. peak-live / peak-inuse: sampled every ms while it runs, with a forced GC every 10ms (live counts what is allocated during a GC's mark, so it is noisy; in-use also counts unswept garbage). Ratio against poolgen-stream. errgroup-pipeline yields in completion order, the others in input order.", []string{"held-B", "peak-live-B", "peak-inuse-B", "ns/item"}, "held-B"},
}

func main() {
	in := flag.String("in", "", "go test -bench output")
	stat := flag.String("benchstat", "", "benchstat -col /impl output, included as is")
	out := flag.String("out", "RESULTS.md", "file to write")
	goVersion := flag.String("go", "", "go version")
	commit := flag.String("commit", "", "the commit measured, and whether runtime/ differed from it")
	date := flag.String("date", "", "when the run was made")
	cores := flag.String("cores", "", "cores and GOMAXPROCS")
	took := flag.String("took", "", "how long the run took")
	load := flag.String("load", "", "the load average of the machine before and after the run")
	flag.Parse()
	if err := run(*in, *stat, *out, header{*goVersion, *commit, *date, *cores, *took, *load}); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// header is what run.sh knows about the run.
type header struct{ goVersion, commit, date, cores, took, load string }

func run(in, stat, out string, h header) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := parse(f)
	if err != nil {
		return err
	}
	statText, err := os.ReadFile(stat)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# bench: poolgen against a hand-written channel pool, ants, pond, conc and errgroup\n\n")
	fmt.Fprintf(&b, "Written by `bench/run.sh` (`go test -bench . -count %d`, one run, so ratios hold) and `internal/report`; do not edit by hand.\n\n", res.runsPer())
	fmt.Fprintf(&b, "- Date: %s\n- Machine: %s, %s\n- Go: %s\n- Measured: %s\n- The run took %s.\n\n", h.date, res.cpu, h.cores, h.goVersion, h.commit, h.took)
	fmt.Fprintf(&b, "**Noise.** The machine is shared with other engineers running tests while this ran (load average %s on its cores): absolute numbers wander by tens of percent between runs; the ratios, measured side by side in one run, are the numbers to read, and even they move when another process takes a core for a while. CPUTasks suffers most: an efficiency near 50%% on 2 cores means another process held one of them. Values are medians of the %d runs unless said otherwise.\n\n", h.load, res.runsPer())
	writeTargets(&b, res)
	for _, t := range tables {
		writeTable(&b, res, t)
	}
	fmt.Fprintf(&b, "## benchstat -col /impl\n\n```\n%s```\n", statText)
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// writeTable writes one markdown table per row key of t.bench (e.g. queued=1000).
func writeTable(b *bytes.Buffer, res *results, t table) {
	fmt.Fprintf(b, "## %s\n\n%s\n\n", t.bench, t.about)
	for _, g := range res.groups {
		bench, row, _ := strings.Cut(g, "\x00")
		if bench != t.bench {
			continue
		}
		if row != "" {
			fmt.Fprintf(b, "**%s**\n\n", row)
		}
		impls := res.impls[g]
		head := append([]string{"impl"}, t.metrics...)
		if t.ratio != "" {
			head = append(head, fmt.Sprintf("%s ÷ %s", t.ratio, impls[0]))
		}
		head = append(head, "runs")
		fmt.Fprintf(b, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))
		base, hasBase := res.median(bench, row, impls[0], t.ratio)
		for _, impl := range impls {
			cells := []string{impl}
			for _, m := range t.metrics {
				cells = append(cells, cell(res.median(bench, row, impl, m)))
			}
			if t.ratio != "" {
				v, ok := res.median(bench, row, impl, t.ratio)
				cells = append(cells, ratioCell(v, base, ok && hasBase))
			}
			cells = append(cells, fmt.Sprint(res.count(bench, row, impl)))
			fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
		}
		fmt.Fprintln(b)
	}
}

func cell(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	switch {
	case v == 0:
		return "0"
	case v >= 1e4:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 0.01:
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.2g", v)
}

func ratioCell(v, base float64, ok bool) string {
	if !ok || base == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2fx", v/base)
}
