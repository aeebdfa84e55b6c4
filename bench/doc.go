// Package bench compares poolgen's runtime with a hand-written channel pool and
// with the peer pools users weigh it against: ants, pond, conc and errgroup.
//
// It is a module of its own, so the main module never depends on a peer. The
// benchmarks live in the _test.go files, one file per question; run them all in
// one go test run (run.sh does, and writes RESULTS.md) so that the ratios hold on
// a noisy machine:
//
//	go test -run '^$' -bench . -count 5 | tee new.txt
//	benchstat -col /impl new.txt
//
// Every sub-benchmark is named impl=<contender>, so benchstat puts the
// contenders in columns, the baseline first.
package bench
