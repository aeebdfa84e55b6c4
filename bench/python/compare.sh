#!/bin/sh
# Per-task overhead of poolgen's process mode, next to goroutine mode and
# Python's multiprocessing.Pool.map, on the same tiny task (n+1), two workers.
# Run from anywhere: sh bench/python/compare.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
echo "# poolgen (runtime/pool BenchmarkProcessOverhead on Workers(2): goroutine = Map; process = ProcessFunc.Map, what generated Map wrappers call; process-call = Map with a ProcessFunc.Call per item; process-stream = ProcessFunc.Stream)"
(cd "$root" && go test -run '^$' -bench 'BenchmarkProcessOverhead' -benchtime=20000x -count=5 ./runtime/pool) | grep '^Benchmark'
echo "# Python $(python3 -c 'import sys; print(sys.version.split()[0])') multiprocessing.Pool(2).map"
for i in 1 2 3 4 5; do python3 "$here/pool_overhead.py" -workers 2 -n 20000 -runs 1; done
