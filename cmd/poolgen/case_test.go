package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected files of testdata/*.txtar")

// A testCase is one testdata/*.txtar archive. Its comment says how to run
// poolgen ("poolgen <args>", default no args), the exit status it must end
// with ("exit <n>", default 0) and the input files it must remove ("removes
// <file>…"). Its files are the input, written in a package directory of a
// module shared by all cases (module example.com/e2e, directory <case name>),
// and under want/ what must be there after the run: every file poolgen writes,
// and want/stderr. Every other file must be left as it was, and every Go
// file written must be gofmt-clean.
type testCase struct {
	name    string
	path    string
	ar      *txtar.Archive
	args    []string
	exit    int
	removes []string
	input   map[string][]byte
	want    map[string][]byte
	stderr  string
}

// readCases reads every testdata/*.txtar archive.
func readCases(t *testing.T) []*testCase {
	paths, err := filepath.Glob("../../testdata/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	var cases []*testCase
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c := &testCase{name: strings.TrimSuffix(filepath.Base(path), ".txtar"), path: path, ar: ar,
			input: map[string][]byte{}, want: map[string][]byte{}}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			f := strings.Fields(line)
			switch {
			case len(f) > 0 && f[0] == "poolgen":
				c.args = f[1:]
			case len(f) == 2 && f[0] == "exit":
				c.exit, _ = strconv.Atoi(f[1])
			case len(f) > 1 && f[0] == "removes":
				c.removes = f[1:]
			}
		}
		for _, f := range ar.Files {
			if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
				c.want[name] = f.Data
			} else {
				c.input[f.Name] = f.Data
			}
		}
		c.stderr = string(c.want["stderr"])
		delete(c.want, "stderr")
		cases = append(cases, c)
	}
	return cases
}

// newModule makes the module the cases run in and returns its directory.
func newModule(t testing.TB) string {
	root := t.TempDir()
	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gomod := fmt.Sprintf("module example.com/e2e\n\ngo 1.26.0\n\nrequire github.com/poolgen/poolgen v0.0.0\n\n"+
		"replace github.com/poolgen/poolgen => %s\n", checkout)
	sum, err := os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum})
	return root
}

// writeFiles writes files under dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every file under dir by its slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// check compares what a run of c in dir did with what c expects, and with
// -update rewrites c's archive to expect it.
func (c *testCase) check(t *testing.T, root, dir string, exit int, stderr string) {
	t.Helper()
	stderr = strings.ReplaceAll(stderr, root, "$WORK")
	if exit != c.exit {
		t.Errorf("exit status %d, want %d; stderr:\n%s", exit, c.exit, stderr)
	}
	got := readTree(t, dir)
	written := map[string][]byte{}
	for name, data := range got {
		if in, ok := c.input[name]; !ok || !bytes.Equal(in, data) {
			written[name] = data
		}
	}
	for name := range c.input {
		_, ok := got[name]
		if removes := slices.Contains(c.removes, name); !ok && !removes {
			t.Errorf("input file %s was removed", name)
		} else if ok && removes {
			t.Errorf("input file %s was not removed", name)
		}
	}
	for _, name := range sortedKeys(written) {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		if src, err := format.Source(written[name]); err != nil || !bytes.Equal(src, written[name]) {
			t.Errorf("%s is not gofmt-clean (%v)", name, err)
		}
	}
	if *update {
		c.rewrite(t, written, stderr)
		return
	}
	if diff := cmp.Diff(c.stderr, stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(stringMap(c.want), stringMap(written)); diff != "" {
		t.Errorf("files written (-want +got):\n%s", diff)
	}
}

// rewrite saves written and stderr as c's expectations.
func (c *testCase) rewrite(t *testing.T, written map[string][]byte, stderr string) {
	var files []txtar.File
	for _, f := range c.ar.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			files = append(files, f)
		}
	}
	for _, name := range sortedKeys(written) {
		files = append(files, txtar.File{Name: "want/" + name, Data: written[name]})
	}
	if stderr != "" {
		files = append(files, txtar.File{Name: "want/stderr", Data: []byte(stderr)})
	}
	c.ar.Files = files
	if err := os.WriteFile(c.path, txtar.Format(c.ar), 0o666); err != nil {
		t.Fatal(err)
	}
}

// stringMap makes file contents readable in diffs.
func stringMap(files map[string][]byte) map[string]string {
	m := map[string]string{}
	for k, v := range files {
		m[k] = string(v)
	}
	return m
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
