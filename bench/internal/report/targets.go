package main

import (
	"bytes"
	"fmt"
	"strings"
)

// The contenders the targets name.
var (
	poolgenImpls = []string{"poolgen-submit", "poolgen-gen", "poolgen-map", "poolgen-stream"}
	peerImpls    = []string{"ants", "pond", "conc-pool", "conc-iter", "errgroup"}
)

const baseline = "channel-pool"

// writeTargets states each target of issue 5 as met or not met, with the
// numbers it was decided on and the rule used.
func writeTargets(b *bytes.Buffer, res *results) {
	fmt.Fprintf(b, "## Targets of issue 5\n\n")
	for _, bench := range []string{"TinyTasks", "TypedResults"} {
		speedTarget(b, res, bench)
	}
	cancelTargets(b, res)
	streamTarget(b, res)
	fmt.Fprintf(b, "\n## Targets of issue 14\n\n")
	for _, bench := range []string{"TinyTasks", "TypedResults"} {
		parityTarget(b, res, bench)
	}
	cpuTarget(b, res)
	deadlineTarget(b, res)
	fmt.Fprintln(b)
}

// perTaskPeers are the peers that run a task per call, as Submit does.
var perTaskPeers = []string{"ants", "pond", "conc-pool", "errgroup"}

// parityTarget (issue 14, points 1, 2 and 4): Submit and Stream at most 1.0x
// the baseline, Submit faster than every per-task peer, Map at or under
// conc's iter.Map.
func parityTarget(b *bytes.Buffer, res *results, bench string) {
	base, ok := res.median(bench, "", baseline, "ns/task")
	if !ok {
		fmt.Fprintf(b, "- %s: no baseline result\n", bench)
		return
	}
	fmt.Fprintf(b, "- %s, against the baseline (%s ns/task):\n", bench, cell(base, true))
	for _, impl := range []string{"poolgen-submit", "poolgen-gen", "poolgen-stream"} {
		v, ok := res.median(bench, "", impl, "ns/task")
		if !ok {
			continue
		}
		fmt.Fprintf(b, "  - %s: %.2fx the baseline, ≤1.0x %s", impl, v/base, verdict(v <= base))
		if impl != "poolgen-stream" {
			slowest := ""
			for _, p := range perTaskPeers {
				if pv, ok := res.median(bench, "", p, "ns/task"); ok && pv <= v {
					slowest += " " + p
				}
			}
			fmt.Fprintf(b, "; faster than every per-task peer (%s) %s", strings.Join(perTaskPeers, ", "), verdict(slowest == ""))
			if slowest != "" {
				fmt.Fprintf(b, " (not:%s)", slowest)
			}
		}
		fmt.Fprintln(b)
	}
	m, ok1 := res.median(bench, "", "poolgen-map", "ns/task")
	c, ok2 := res.median(bench, "", "conc-iter", "ns/task")
	if ok1 && ok2 {
		fmt.Fprintf(b, "  - poolgen-map: %s ns/task against conc-iter's %s, at or under it %s\n", cell(m, true), cell(c, true), verdict(m <= c))
	}
}

// cpuTarget (issue 14, point 4): CPU-bound 20µs tasks at 97% efficiency or
// more, the baseline beside them.
func cpuTarget(b *bytes.Buffer, res *results) {
	const bench = "CPUTasks"
	base, _ := res.median(bench, "", baseline, "eff%")
	fmt.Fprintf(b, "- %s, ≥97%% efficiency on 20µs tasks (the baseline: %.1f%%):", bench, base)
	for _, impl := range []string{"poolgen-submit", "poolgen-map", "poolgen-stream"} {
		if v, ok := res.median(bench, "", impl, "eff%"); ok {
			fmt.Fprintf(b, " %s %.1f%% %s;", impl, v, verdict(v >= 97))
		}
	}
	fmt.Fprintln(b)
}

func verdict(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

// speedTarget: poolgen at most 1.3x the baseline in ns/task and faster than
// every peer, judged for each poolgen API on its own.
func speedTarget(b *bytes.Buffer, res *results, bench string) {
	base, ok := res.median(bench, "", baseline, "ns/task")
	if !ok {
		fmt.Fprintf(b, "- %s: no baseline result\n", bench)
		return
	}
	bestPeer, bestPeerV := "", 0.0
	for _, p := range peerImpls {
		if v, ok := res.median(bench, "", p, "ns/task"); ok && (bestPeer == "" || v < bestPeerV) {
			bestPeer, bestPeerV = p, v
		}
	}
	fmt.Fprintf(b, "- %s, poolgen ≤ 1.3x the baseline (%s ns/task) and faster than every peer (fastest: %s, %s ns/task):\n", bench, cell(base, true), bestPeer, cell(bestPeerV, true))
	for _, impl := range poolgenImpls {
		v, ok := res.median(bench, "", impl, "ns/task")
		if !ok {
			continue
		}
		ratio := v / base
		fmt.Fprintf(b, "  - %s: %s ns/task, %.2fx the baseline, %.2fx the fastest peer: ≤1.3x %s, faster than every peer %s\n",
			impl, cell(v, true), ratio, v/bestPeerV, verdict(ratio <= 1.3), verdict(v < bestPeerV))
	}
}

// cancelTargets: under 1ms at 100k queued; flat from 1k to 1M (rule: the 1M
// latency at most 3x the 1k one plus 50µs); no task started after a cancel in
// any run.
func cancelTargets(b *bytes.Buffer, res *results) {
	const bench = "CancelLatency"
	rows := []string{"queued=1000", "queued=100000", "queued=1000000"}
	fmt.Fprintf(b, "- %s (µs from cancel to the wait's return at 1k / 100k / 1M queued; tasks started after the cancel, most in any run):\n", bench)
	for _, impl := range poolgenImpls {
		var lat []float64
		late := 0.0
		for _, row := range rows {
			v, ok := res.median(bench, row, impl, "µs/cancel")
			if !ok {
				break
			}
			lat = append(lat, v)
			n, _ := res.max(bench, row, impl, "started-after-cancel")
			late = max(late, n)
		}
		if len(lat) == 0 {
			continue
		}
		if len(lat) < len(rows) {
			fmt.Fprintf(b, "  - %s: %s µs, and not run at %s: its run at the size before took over 1s (see the run's log); flat from 1k to 1M %s", impl, cells(lat), rows[len(lat)], verdict(false))
			if len(lat) > 1 {
				fmt.Fprintf(b, "; under 1ms at 100k %s", verdict(lat[1] < 1000))
			}
			fmt.Fprintf(b, "; no task started after a cancel (%.0f) %s\n", late, verdict(late == 0))
			continue
		}
		fmt.Fprintf(b, "  - %s: %s µs; under 1ms at 100k %s; flat from 1k to 1M (1M ≤ 3×1k + 50µs) %s; no task started after a cancel (%.0f) %s\n",
			impl, cells(lat), verdict(lat[1] < 1000), verdict(lat[2] <= 3*lat[0]+50), late, verdict(late == 0))
	}
}

// streamTarget: poolgen's Stream heap independent of input length (rule: the
// heap held at 10M inputs at most twice, or 1 MiB above, that at 100k —
// growth of even 0.1 byte per input would break it). The sampled peak is shown
// beside it.
func streamTarget(b *bytes.Buffer, res *results) {
	const bench, impl = "StreamHeap", "poolgen-stream"
	small, ok1 := res.median(bench, "inputs=100000", impl, "held-B")
	large, ok2 := res.median(bench, "inputs=10000000", impl, "held-B")
	if !ok1 || !ok2 {
		fmt.Fprintf(b, "- %s: no result\n", bench)
		return
	}
	ok := large <= max(2*small, small+1<<20)
	peakSmall, _ := res.median(bench, "inputs=100000", impl, "peak-live-B")
	peakLarge, _ := res.median(bench, "inputs=10000000", impl, "peak-live-B")
	fmt.Fprintf(b, "- %s, heap independent of input length (held at 10M ≤ max(2×100k, 100k + 1 MiB)): held %s B at 100k, %s B at 10M inputs (sampled peak live: %s B, %s B): %s\n",
		bench, cell(small, true), cell(large, true), cell(peakSmall, true), cell(peakLarge, true), verdict(ok))
}

// cells joins values as "a / b / c".
func cells(vs []float64) string {
	var s []string
	for _, v := range vs {
		s = append(s, cell(v, true))
	}
	return strings.Join(s, " / ")
}

// deadlineTarget (issue 14, point 3): Map and Stream with a per-input
// deadline that does not fire at most 2x the same call without one, at 1M
// inputs.
func deadlineTarget(b *bytes.Buffer, res *results) {
	const bench = "Deadlines"
	fmt.Fprintf(b, "- %s: a per-input deadline that does not fire, at most 2x the same call without one at 1M inputs:\n", bench)
	for _, call := range []string{"map", "stream"} {
		base, ok := res.median(bench, "", call, "ns/item")
		if !ok {
			fmt.Fprintf(b, "  - %s: no result\n", call)
			continue
		}
		for _, opt := range []string{"timeout", "tasktimeout"} {
			impl := call + "-" + opt
			if v, ok := res.median(bench, "", impl, "ns/item"); ok {
				fmt.Fprintf(b, "  - %s: %s ns/item, %.2fx %s (%s ns/item): %s\n", impl, cell(v, true), v/base, call, cell(base, true), verdict(v <= 2*base))
			}
		}
	}
}
