"""Per-task overhead of multiprocessing.Pool.map on a tiny task.

Runs Pool(workers).map(tiny, range(n)) with chunksize=1 and with the default
chunksize, several times each, and prints the median wall time per task in
microseconds, one line per variant, in the format of Go benchmarks so that
bench/python/compare.sh can print them next to poolgen's figures:

    BenchmarkPythonPoolMap/chunksize=1    <n>    <ns> ns/op

Usage: python3 pool_overhead.py [-workers 2] [-n 20000] [-runs 5]
"""

import argparse
import multiprocessing
import statistics
import time


def tiny(x):
    """The task: as small as a task gets, so that only the pool's cost shows."""
    return x + 1


def per_task_ns(pool, n, chunksize):
    start = time.perf_counter_ns()
    if chunksize is None:
        out = pool.map(tiny, range(n))
    else:
        out = pool.map(tiny, range(n), chunksize=chunksize)
    elapsed = time.perf_counter_ns() - start
    assert out[-1] == n
    return elapsed / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-workers", type=int, default=2)
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("-runs", type=int, default=5)
    args = ap.parse_args()
    with multiprocessing.Pool(args.workers) as pool:
        pool.map(tiny, range(100), chunksize=1)  # start the workers before timing
        for name, chunksize in (("chunksize=1", 1), ("chunksize=default", None)):
            runs = [per_task_ns(pool, args.n, chunksize) for _ in range(args.runs)]
            print(f"BenchmarkPythonPoolMap/{name}-{args.workers}\t{args.n}\t{statistics.median(runs):.0f} ns/op")


if __name__ == "__main__":
    main()
