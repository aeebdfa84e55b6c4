// Command poolvet reports waits in poolgen worker bodies that no context can
// interrupt. Run it on its own or through go vet:
//
//	poolvet ./...
//	go vet -vettool=$(command -v poolvet) ./...
//
// What it reports, how deep it looks and how to silence a report are in the
// documentation of package github.com/poolgen/poolgen/gen/vet.
package main

import (
	"github.com/poolgen/poolgen/gen/vet"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(vet.Analyzer) }
