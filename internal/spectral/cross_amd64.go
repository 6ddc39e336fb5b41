package spectral

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAVX2 selects the assembly kernel: AVX2 and FMA, with the OS saving
// the YMM registers (which x/sys/cpu checks).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// crossTile4x16 is crossTileGo in AVX2/FMA assembly: a and b point to
// x[0][i0] and x[0][j0], stride is a row's length in bytes, c points to
// the tile's crossTile float64 totals.
//
//go:noescape
func crossTile4x16(a, b *float32, k, stride int, c *float64)

func crossTileAsm(x []float32, i0, j0, k, pp int, c []float64) {
	_ = x[(k-1)*pp+j0+crossCols-1]
	_ = c[crossTile-1]
	crossTile4x16((*float32)(unsafe.Pointer(&x[i0])), (*float32)(unsafe.Pointer(&x[j0])), k, pp*4, &c[0])
}

// setAVX2 switches the assembly kernel on or off (tests, benchmarks).
func setAVX2(on bool) { useAVX2 = on && cpu.X86.HasAVX2 && cpu.X86.HasFMA }
