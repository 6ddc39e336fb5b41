//go:build linux

package envi

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rssFile returns the process's resident file-backed memory in bytes
// (RssFile in /proc/self/status).
func rssFile(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// TestReadBlockBoundedResidentSet: reading a 64 MiB cube in 8-line blocks
// leaves its pages out of the process's resident set, so memory does not
// grow with the cube.
func TestReadBlockBoundedResidentSet(t *testing.T) {
	dir := t.TempDir()
	const lines, samples, bands = 256, 256, 256 // 64 MiB of float32
	hp := filepath.Join(dir, "big.hdr")
	h := Header{Samples: samples, Lines: lines, Bands: bands}
	w, err := Create(hp, h)
	if err != nil {
		t.Fatal(err)
	}
	line := make([]float32, samples*bands)
	for l := range lines {
		line[0] = float32(l)
		if err := w.WriteLines(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(hp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dst := make([]float32, 8*samples*bands)
	before := rssFile(t)
	peak := before
	for l := 0; l < lines; l += 8 {
		if err := c.ReadBlock(l, 8, nil, dst); err != nil {
			t.Fatal(err)
		}
		if dst[0] != float32(l) {
			t.Fatalf("line %d: %v", l, dst[0])
		}
		peak = max(peak, rssFile(t))
	}
	t.Logf("after whole-line pass: +%d KiB", (peak-before)>>10)
	// A band window (a quarter of the bands) maps and releases only its
	// runs.
	window := make([]int, bands/4)
	for i := range window {
		window[i] = 100 + i
	}
	for l := 0; l < lines; l += 8 {
		if err := c.ReadBlock(l, 8, window, dst); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, rssFile(t))
	}
	const cube = lines * samples * bands * 4
	if grow := peak - before; grow > cube/8 {
		t.Errorf("resident file memory grew by %d bytes reading a %d-byte cube", grow, cube)
	}
	t.Logf("RssFile grew by at most %d KiB reading %d MiB", (peak-before)>>10, cube>>20)
}
