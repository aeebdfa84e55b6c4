#!/usr/bin/env bash
# Runs every benchmark of the bench module in one go test run (-count 5, or
# COUNT) and writes RESULTS.md: medians, ratios to the baseline, the machine,
# the date and the targets of issues 5 and 14, met or not. Takes about 5
# minutes on 2 cores, 8 to 10 with COUNT=10.
#
#   bench/run.sh                 measure the runtime of the working tree (../)
#   POOLGEN_ROOT=dir bench/run.sh  measure the poolgen checkout in dir instead
#                                (e.g. /tmp/poolgen-<commit> from `git archive`
#                                while ../ is mid-edit and does not compile)
#   COUNT=1 bench/run.sh         a quicker, rougher run
set -euo pipefail
cd "$(dirname "$0")"

count=${COUNT:-5}
gobin=$(go env GOBIN) # where go install puts benchstat: GOBIN, else GOPATH/bin
benchstat=$(command -v benchstat || echo "${gobin:-$(go env GOPATH)/bin}/benchstat")
if [ ! -x "$benchstat" ]; then # a fresh machine: install it before the long run, not after
	go install golang.org/x/perf/cmd/benchstat@latest
fi
raw=results.txt
stat=$(mktemp)
trap 'rm -f "$stat"' EXIT

commit="bench/ at $(git -C .. rev-parse --short HEAD)"
if [ -n "${POOLGEN_ROOT:-}" ]; then
	work=$(mktemp -d)
	trap 'rm -f "$stat"; rm -rf "$work"' EXIT
	printf 'go 1.26.0\n\nuse %s\n\nreplace github.com/poolgen/poolgen => %s\n' "$PWD" "$POOLGEN_ROOT" >"$work/go.work"
	export GOWORK=$work/go.work
	commit="$commit, poolgen (runtime/) from $POOLGEN_ROOT"
elif [ -n "$(git -C .. status --porcelain -- runtime)" ]; then
	commit="$commit, with uncommitted changes in runtime/"
else
	commit="$commit, runtime/ as committed"
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
go test -run '^$' -bench . -benchtime 300ms -count "$count" -timeout 30m . | tee "$raw"
took=$(($(date +%s) - start))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# A skipped sub-benchmark prints "0 NaN ns/op", on which benchstat runs out of
# memory: it sees only the lines with numbers.
grep -v 'NaN ns/op' "$raw" >"$stat.in"
"$benchstat" -col /impl "$stat.in" >"$stat"
rm -f "$stat.in"
go run ./internal/report -in "$raw" -benchstat "$stat" -out RESULTS.md \
	-go "$(go version)" -commit "$commit" -date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	-cores "$(nproc) cores, GOMAXPROCS ${GOMAXPROCS:-$(nproc)}" \
	-took "$((took / 60))m$((took % 60))s" -load "$load_before before, $load_after after (1, 5, 15 min)"
# Process mode is measured against Python by python/compare.sh, by hand: its
# section is kept in python/RESULTS.md and appended here, as are the sections
# measured by hand on the flagship example and on cluster mode.
for f in python/RESULTS.md results-hashtree.md results-cluster.md; do
	printf '\n' >>RESULTS.md
	cat "$f" >>RESULTS.md
done
echo "wrote RESULTS.md (run took ${took}s)"
