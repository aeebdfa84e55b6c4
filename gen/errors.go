package gen

import (
	"cmp"
	"fmt"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// An Error is one problem with the input, at a position in a source file.
type Error struct {
	Pos token.Position // Filename is absolute; an invalid position means "no position"
	Msg string         // what is wrong, without the position
}

// Error formats e as file:line:col: message.
func (e Error) Error() string {
	if !e.Pos.IsValid() && e.Pos.Filename == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// An ErrorList is every problem found in a run.
type ErrorList []Error

// Error joins the errors, one a line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Sort orders l by file, line, column and message, and drops repeated errors.
func (l ErrorList) Sort() ErrorList {
	slices.SortStableFunc(l, func(a, b Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Msg, b.Msg))
	})
	return slices.Compact(l)
}

// Err returns l sorted, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l.Sort()
}

// errorf appends an error at pos.
func (l *ErrorList) errorf(pos token.Position, format string, args ...any) {
	*l = append(*l, Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// parsePos parses the "file:line:col" (or "file:line", or "file") position
// strings of go/packages errors.
func parsePos(s string) token.Position {
	var p token.Position
	parts := strings.Split(s, ":")
	// Take numbers off the end, so that file names with colons survive.
	var nums []int
	for len(parts) > 1 && len(nums) < 2 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	p.Filename = strings.Join(parts, ":")
	if len(nums) > 0 {
		p.Line = nums[0]
	}
	if len(nums) > 1 {
		p.Column = nums[1]
	}
	return p
}
