package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/poolgen/poolgen/gen"
)

//go:embed doc.go
var docFile string

// manual is the package comment of doc.go, which -help prints.
func manual() string {
	_, after, _ := strings.Cut(docFile, "/*\n")
	text, _, _ := strings.Cut(after, "*/")
	return text
}

const usage = "usage: poolgen [-output file] [-check] [-tags list] [packages]\nRun 'poolgen -help' for the manual.\n"

// flags are the parsed command line.
type flags struct {
	output   string
	check    bool
	tags     string
	patterns []string
}

// errHelp is parseFlags' answer to -help.
var errHelp = errors.New("help")

// parseFlags parses args; a usage error is reported on stderr and returned as errUsage.
func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("poolgen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.output, "output", gen.DefaultOutput, "the generated file's name in each package directory")
	fs.BoolVar(&f.check, "check", false, "write nothing; exit 1 if a generated file is missing or stale")
	fs.StringVar(&f.tags, "tags", "", "comma-separated build tags")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return f, errHelp
	case err != nil:
	default:
		err = checkOutput(f.output)
	}
	if err != nil {
		fmt.Fprintf(stderr, "poolgen: %v\n%s", err, usage)
		return f, errUsage
	}
	f.patterns = fs.Args()
	return f, nil
}

// checkOutput reports whether name is a file name that the go command builds
// with the package: no directory, a .go suffix, not a test file, and no
// leading _ or . (the go command ignores such files).
func checkOutput(name string) error {
	switch {
	case name != filepath.Base(name) || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go"):
		return fmt.Errorf("-output %q: want a file name ending in .go (not _test.go), without a directory", name)
	case strings.HasPrefix(name, "_") || strings.HasPrefix(name, "."):
		return fmt.Errorf("-output %q: the go command ignores a file whose name starts with _ or .", name)
	}
	return nil
}

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr)))
}

// exitCode is the exit status for run's error: 0, 2 for usage errors, else 1.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}
