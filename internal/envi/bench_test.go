package envi

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Benchmark cube: 600 samples × 425 bands (an AVIRIS-NG line), lines
// chosen so that each cube holds 255 MiB of float32 output.
const (
	benchSamples = 600
	benchBands   = 425
	benchBlock   = 16 // lines per ReadBlock
)

// writeBenchCube writes a cube of float32 output size ~255 MiB in the given
// type (Float32 little-endian or Int16 big-endian) and interleave, with
// radiance-like values, straight to bytes.
func writeBenchCube(b *testing.B, dir string, dt DataType, il Interleave) (hdr string, lines int) {
	b.Helper()
	lines = 256
	big := dt == Int16
	sz := dt.Size()
	hdr = filepath.Join(dir, fmt.Sprintf("bench_%s_%s.hdr", dt, il))
	order := 0
	if big {
		order = 1
	}
	text := fmt.Sprintf("ENVI\nsamples = %d\nlines = %d\nbands = %d\nheader offset = 0\ndata type = %d\ninterleave = %s\nbyte order = %d\n",
		benchSamples, lines, benchBands, int(dt), il, order)
	if err := os.WriteFile(hdr, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("bench_%s_%s.img", dt, il)))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	// Every interleave is written as runs of benchSamples values; the
	// values only need to look like radiance, not to sit in order.
	run := make([]byte, benchSamples*sz)
	for i := range lines * benchBands {
		for s := range benchSamples {
			v := 100 + float64((i*7+s*13)%997)/10
			if big {
				binary.BigEndian.PutUint16(run[2*s:], uint16(int16(v*10)))
			} else {
				binary.LittleEndian.PutUint32(run[4*s:], math.Float32bits(float32(v)))
			}
		}
		if _, err := f.Write(run); err != nil {
			b.Fatal(err)
		}
	}
	return hdr, lines
}

// BenchmarkReadBlock reads a whole ~255 MiB (as float32) cube in blocks of
// 16 lines × all 425 bands; one op is the whole cube and the bytes are the
// float32 values delivered. The page cache is warm (the cube was just
// written); pages are released after each block as in production.
func BenchmarkReadBlock(b *testing.B) {
	dir := b.TempDir()
	for _, dt := range []DataType{Float32, Int16} {
		for _, il := range []Interleave{BIL, BSQ, BIP} {
			name := fmt.Sprintf("%s_%s", dt, il)
			if dt == Int16 {
				name += "_bigendian"
			}
			b.Run(name, func(b *testing.B) {
				hdr, lines := writeBenchCube(b, dir, dt, il)
				defer os.Remove(hdr)
				c, err := Open(hdr)
				if err != nil {
					b.Fatal(err)
				}
				defer func() { c.Close(); os.Remove(c.DataPath()) }()
				dst := make([]float32, benchBlock*benchBands*benchSamples)
				b.SetBytes(int64(lines) * benchBands * benchSamples * 4)
				b.ReportAllocs()
				for b.Loop() {
					for l := 0; l < lines; l += benchBlock {
						if err := c.ReadBlock(l, benchBlock, nil, dst); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// BenchmarkReadBlockWindow reads an 80-band window (bands 250–329, the
// methane window of a 425-band sensor) of the float32 BIL cube, as the
// matched filter does; bytes are the float32 values delivered.
func BenchmarkReadBlockWindow(b *testing.B) {
	hdr, lines := writeBenchCube(b, b.TempDir(), Float32, BIL)
	c, err := Open(hdr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	window := make([]int, 80)
	for i := range window {
		window[i] = 250 + i
	}
	dst := make([]float32, benchBlock*len(window)*benchSamples)
	b.SetBytes(int64(lines) * int64(len(window)) * benchSamples * 4)
	b.ReportAllocs()
	for b.Loop() {
		for l := 0; l < lines; l += benchBlock {
			if err := c.ReadBlock(l, benchBlock, window, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReadBlockReadAt reads the float32 BIL cube through the
// portable ReadAt path (pread into a buffer, then convert) instead of the
// mapping: the comparison for the mapped reader.
func BenchmarkReadBlockReadAt(b *testing.B) {
	hdr, lines := writeBenchCube(b, b.TempDir(), Float32, BIL)
	c, err := Open(hdr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := unmapFile(c.data); err != nil {
		b.Fatal(err)
	}
	c.data = nil
	dst := make([]float32, benchBlock*benchBands*benchSamples)
	b.SetBytes(int64(lines) * benchBands * benchSamples * 4)
	b.ReportAllocs()
	for b.Loop() {
		for l := 0; l < lines; l += benchBlock {
			if err := c.ReadBlock(l, benchBlock, nil, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAnchorCopy is the anchor for BenchmarkReadBlock: copying the
// same 255 MiB from memory in the same blocks (memmove speed, the ceiling
// for a native-order float32 read).
func BenchmarkAnchorCopy(b *testing.B) {
	const lines = 256
	src := make([]float32, lines*benchBands*benchSamples)
	for i := range src {
		src[i] = float32(i % 1000)
	}
	block := benchBlock * benchBands * benchSamples
	dst := make([]float32, block)
	b.SetBytes(int64(len(src)) * 4)
	b.ReportAllocs()
	for b.Loop() {
		for o := 0; o < len(src); o += block {
			copy(dst, src[o:o+block])
		}
	}
}
