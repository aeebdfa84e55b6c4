package bench

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// A HeapSampler records the peak of the heap while a workload runs, from a
// goroutine that reads runtime/metrics every millisecond and forces a GC every
// 10ms.
//
// It keeps two peaks. Live is the heap the last GC found reachable
// (/gc/heap/live:bytes), the honest measure of what a pool keeps alive. It
// moves only at the end of a GC cycle, and a workload that allocates little
// triggers none, hence the forced GCs: they cost every contender alike, a few
// percent of its time. In-use (/memory/classes/heap/objects:bytes)
// also counts garbage not yet swept, so it follows the GC's pacing as much as
// the workload. Both are reported above what was live when the sampler
// started.
type HeapSampler struct {
	stop, done  chan struct{}
	base        uint64
	live, inuse uint64
}

var heapMetrics = []string{"/gc/heap/live:bytes", "/memory/classes/heap/objects:bytes"}

// StartHeapSampler runs a GC, so that the starting point is what is really
// live, and starts sampling.
func StartHeapSampler() *HeapSampler {
	runtime.GC()
	s := &HeapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	s.base = samples[0].Value.Uint64()
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for i := 1; ; i++ {
			if i%10 == 0 {
				runtime.GC()
			}
			metrics.Read(samples)
			s.live = max(s.live, samples[0].Value.Uint64())
			s.inuse = max(s.inuse, samples[1].Value.Uint64())
			select {
			case <-tick.C:
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peaks of the live and in-use heap, in
// bytes above the live heap at the start.
func (s *HeapSampler) Stop() (live, inuse uint64) {
	close(s.stop)
	<-s.done
	return sub(s.live, s.base), sub(s.inuse, s.base)
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// afterGC runs a GC, which also finishes sweeping, and returns the memory
// statistics: HeapAlloc is then the live heap.
func afterGC() runtime.MemStats {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}
