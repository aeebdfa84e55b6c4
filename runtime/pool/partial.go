package pool

import (
	"slices"
)

// PartialError is the error of a Map (or ProcessFunc.Map) that returned
// before every input had run: at the first failure, when its ctx ended, when
// the pool stopped. It wraps what ended it, a *TaskError or the ctx's error,
// so errors.Is and errors.As see through it, and it tells which inputs
// finished: their results are in the slice Map returned, and the rest hold
// zero values that are not results.
//
//	out, err := pool.Map(ctx, p, in, fn)
//	var pe *pool.PartialError
//	if errors.As(err, &pe) {
//		for i := range out {
//			if pe.Finished(i) { ... out[i] is input i's result ... }
//		}
//	}
//
// A Map whose every input ran has no PartialError: with CollectErrors its
// error is then the errors.Join of every *TaskError, and input i finished
// unless one of them names it. Keeping track costs nothing while inputs
// succeed: what did not finish is worked out when Map ends early.
//
// With CollectErrors, the inputs that failed before Map ended early (when
// its ctx ended, say) are in Failures, so a Ctrl+C loses no report of them.
type PartialError struct {
	Err      error        // what ended Map early
	Failures []*TaskError // the inputs that had failed by then, in input order
	n        int          // the inputs
	missing  []span       // the inputs that did not finish, by lo; or
	done     []uint64     // when not nil, a bit per input, set when it finished
}

// span is the inputs lo..hi-1.
type span struct{ lo, hi int }

// newDoneBits returns a bit per input of n, for a PartialError's done.
func newDoneBits(n int) []uint64 { return make([]uint64, (n+63)/64) }

// setDone sets input i's bit in done.
func setDone(done []uint64, i int) { done[i/64] |= 1 << (i % 64) }

// Error returns the message of the error that ended Map.
func (e *PartialError) Error() string { return e.Err.Error() }

// Unwrap returns the error that ended Map.
func (e *PartialError) Unwrap() error { return e.Err }

// Finished reports whether input i ran to the end and returned a nil error,
// its result being in the slice that Map returned.
func (e *PartialError) Finished(i int) bool {
	if i < 0 || i >= e.n {
		return false
	}
	if e.done != nil {
		return e.done[i/64]&(1<<(i%64)) != 0
	}
	for _, s := range e.missing {
		if s.lo <= i && i < s.hi {
			return false
		}
	}
	return true
}

// newPartialError returns the PartialError of n inputs of which those in
// missing did not finish, and the inputs that errs name failed.
func newPartialError(err error, n int, missing []span, errs []error) *PartialError {
	fs := failures(errs)
	for _, te := range fs {
		missing = append(missing, span{te.Index, te.Index + 1})
	}
	slices.SortFunc(missing, func(a, b span) int { return a.lo - b.lo })
	return &PartialError{Err: err, Failures: fs, n: n, missing: missing}
}

// failures returns the *TaskError of errs in input order.
func failures(errs []error) []*TaskError {
	var fs []*TaskError
	for _, e := range errs {
		if te, ok := e.(*TaskError); ok {
			fs = append(fs, te)
		}
	}
	slices.SortFunc(fs, func(a, b *TaskError) int { return a.Index - b.Index })
	return fs
}

// claim claims up to size inputs for r, lo..hi-1, taking first from those an
// expired loop left; lo == hi when none is left.
func (j *mapJob[I, O]) claim(r *mapRunner[I, O], size int) (lo, hi int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if k := len(j.spare); k > 0 && !j.over.Load() {
		s := &j.spare[k-1]
		lo, hi = s.lo, min(s.lo+size, s.hi)
		if s.lo = hi; s.lo == s.hi {
			j.spare = j.spare[:k-1]
		}
	} else {
		n := int64(len(j.in))
		next := j.next.Add(int64(size)) - int64(size)
		lo, hi = int(min(next, n)), int(min(next+int64(size), n))
	}
	r.pending = span{lo, hi}
	return lo, hi
}

// partial returns err, the error that ends the job, as a *PartialError
// unless every input has finished; inputs from claimed on were never
// claimed. j.mu must be held.
func (j *mapJob[I, O]) partial(err error, claimed int) error {
	if err == nil || j.finished == len(j.in) {
		return err
	}
	var missing []span
	if claimed < len(j.in) {
		missing = append(missing, span{claimed, len(j.in)})
	}
	for _, r := range j.runners {
		if r.pending.lo < r.pending.hi {
			missing = append(missing, r.pending)
		}
	}
	missing = append(missing, j.spare...)
	return newPartialError(err, len(j.in), missing, j.errs) // j.errs has every failure
}
