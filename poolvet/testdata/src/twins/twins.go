// Package twins: calls with a context-taking twin, and their fixes.
package twins

import (
	"context"
	"database/sql"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strings"

	"github.com/poolgen/poolgen/runtime/pool"
)

//poolgen:worker
func Fetch(ctx context.Context, url string) error {
	http.Get(url)                              // want `http.Get sends a request no ctx can cancel and ctx cannot stop it: build it with http.NewRequestWithContext\(ctx, ...\) and send it with a client's Do`
	http.Post(url, "text/plain", nil)          // want `http.Post sends`
	http.Head(url)                             // want `http.Head sends`
	http.PostForm(url, nil)                    // want `http.PostForm sends`
	http.DefaultClient.Get(url)                // want `http.Get sends`
	req, _ := http.NewRequest("GET", url, nil) // want `http.NewRequest cannot be cancelled and ctx cannot stop it: call http.NewRequestWithContext\(ctx, ...\), which takes a ctx`
	req, _ = http.NewRequestWithContext(ctx, "GET", url, nil)
	_, err := http.DefaultClient.Do(req)
	return err
}

//poolgen:worker
func Run(ctx context.Context, name string) error {
	return exec.Command(name, "-v").Run() // want `exec.Command cannot be cancelled and ctx cannot stop it: call exec.CommandContext\(ctx, ...\), which takes a ctx`
}

//poolgen:worker
func Dial(ctx context.Context, addr string) error {
	c, err := net.Dial("tcp", addr) // want `net.Dial cannot be cancelled and ctx cannot stop it: call \(&net.Dialer{}\).DialContext\(ctx, ...\)`
	if err != nil {
		return err
	}
	var d net.Dialer
	d.Dial("tcp", addr) // want `\(\*net.Dialer\).Dial cannot be cancelled .* call DialContext\(ctx, ...\)`
	return c.Close()
}

//poolgen:worker
func Query(ctx context.Context, db *sql.DB, q string) error {
	db.Query(q)      // want `\(\*sql.DB\).Query cannot be cancelled and ctx cannot stop it: call QueryContext\(ctx, ...\)`
	db.Exec(q, 1, 2) // want `\(\*sql.DB\).Exec cannot`
	db.QueryRow(q)   // want `\(\*sql.DB\).QueryRow cannot`
	db.Ping()        // want `\(\*sql.DB\).Ping cannot`
	tx, _ := db.Begin()
	tx.Exec(q)     // want `\(\*sql.Tx\).Exec cannot`
	tx.QueryRow(q) // want `\(\*sql.Tx\).QueryRow cannot`
	conn, _ := db.Conn(ctx)
	conn.ExecContext(ctx, q)
	return tx.Commit()
}

// Store has a method with a twin; the general rule finds it through types.
type Store struct{}

func (*Store) Load(key string, n int) (string, error) { return "", nil }

func (*Store) LoadContext(ctx context.Context, key string, n int) (string, error) { return "", nil }

// Save's twin takes other parameters: no twin.
func (*Store) Save(key string) {}

func (*Store) SaveContext(ctx context.Context, key string, force bool) {}

// Loader is an interface with a twin.
type Loader interface {
	Load(key string, n int) (string, error)
	LoadContext(ctx context.Context, key string, n int) (string, error)
}

// Lookup is a package function with a twin.
func Lookup(name string) string { return name }

// LookupContext is Lookup that ctx can cancel.
func LookupContext(ctx context.Context, name string) string { return name }

//poolgen:worker
func General(ctx context.Context, s *Store, l Loader) (string, error) {
	s.Load("k", 1) // want `\(\*twins.Store\).Load cannot be cancelled and ctx cannot stop it: call LoadContext\(ctx, ...\)`
	l.Load("k", 2) // want `twins.Loader.Load cannot`
	s.Save("k")
	Lookup("x") // want `twins.Lookup cannot be cancelled and ctx cannot stop it: call twins.LookupContext\(ctx, ...\)`
	strings.ToUpper("x")
	slog.Info("no twin report for slog")
	slog.Default().Info("nor for its Logger")
	return s.LoadContext(ctx, "k", 3)
}

// A shadowed or unnamed ctx gets the report and no fix.
func shadow(c context.Context, p *pool.Pool) {
	pool.Submit(c, p, func(ctx context.Context) (int, error) {
		if ctx := context.Background(); ctx != nil {
			return 0, exec.Command("true").Run() // want `exec.Command cannot be cancelled`
		}
		return 0, exec.Command("true").Run() // want `exec.Command cannot be cancelled and ctx cannot stop it: call exec.CommandContext\(ctx, ...\)`
	})
	pool.Submit(c, p, func(context.Context) (int, error) {
		return 0, exec.Command("true").Run() // want `exec.Command cannot be cancelled`
	})
	pool.Submit(c, p, func(_ context.Context) (int, error) {
		return 0, exec.Command("true").Run() // want `exec.Command cannot be cancelled`
	})
}
