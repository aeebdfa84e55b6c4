package main

import (
	"bufio"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// A result is one benchmark line: its name split into the benchmark, the keys
// other than impl (the row), the impl (the column) and its metrics.
type result struct {
	bench, row, impl string
	metrics          map[string]float64
}

// results holds every run of every sub-benchmark and the header lines.
type results struct {
	cpu  string
	runs map[string][]result // by bench + "\x00" + row + "\x00" + impl
	// order of first appearance of groups (bench+row) and of impls in each
	groups []string
	impls  map[string][]string
}

// parse reads the text format of go test -bench.
func parse(r io.Reader) (*results, error) {
	res := &results{runs: map[string][]result{}, impls: map[string][]string{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.cpu = cpu
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		r := result{metrics: map[string]float64{}}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // the -GOMAXPROCS suffix
		}
		parts := strings.Split(name, "/")
		r.bench = strings.TrimPrefix(parts[0], "Benchmark")
		var row []string
		for _, p := range parts[1:] {
			if v, ok := strings.CutPrefix(p, "impl="); ok {
				r.impl = v
			} else {
				row = append(row, p)
			}
		}
		r.row = strings.Join(row, "/")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			r.metrics[f[i+1]] = v
		}
		group := r.bench + "\x00" + r.row
		if _, ok := res.impls[group]; !ok {
			res.groups = append(res.groups, group)
		}
		if !slices.Contains(res.impls[group], r.impl) {
			res.impls[group] = append(res.impls[group], r.impl)
		}
		key := group + "\x00" + r.impl
		res.runs[key] = append(res.runs[key], r)
	}
	return res, sc.Err()
}

// median returns the median of metric over the runs of bench/row/impl, and
// false when there is none.
func (res *results) median(bench, row, impl, metric string) (float64, bool) {
	var vs []float64
	for _, r := range res.runs[bench+"\x00"+row+"\x00"+impl] {
		if v, ok := r.metrics[metric]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
	return vs[len(vs)/2], true
}

// max returns the largest value of metric over the runs of bench/row/impl.
func (res *results) max(bench, row, impl, metric string) (float64, bool) {
	m, ok := 0.0, false
	for _, r := range res.runs[bench+"\x00"+row+"\x00"+impl] {
		if v, has := r.metrics[metric]; has && (!ok || v > m) {
			m, ok = v, true
		}
	}
	return m, ok
}

// count returns how many runs bench/row/impl has.
func (res *results) count(bench, row, impl string) int {
	return len(res.runs[bench+"\x00"+row+"\x00"+impl])
}

// runsPer returns the most runs a sub-benchmark has: the -count of the run.
func (res *results) runsPer() int {
	n := 0
	for _, rs := range res.runs {
		n = max(n, len(rs))
	}
	return n
}
