package main

import (
	"bytes"
	"testing"
)

// TestOutsideAModuleSaysSoInOneLine runs poolgen in a directory that no
// go.mod holds, with the default pattern and with ./...: one line says what is
// wrong and what to do, and the exit status is 1.
func TestOutsideAModuleSaysSoInOneLine(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"x.go": []byte("package x\n")})
	want := "poolgen: no go.mod found in " + dir + " or its parents; run poolgen inside a module (go mod init)\n"
	for _, args := range [][]string{nil, {"./..."}} {
		var stdout, stderr bytes.Buffer
		exit := exitCode(runIn(dir, args, &stdout, &stderr))
		if exit != 1 || stderr.String() != want {
			t.Errorf("poolgen %v: exit %d, stderr:\n%s\nwant exit 1, stderr:\n%s", args, exit, stderr.String(), want)
		}
	}
}
