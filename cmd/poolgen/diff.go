package main

import (
	"fmt"
	"strings"
)

// maxDiffLines bounds each side of a short diff.
const maxDiffLines = 10

// shortDiff shows where old and new differ: the lines between their common
// beginning and common end, at most maxDiffLines of each.
func shortDiff(old, new []byte) string {
	a := strings.SplitAfter(string(old), "\n")
	b := strings.SplitAfter(string(new), "\n")
	start := 0
	for start < len(a) && start < len(b) && a[start] == b[start] {
		start++
	}
	ea, eb := len(a), len(b)
	for ea > start && eb > start && a[ea-1] == b[eb-1] {
		ea--
		eb--
	}
	var s strings.Builder
	fmt.Fprintf(&s, "@@ line %d @@\n", start+1)
	side(&s, "-", a[start:ea])
	side(&s, "+", b[start:eb])
	return s.String()
}

// side writes lines with prefix, cut after maxDiffLines.
func side(s *strings.Builder, prefix string, lines []string) {
	for i, l := range lines {
		if i == maxDiffLines {
			fmt.Fprintf(s, "%s… %d more lines\n", prefix, len(lines)-i)
			return
		}
		s.WriteString(prefix + strings.TrimSuffix(l, "\n") + "\n")
	}
}
