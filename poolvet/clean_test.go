package poolvet_test

import (
	"cmp"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/poolgen/poolgen/poolvet"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// TestNoReportsOnGoodCode runs poolvet over the repository's real workers —
// every example with its tests, and the runtime — and accepts exactly the
// reports listed in want, keyed by file (relative to the module root) and
// matched by message. examples/forever is Python's forever-sleeping worker,
// wrong on purpose: its time.Sleep is the one report, until the file carries
// a //poolvet:ignore with the reason, and then it has none. The runtime's own
// tests are not checked: they submit tasks that ignore their ctx on purpose,
// to test that the pool abandons them.
func TestNoReportsOnGoodCode(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and type-checks the examples and the runtime")
	}
	want := map[string][]string{
		"examples/forever/main.go": {`^time\.Sleep cannot be interrupted`},
	}
	for file := range want {
		src, err := os.ReadFile(filepath.Join("..", file))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "//poolvet:ignore ") {
			delete(want, file)
		}
	}
	got := map[string][]string{}
	for _, load := range []struct {
		tests    bool
		patterns []string
	}{
		{true, []string{"github.com/poolgen/poolgen/examples/..."}},
		{false, []string{"github.com/poolgen/poolgen/runtime/pool"}},
	} {
		for file, msgs := range reports(t, load.tests, load.patterns...) {
			got[file] = append(got[file], msgs...)
		}
	}
	for file, msgs := range got {
		if len(msgs) != len(want[file]) {
			t.Errorf("%s: %d reports, want %d:\n%s", file, len(msgs), len(want[file]), strings.Join(msgs, "\n"))
			continue
		}
		for i, msg := range msgs {
			if !regexp.MustCompile(want[file][i]).MatchString(msg) {
				t.Errorf("%s: report %q, want one matching %q", file, msg, want[file][i])
			}
		}
	}
	for file := range want {
		if got[file] == nil {
			t.Errorf("%s: no report, want %q", file, want[file])
		}
	}
}

// reports loads patterns from the module root, runs poolvet on them and
// returns each file's distinct messages, sorted by position: a report in a
// file that a test variant of its package repeats counts once.
func reports(t *testing.T, tests bool, patterns ...string) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: root, Tests: tests}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 || len(pkgs) == 0 {
		t.Fatalf("loading %v failed", patterns)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{poolvet.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	type report struct {
		line, col int
		msg       string
	}
	seen := map[string][]report{}
	for _, act := range graph.Roots {
		if act.Err != nil {
			t.Fatalf("%s: %v", act, act.Err)
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			file, err := filepath.Rel(root, pos.Filename)
			if err != nil {
				t.Fatal(err)
			}
			r := report{pos.Line, pos.Column, d.Message}
			if !slices.Contains(seen[file], r) {
				seen[file] = append(seen[file], r)
			}
		}
	}
	out := map[string][]string{}
	for file, rs := range seen {
		slices.SortFunc(rs, func(a, b report) int { return cmp.Or(a.line-b.line, a.col-b.col) })
		for _, r := range rs {
			out[file] = append(out[file], r.msg)
		}
	}
	return out
}
