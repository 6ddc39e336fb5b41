//go:build !amd64

package spectral

// useAVX2 is false off amd64: the portable kernel runs.
var useAVX2 = false

func crossTileAsm(x []float32, i0, j0, k, pp int, c []float64) {
	crossTileGo(x, i0, j0, k, pp, c)
}

// setAVX2 does nothing off amd64 (tests, benchmarks).
func setAVX2(bool) {}
