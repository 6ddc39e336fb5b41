package airspace

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestOrientMatchesRational checks the filtered predicate against exact
// rational arithmetic on inputs built to be nearly or exactly collinear,
// where a plain float64 determinant gets the sign wrong.
func TestOrientMatchesRational(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	wrongFloat := 0
	for i := 0; i < 200000; i++ {
		ax, ay := rng.Float64()*360-180, rng.Float64()*180-90
		bx, by := rng.Float64()*360-180, rng.Float64()*180-90
		var cx, cy float64
		switch i % 4 {
		case 0: // a point on the segment, rounded to float64
			f := rng.Float64()
			cx, cy = ax+f*(bx-ax), ay+f*(by-ay)
		case 1: // a few ulps off that point
			f := rng.Float64()
			cx = ax + f*(bx-ax)
			cy = math.Nextafter(ay+f*(by-ay), math.Inf(int(rng.IntN(2))*2-1))
		case 2: // exactly collinear: the points on a grid of 1e-5°
			g := func() float64 { return float64(rng.IntN(3600000)-1800000) / 1e5 }
			ax, ay = g(), g()/2
			k := float64(rng.IntN(7) + 1)
			bx, by = ax+k*0.5, ay+k*0.25
			cx, cy = ax+2*k*0.5, ay+2*k*0.25
		default:
			cx, cy = rng.Float64()*360-180, rng.Float64()*180-90
		}
		got := orient(ax, ay, bx, by, cx, cy)
		want := orientBig(ax, ay, bx, by, cx, cy)
		if got != want {
			t.Fatalf("orient(%v,%v, %v,%v, %v,%v) = %d, want %d", ax, ay, bx, by, cx, cy, got, want)
		}
		if naive := (bx-ax)*(cy-ay) - (by-ay)*(cx-ax); sign(naive) != want {
			wrongFloat++
		}
	}
	if wrongFloat == 0 {
		t.Fatal("no input was hard for the plain float64 determinant: the test does not exercise the fallback")
	}
	t.Logf("plain float64 determinant wrong on %d of 200000 inputs; orient right on all", wrongFloat)
}

func TestOrientExactTinyAndHuge(t *testing.T) {
	cases := [][6]float64{
		{0, 0, 1e-300, 1e-300, 2e-300, 2e-300},
		{0, 0, 5e-324, 0, 1e-323, 0},
		{0, 0, 5e-324, 5e-324, 1, 1 + 2.220446049250313e-16},
		{1e300, 1e300, -1e300, -1e300, 0, 1e-300},
	}
	for _, c := range cases {
		if got, want := orientExact(c[0], c[1], c[2], c[3], c[4], c[5]), orientBig(c[0], c[1], c[2], c[3], c[4], c[5]); got != want {
			t.Errorf("orientExact%v = %d, want %d", c, got, want)
		}
	}
}

func TestOrientExactDoesNotAllocate(t *testing.T) {
	ax, ay, bx, by := -117.12345, 32.5, -116.98765, 32.71
	cx, cy := ax+0.3*(bx-ax), ay+0.3*(by-ay)
	if n := testing.AllocsPerRun(100, func() { orientExact(ax, ay, bx, by, cx, cy) }); n != 0 {
		t.Fatalf("orientExact allocates %v times per call", n)
	}
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
