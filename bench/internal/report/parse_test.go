package main

import (
	"strings"
	"testing"
)

func TestParseGroupsByRowAndImpl(t *testing.T) {
	const out = `cpu: AMD EPYC
BenchmarkCancelLatency/queued=1000/impl=channel-pool-2   	 1	 100 ns/op	 5.0 µs/cancel
BenchmarkCancelLatency/queued=1000/impl=channel-pool-2   	 1	 100 ns/op	 9.0 µs/cancel
BenchmarkCancelLatency/queued=1000/impl=channel-pool-2   	 1	 100 ns/op	 7.0 µs/cancel
BenchmarkCancelLatency/queued=1000/impl=poolgen-map-2    	 1	 100 ns/op	 3.0 µs/cancel
`
	res, err := parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if res.cpu != "AMD EPYC" {
		t.Errorf("cpu = %q", res.cpu)
	}
	if got := res.impls["CancelLatency\x00queued=1000"]; strings.Join(got, ",") != "channel-pool,poolgen-map" {
		t.Errorf("impls = %v", got)
	}
	if m, _ := res.median("CancelLatency", "queued=1000", "channel-pool", "µs/cancel"); m != 7 {
		t.Errorf("median = %v, want 7", m)
	}
	if m, _ := res.max("CancelLatency", "queued=1000", "channel-pool", "µs/cancel"); m != 9 {
		t.Errorf("max = %v, want 9", m)
	}
}
