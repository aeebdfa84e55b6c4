// Command poolvet reports waits in poolgen worker bodies that no context can
// interrupt. Run it on its own or through go vet:
//
//	poolvet ./...
//	go vet -vettool=$(command -v poolvet) ./...
//
// poolvet -fix applies the suggested fixes, then reports the problems left
// (those without a fix) and exits with status 3 when there are any, as a run
// without -fix does.
//
// poolvet -help prints the manual, which is the documentation of package
// github.com/poolgen/poolgen/poolvet.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/poolgen/poolgen/poolvet"
	"golang.org/x/tools/go/analysis/singlechecker"
)

// fixingEnv marks the run of poolvet that applies the fixes for another.
const fixingEnv = "POOLVET_APPLYING_FIXES"

func main() {
	if rest, fix := withoutFix(os.Args[1:]); fix && os.Getenv(fixingEnv) == "" && !underGoVet(rest) {
		// x/tools' checker (v0.52) applies the fixes of -fix, then prints
		// nothing and exits 0, however many problems without a fix remain:
		// a false green in CI. So one run applies the fixes, and this one
		// checks again without -fix, to report what is left.
		if code := applyFixes(os.Args[1:]); code != 0 {
			os.Exit(code)
		}
		os.Args = append(os.Args[:1], rest...)
	}
	singlechecker.Main(poolvet.Analyzer)
}

// applyFixes runs poolvet with args, which hold -fix, and returns its exit
// status.
func applyFixes(args []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "poolvet: %v\n", err)
		return 1
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), fixingEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return max(exit.ExitCode(), 1) // -1 when a signal ended it
	case err != nil:
		fmt.Fprintf(os.Stderr, "poolvet: %v\n", err)
		return 1
	}
	return 0
}

// withoutFix returns args without the flags that turn -fix on (-fix,
// --fix, -fix=true), and whether there was one. Arguments after "--" are
// left alone.
func withoutFix(args []string) (rest []string, fix bool) {
	for i, arg := range args {
		if arg == "--" {
			return append(rest, args[i:]...), fix
		}
		if isFix(arg) {
			fix = true
			continue
		}
		rest = append(rest, arg)
	}
	return rest, fix
}

// isFix reports whether arg is a flag that turns -fix on.
func isFix(arg string) bool {
	flag, ok := strings.CutPrefix(arg, "-")
	if !ok {
		return false
	}
	flag = strings.TrimPrefix(flag, "-")
	name, val, hasVal := strings.Cut(flag, "=")
	on, err := strconv.ParseBool(val)
	return name == "fix" && (!hasVal || err == nil && on)
}

// underGoVet reports whether go vet (or go fix) runs poolvet, with a
// configuration file as its last argument: the go command then applies the
// fixes and reports itself.
func underGoVet(args []string) bool {
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}
