package main

import (
	"context"
	"math/cmplx"
)

// tile is a square of the Mandelbrot set's picture to render: its corner
// in the complex plane, its side, and its resolution.
type tile struct {
	Index  int
	Re, Im float64 // the lower left corner
	Side   float64
	Pixels int // per side
	Iter   int // the most iterations per pixel
}

// rendered is what rendering a tile learns: how many of its pixels are in the
// set, and the iterations it took.
type rendered struct {
	Index  int
	Inside int
	Iters  int64
}

// renderTile renders t in a worker process of the cluster, row by row,
// checking ctx between rows, so that a cancel stops it within one row.
//
//poolgen:worker isolate=process
func renderTile(ctx context.Context, t tile) (rendered, error) {
	r := rendered{Index: t.Index}
	step := t.Side / float64(t.Pixels)
	for y := range t.Pixels {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		for x := range t.Pixels {
			c := complex(t.Re+float64(x)*step, t.Im+float64(y)*step)
			n := escape(c, t.Iter)
			r.Iters += int64(n)
			if n == t.Iter {
				r.Inside++
			}
		}
	}
	return r, nil
}

// escape returns the iterations of z² + c before |z| > 2, at most max.
func escape(c complex128, max int) int {
	z := complex(0, 0)
	for i := range max {
		if cmplx.Abs(z) > 2 {
			return i
		}
		z = z*z + c
	}
	return max
}

// tiles cuts the picture of [-2, 1] × [-1.5, 1.5] into n × n tiles.
func tiles(n, pixels, iter int) []tile {
	side := 3.0 / float64(n)
	ts := make([]tile, 0, n*n)
	for i := range n * n {
		ts = append(ts, tile{Index: i, Re: -2 + float64(i%n)*side, Im: -1.5 + float64(i/n)*side, Side: side, Pixels: pixels, Iter: iter})
	}
	return ts
}
