package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileReplacesWholeAndLeavesNothingElse checks that writeFile
// replaces the file, keeps its mode, and leaves no temporary file behind.
func TestWriteFileReplacesWholeAndLeavesNothingElse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "poolgen_gen.go")
	if err := os.WriteFile(path, []byte("old, longer than the new content\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if src, err := os.ReadFile(path); err != nil || string(src) != "new\n" {
		t.Errorf("file holds %q, %v; want %q", src, err, "new\n")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1: %v", len(entries), entries)
	}
}
