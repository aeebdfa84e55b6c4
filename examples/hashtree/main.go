// Hashtree hashes (SHA-256) and gzip-measures every regular file under a
// directory, in parallel, with wrappers that poolgen generates from the
// //poolgen:worker function hashFile. By default it reads $(go env GOROOT)/src,
// which is wherever Go is. It gzips with github.com/klauspost/compress/gzip at
// level 6, compress/gzip's default level, several times faster than
// compress/gzip: the sizes it reports differ from compress/gzip's by a few
// percent.
//
// The summary goes to stdout: files, bytes, throughput, the ten largest files,
// the best and worst compression ratios (of files of 1 KiB or more), and the
// files that failed; -json gives it as JSON with every file's result. Progress
// goes to stderr: a bar when stderr is a terminal, else a line "hashtree: N of
// M files" every half second.
//
// Ctrl+C stops it at once: it prints the summary of what finished, "interrupted
// after N of M files", and exits with status 130. A second Ctrl+C exits at once.
// It never writes into the tree it reads. Other exit statuses: 1 when a file
// could not be read or took longer than -timeout, 2 for a bad flag.
//
// Usage:
//
//	hashtree [-dir path] [-workers n] [-timeout d] [-json]
package main

//go:generate go tool poolgen

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/poolgen/poolgen/runtime/pool"
)

func main() {
	ctx, stop := pool.InterruptContext(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are hashtree's flags.
type options struct {
	dir     string
	workers int
	timeout time.Duration
	json    bool
}

// run is hashtree without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("hashtree", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o options
	fl.StringVar(&o.dir, "dir", "", "the directory to hash (default $(go env GOROOT)/src)")
	fl.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "files hashed at once")
	fl.DurationVar(&o.timeout, "timeout", time.Minute, "the longest one file may take")
	fl.BoolVar(&o.json, "json", false, "print the results as JSON on stdout")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "hashtree: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	if o.dir == "" {
		root, err := goroot()
		if err != nil {
			fmt.Fprintf(stderr, "hashtree: %v\n", err)
			return 1
		}
		o.dir = filepath.Join(root, "src")
	}
	files, err := listFiles(ctx, o.dir)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "hashtree: %v\n", err)
		return 1
	}
	// Interrupted while listing, files holds what was found so far; Map returns
	// at once on the done ctx and the summary says "interrupted after 0 of N".

	p := pool.New(ctx, pool.Workers(o.workers), pool.TaskTimeout(o.timeout))
	prog := newProgress(stderr, len(files))
	began := time.Now()
	results, err := mapHashFile(ctx, p, files, pool.CollectErrors(), pool.Progress(prog.update))
	elapsed := time.Since(began)
	prog.finish()
	// Tasks that ignore their ctx would be abandoned here; hashFile does not.
	closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	p.Close(closeCtx)

	r := summarize(o.dir, files, results, err, elapsed)
	r.Interrupted = ctx.Err() != nil // only InterruptContext cancels ctx
	if o.json {
		r.writeJSON(stdout)
	} else {
		r.writeText(stdout)
	}
	switch {
	case r.Interrupted:
		return 130
	case len(r.Failed) > 0:
		return 1
	}
	return 0
}

// listFiles returns the regular files under dir, in lexical order. When ctx
// ends first it returns the files found so far with ctx's cause.
func listFiles(ctx context.Context, dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// goroot asks the go command for GOROOT, which is where `go run` found it.
func goroot() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("finding the default directory, $(go env GOROOT)/src: %v; pass -dir", err)
	}
	return strings.TrimSpace(string(out)), nil
}
