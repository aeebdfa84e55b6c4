// Command poolvet reports waits in poolgen worker bodies that no context can
// interrupt. Run it on its own or through go vet:
//
//	poolvet ./...
//	go vet -vettool=$(command -v poolvet) ./...
//
// poolvet -help prints the manual, which is the documentation of package
// github.com/poolgen/poolgen/poolvet.
package main

import (
	"github.com/poolgen/poolgen/poolvet"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(poolvet.Analyzer) }
