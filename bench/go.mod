module github.com/poolgen/poolgen/bench

go 1.26.0

require github.com/poolgen/poolgen v0.0.0

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/sourcegraph/conc v0.3.0
	golang.org/x/sync v0.25.0
)

require (
	github.com/dave/jennifer v1.7.1 // indirect
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

replace github.com/poolgen/poolgen => ../

tool github.com/poolgen/poolgen/cmd/poolgen
