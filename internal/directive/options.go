package directive

import (
	"fmt"
	"go/token"
	"iter"
	"strings"
	"time"
)

// Options are the options of one //poolgen:worker directive. A malformed
// option is left at its zero value.
type Options struct {
	Name      string        // name=: replaces the worker's name in generated names
	Timeout   time.Duration // timeout=: a deadline on each call; 0 for none
	NoContext bool          // nocontext: the worker takes no context.Context
	Process   bool          // isolate=process: each call runs in a child process
	Init      string        // init=: the function each pool worker builds a method's receiver with

	// At maps each option's key, as written ("name", "timeout", "nocontext",
	// "isolate", "init"), to its position, for errors about it.
	At map[string]token.Position
}

// knownOptions is how errors list the options a directive accepts.
const knownOptions = "init=, isolate=process, name=, nocontext, timeout="

// Parse parses the options after //poolgen:worker in text, a comment at pos,
// and returns an error for each malformed, unknown or repeated option,
// positioned at the option it is about.
func Parse(text string, pos token.Position) (Options, []Error) {
	opts := Options{At: map[string]token.Position{}}
	var errs []Error
	for off, field := range fields(text[len(Worker):], len(Worker)) {
		at := pos
		at.Column += off
		at.Offset += off
		key, _, _ := strings.Cut(field, "=")
		if _, dup := opts.At[key]; dup {
			errs = append(errs, Error{Pos: at, Msg: "duplicate option " + field})
			continue
		}
		opts.At[key] = at
		if msg := opts.set(field); msg != "" {
			errs = append(errs, Error{Pos: at, Msg: msg})
		}
	}
	return opts, errs
}

// set sets the option field, written key or key=value, and returns what is
// wrong with it, or "" when nothing is.
func (o *Options) set(field string) string {
	key, val, hasVal := strings.Cut(field, "=")
	switch {
	case key == "name" && (!token.IsIdentifier(val) || val == "_"):
		return "option " + field + ": the name must be a Go identifier, as in name=Thumb"
	case key == "name":
		o.Name = val
	case key == "init" && (!token.IsIdentifier(val) || val == "_"):
		return "option " + field + ": the init function must be named by a Go identifier, as in init=NewClient"
	case key == "init":
		o.Init = val
	case key == "timeout":
		var msg string
		o.Timeout, msg = parseTimeout(field, val)
		return msg
	case key == "nocontext" && hasVal:
		return "option nocontext takes no value"
	case key == "nocontext":
		o.NoContext = true
	case key == "isolate" && val != "process":
		return "option " + field + ": the only isolation is isolate=process"
	case key == "isolate":
		o.Process = true
	default:
		return fmt.Sprintf("unknown option %q (known options: %s)", field, knownOptions)
	}
	return ""
}

// parseTimeout parses the value of timeout=, which must be a positive Go
// duration; it returns 0 and what is wrong otherwise.
func parseTimeout(field, val string) (time.Duration, string) {
	d, err := time.ParseDuration(val)
	switch {
	case err != nil:
		return 0, "malformed option " + field + ": want a Go duration such as 5s or 1m30s"
	case d <= 0:
		return 0, "option " + field + ": the timeout must be positive"
	}
	return d, ""
}

// fields splits s into space-separated fields, yielding each field's byte
// offset (plus base) in the whole comment.
func fields(s string, base int) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i := 0; i < len(s); {
			if s[i] == ' ' || s[i] == '\t' {
				i++
				continue
			}
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
			if !yield(base+i, s[i:j]) {
				return
			}
			i = j
		}
	}
}
