/*
Poolgen writes typed Submit, Map and Stream wrappers, on the runtime package
github.com/poolgen/poolgen/runtime/pool, for the functions marked //poolgen:worker.

Usage:

	poolgen [-output file] [-check] [-tags list] [packages]

Install it as a tool of your module (Go 1.24 or later), which records and
pins its version in go.mod:

	go get -tool github.com/poolgen/poolgen/cmd/poolgen

Put a go:generate line in the package and mark its workers:

	//go:generate go tool poolgen

	//poolgen:worker
	func Resize(ctx context.Context, img Image, width int) (Image, error)

go generate then writes poolgen_gen.go next to it, with:

	type ResizeArgs struct{ Img Image; Width int }
	func SubmitResize(ctx context.Context, p *pool.Pool, img Image, width int) *pool.Future[Image]
	func MapResize(ctx context.Context, p *pool.Pool, args []ResizeArgs, opts ...pool.MapOption) ([]Image, error)
	func StreamResize(ctx context.Context, p *pool.Pool, args iter.Seq[ResizeArgs], opts ...pool.MapOption) iter.Seq2[Image, error]

The packages are the patterns of go list, such as ./...; with none, the
package in the current directory, which is the one go generate runs in
($GOFILE and $GOPACKAGE are not used: go/packages knows the package better).
Each package with workers gets one file in its directory; a package without
any gets none, and poolgen writes nothing, removes nothing and exits 0 there.
If poolgen's output from an earlier run is left in it (named like the output
and starting with its header, see Errors), a run warns about it and -check
fails on it, unless a file that the build constraints exclude holds a worker:
other tags may need it. A package
without any //poolgen: directive is not checked at all: it may even use
wrappers that the same run generates for another package (b calling
a.SubmitScale with ./...), and so may a package with workers. Test files are
not read. The generated file carries no build constraint: when workers sit in
files that only some -tags select, run poolgen with the tags you build with.

Flags:

	-output file  the generated file's name in each package directory (default poolgen_gen.go);
	              a .go file, not _test.go, not starting with _ or . (the go command ignores those)
	-check        write nothing; exit 1, showing a short diff, when a file is missing, stale or left over
	-tags list    comma-separated build tags, as for go build

# Workers

A worker takes a context.Context first. Its wrappers are named after it:
Submit<Name>, Map<Name>, Stream<Name>, and exported when it is. Generated
names spell initialisms in one case, as Go does (golint's list), in each
camelCase word: a worker fetchUrl gets submitFetchURL, a parameter userId the
field UserID.

  - Map and Stream take one element per call. With several inputs the element is
    <Name>Args, a struct whose fields are the capitalized parameter names (Arg0,
    Arg1, … for unnamed or _ ones, counting after the ctx, and for names that
    capitalizing does not export, such as _a or 日本); with one input, its
    type; with none, struct{}. A variadic parameter is a slice there, and stays
    variadic in Submit. Two inputs or results that would get the same field
    are an error, even when one field is poolgen's choice: a and A, a
    method's parameter recv and its receiver (Recv), a parameter arg1 next to
    an unnamed one (Arg1), a result r0 next to an unnamed one (R0). Rename one.
  - A call yields its result; several results (besides a final error) come in
    <Name>Result, with fields named like Args' (R0, R1, … when unnamed); no result
    yields struct{}. A worker without an error result never fails itself. Only
    a final error fails a call, so an error result before the last one, as in
    (error, T), is an error.
  - A worker lives in a file that is not a test: poolgen loads a package
    without its _test.go files, and a directive there is an error.
  - Generic workers get generic wrappers and structs, with the same type
    parameters; a blank one (func (s *Stack[_]) Len) or one that would hide
    a name the wrappers use (func F[F any]) gets a fresh name (T, F1).
  - Methods: the worker's <Name> is the receiver's type name then the method name
    (Service.Fetch gives SubmitServiceFetch). The receiver is the first input:
    the first parameter of Submit after p, and the field Recv of the Args struct
    (or the element itself when the method has no other parameter). The
    wrappers are exported when both the method and its type are.
  - The wrappers' own parameters and locals (ctx, p, args, opts, …) are renamed
    when a worker's parameter, import or package-level name would clash; a
    worker parameter is renamed in Submit only when it would hide a name the
    wrapper needs.

# Options

Options follow the directive on the same line:

	//poolgen:worker name=Thumb timeout=5s

isolate=process runs each call in a child process; see Process mode below.

name=X replaces <Name> in every generated name (exported or not as the worker
is; for an exported worker X must start with a letter that has an upper case). timeout=D puts each call, of Submit and of each Map or Stream element, under
a deadline D from the moment it starts; when D passes, its waiter gets
context.DeadlineExceeded at once even if the worker ignores its ctx. The
wrappers call pool.SubmitWithin and pass pool.Timeout(D) before the caller's
options (which may override it), so the runtime abandons such a call as it
does for TaskTimeout: its worker's slot goes to a fresh goroutine, within the
pool's cap, and Stats counts it. nocontext accepts a worker without a ctx parameter: its
running call cannot be stopped, though every wait for it still can;
nocontext with timeout= is an error.

init=F gives each pool worker its own receiver of a method; see Per-worker
receivers below.

# Per-worker receivers

init=F on a method of *T builds the receiver once per pool worker, on the
worker's first call, with F, a function of the same package of type
func(ctx context.Context) (*T, error) (Python's Pool(initializer=…)): a
database connection, a compressor, a loaded model.

	func NewClient(ctx context.Context) (*Client, error)

	//poolgen:worker init=NewClient
	func (c *Client) Fetch(ctx context.Context, url string) (string, error)

The wrappers keep the <Type><Method> names and take no receiver:

	var clientLocal = pool.NewLocal(NewClient)
	func SubmitClientFetch(ctx context.Context, p *pool.Pool, url string) *pool.Future[string]
	func MapClientFetch(ctx context.Context, p *pool.Pool, args []string, opts ...pool.MapOption) ([]string, error)

Each call gets its worker's *Client with clientLocal.Get(ctx), the call's
ctx, then calls Fetch on it. A worker runs one call at a time, so its *Client
is never used by two calls at once; a worker that replaces another builds its
own, and a *Client that is an io.Closer is closed when its worker exits (Close
of the pool returns nil only after that). An error from NewClient fails that
call alone: the next call on the worker calls NewClient again. Methods with
the same init function share one Local, so one *Client per worker serves them
all; its var is named after the type (clientLocal, or clientLocal1 when that
name is taken). init= on a function, with nocontext, on a method of a
value receiver or of a generic type, or naming a function of another
signature is an error. With isolate=process, NewClient runs in the child
process, once per child, and the receiver never crosses the process boundary.

# Process mode

isolate=process runs each call of the worker in a child process: the same
binary, started again by the pool, so a call that ignores its ctx (a tight
loop, a cgo call) can still be stopped, by killing its child.

	//poolgen:worker isolate=process
	func Render(ctx context.Context, scene Scene) (Image, error)

The wrappers are the same; besides them the file declares

	var renderProcess = pool.RegisterProcess("example.com/render.Render", func(ctx context.Context, arg Scene) (Image, error) { … })

which registers the worker under a stable name, its import path and name
(importpath.Type.Method for a method), when the package initializes, in the
parent and in every child alike. SubmitRender calls renderProcess.Call, which
sends the name and the encoded argument (the Args struct, the one input, or
struct{}{}) to a child, where the same registration finds the function;
MapRender and StreamRender call renderProcess.Map and renderProcess.Stream,
which do the same with several calls queued in each child, so that a child
does not wait for the parent between two calls (with timeout=, they call
renderProcess.Call for each element through pool.Map and pool.Stream). That
is why RegisterProcess and ProcessFunc are exported from the runtime: a
closure cannot cross a process boundary, a name and an encodable value can,
and the generated code is what names them.

The program's main (and a test package's TestMain) must call
pool.ProcessMain() as its first statement: in a child it serves tasks and
never returns. Workers(n) bounds the children; pool.ProcessGrace(d) is how
long a cancelled call's child may take to return before it is killed (1s by
default); pool.MaxTasksPerWorker(n) replaces a child after n calls. A child
that dies during a call fails that call alone with a *pool.WorkerExitError;
the calls queued behind it had not started, and run in a fresh child.

Inputs and results travel with encoding/gob, so poolgen rejects, at the input
or result and naming the field, a channel, a func, an unsafe.Pointer or an
unexported struct field (which gob would drop) anywhere in them, unless the
type holding it encodes itself (gob.GobEncoder or encoding.BinaryMarshaler,
on the type or its pointer); and generic workers. With init=, the receiver is
built in the child and need not be encodable.
Interface values need gob.Register of their dynamic types. timeout= applies
in the parent, and the deadline reaches the child's ctx.

# Errors

Problems are printed as file:line:col: message, all of them, sorted; then
poolgen exits with status 1 and writes nothing. Usage errors exit with status 2.
A package with syntax errors gets those alone, as go build prints them.

poolgen ignores its own previous output when it loads a package (a file named
like the output with the line "// Code generated by poolgen. DO NOT EDIT."
before its package clause, after nothing but comments such as a license
header, which is Go's rule for generated files):
it reads the file as its package clause alone, and hides it from the go
command when that clause is missing or stale (a file cut short, a renamed
package); type errors in it, and uses of the names it declares elsewhere,
are not errors. So a stale or broken generated file never blocks
regenerating it. poolgen rewrites such a file whole (a license header above
the line is not kept), never overwrites a file without that line (and never
removes one), and writes
through a temporary file in the same directory (named with a leading dot,
which the go command ignores), renamed into place, so an interrupted run
never leaves a file cut short. Since poolgen loads a package without its
output, a worker's signature cannot use a type that poolgen generates (G
taking FResult): while loading, that type does not exist, and poolgen says so.
The same holds, within one run, for a type generated for another package that
the run loads (c's worker taking a.ScaleArgs with ./...): run poolgen on a,
then on c alone, where a comes with its generated file.

# Checking in CI

	go tool poolgen -check ./...

exits 1, naming each stale file with a short diff, and each generated file
left in a package without workers, when go generate was not run after a
change; 0 when everything is fresh.
*/
package main
