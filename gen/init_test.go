package gen_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/poolgen/poolgen/gen"
	"github.com/poolgen/poolgen/gen/gentest"
)

const client = `package web

import "context"

type Client struct{}

func NewClient(ctx context.Context) (*Client, error) { return &Client{}, nil }

//poolgen:worker init=NewClient
func (c *Client) Fetch(ctx context.Context, url string) (string, error) { return url, nil }

//poolgen:worker init=NewClient
func (c *Client) Ping(ctx context.Context) error { return nil }
`

// TestBuildInitTakesTheReceiverOutOfTheInputs checks the model of init=
// methods: no receiver among the inputs, an Init saying how each worker gets
// it, and one Local for both methods, since they share NewClient.
func TestBuildInitTakesTheReceiverOutOfTheInputs(t *testing.T) {
	p, err := gentest.Check("example.com/web", map[string]string{"web.go": client})
	if err != nil {
		t.Fatal(err)
	}
	got, err := gen.Build(p, gen.DefaultOutput)
	if err != nil {
		t.Fatal(err)
	}
	wantLocals := []gen.Local{{Name: "clientLocal", Func: "NewClient", Type: "*Client", Users: []string{"Client.Fetch", "Client.Ping"}}}
	if diff := cmp.Diff(wantLocals, got.Locals); diff != "" {
		t.Errorf("Locals (-want +got):\n%s", diff)
	}
	fetch := got.Workers[0]
	wantInit := &gen.Init{Func: "NewClient", Local: "clientLocal", Recv: "c", Type: "*Client"}
	if diff := cmp.Diff(wantInit, fetch.Init); diff != "" {
		t.Errorf("Fetch's Init (-want +got):\n%s", diff)
	}
	if fetch.Recv != nil || len(fetch.Inputs()) != 1 || fetch.Names.Args != "" {
		t.Errorf("Fetch: Recv %v, inputs %v, Args %q; want the url alone", fetch.Recv, fetch.Inputs(), fetch.Names.Args)
	}
	if n := fetch.Names; n.Submit != "SubmitClientFetch" || n.Err != "err" || n.Zero != "zero" {
		t.Errorf("Fetch's names: Submit %q, Err %q, Zero %q", n.Submit, n.Err, n.Zero)
	}
}
