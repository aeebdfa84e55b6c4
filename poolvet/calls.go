package poolvet

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// A callKind is what poolvet knows about a call's callee.
type callKind int

const (
	plainCall    callKind = iota // nothing: poolvet does not report it
	sleepCall                    // time.Sleep
	wgWaitCall                   // sync.WaitGroup.Wait
	condWaitCall                 // sync.Cond.Wait
	httpCall                     // http.Get and kin: no ctx can reach their request
	twinCall                     // a function or method with a twin that takes a ctx
)

// httpShortcuts are the net/http functions (and *http.Client methods) that
// send a request they build themselves, so no ctx can reach it.
var httpShortcuts = map[string]bool{"Get": true, "Head": true, "Post": true, "PostForm": true}

// classifyCall returns the function call calls, what kind of wait it is, and
// for a twinCall the twin's name as the fix writes it.
func classifyCall(pkg *types.Package, info *types.Info, call *ast.CallExpr) (*types.Func, callKind, string) {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil {
		return nil, plainCall, ""
	}
	path, name := pkgPath(fn), fn.Name()
	switch {
	case isFunc(fn, "time", "Sleep"):
		return fn, sleepCall, ""
	case isMethod(fn, "sync", "WaitGroup", "Wait"):
		return fn, wgWaitCall, ""
	case isMethod(fn, "sync", "Cond", "Wait"):
		return fn, condWaitCall, ""
	case path == "net/http" && httpShortcuts[name] && (fn.Signature().Recv() == nil || isMethod(fn, path, "Client", name)):
		return fn, httpCall, ""
	case isFunc(fn, "net/http", "NewRequest"):
		return fn, twinCall, "NewRequestWithContext"
	case isFunc(fn, "net", "Dial"):
		return fn, twinCall, dialerTwin
	case path == "log/slog":
		// slog's XContext twins hand ctx to handlers for its values; they
		// wait for nothing that ctx could cancel.
	default:
		if twin := contextTwin(pkg, fn); twin != nil {
			return fn, twinCall, twin.Name()
		}
	}
	return fn, plainCall, ""
}

// checkCall reports a call that waits with no ctx: time.Sleep,
// sync.WaitGroup.Wait, sync.Cond.Wait, or a call that has a twin taking a ctx.
func checkCall(k *walker, call *ast.CallExpr) {
	fn, kind, twin := classifyCall(k.r.pass.Pkg, k.info, call)
	switch kind {
	case sleepCall:
		k.reportf(call.Pos(), "time.Sleep cannot be interrupted and %[1]s cannot stop it: wait with t := time.NewTimer(d); select { case <-%[1]s.Done(): t.Stop(); return %[1]s.Err(); case <-t.C: }")
	case wgWaitCall:
		k.reportf(call.Pos(), "sync.WaitGroup.Wait cannot be interrupted and %[1]s cannot stop it: close a channel after Wait in a goroutine and select on it with a case <-%[1]s.Done(), or use errgroup.WithContext")
	case condWaitCall:
		k.reportf(call.Pos(), "sync.Cond.Wait cannot be interrupted and %[1]s cannot stop it: signal with a channel instead, and select on it with a case <-%[1]s.Done()")
	case httpCall:
		k.reportf(call.Pos(), "http."+fn.Name()+" sends a request no ctx can cancel and %[1]s cannot stop it: build it with http.NewRequestWithContext(%[1]s, ...) and send it with a client's Do")
	case twinCall:
		k.twinReport(call, fn, twin)
	}
}
