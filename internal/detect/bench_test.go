package detect

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/sim/scene"
)

// The speed benchmark runs on an AVIRIS-NG-sized scene: 1000 lines × 600
// samples × 425 bands of float32 BIL (1.02 GB), about 10 s of flight. It
// is simulated once into $VIGIA_BENCH_DIR (default
// $TMPDIR/vigia-bench-scene) and reused while its header and size match;
// bench.sh makes it with "vigia simulate scene".
const (
	benchLines, benchSamples, benchBands = 1000, 600, 425
	// sensorRate is the sensor's real-time rate, pixels per second: an
	// AVIRIS-NG-class pushbroom of 600 samples at 100 lines per second.
	sensorRate = 60000
)

var benchOnce struct {
	sync.Once
	hdr string
	err error
}

// benchScene returns the header path of the benchmark cube, simulating it
// if needed.
func benchScene(b *testing.B) string {
	benchOnce.Do(func() {
		dir := os.Getenv("VIGIA_BENCH_DIR")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "vigia-bench-scene")
		}
		hdr := filepath.Join(dir, scene.RadianceFile)
		want := int64(benchLines) * benchSamples * benchBands * 4
		if st, err := os.Stat(filepath.Join(dir, "radiance.img")); err == nil && st.Size() == want {
			if _, err := os.Stat(filepath.Join(dir, scene.TruthJSON)); err == nil {
				benchOnce.hdr = hdr
				return
			}
		}
		o := scene.DefaultOptions()
		o.Lines, o.Samples, o.Bands, o.Seed = benchLines, benchSamples, benchBands, 1
		s, err := scene.New(o)
		if err != nil {
			benchOnce.err = err
			return
		}
		start := time.Now()
		if err := s.Write(context.Background(), dir, false); err != nil {
			benchOnce.err = err
			return
		}
		b.Logf("simulated %s in %v", hdr, time.Since(start).Round(time.Millisecond))
		benchOnce.hdr = hdr
	})
	if benchOnce.err != nil {
		b.Fatal(benchOnce.err)
	}
	return benchOnce.hdr
}

// vmHWM returns the process's peak resident set (VmHWM), bytes.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkDetect measures Detect end to end on the AVIRIS-NG-sized cube
// (reading, flare mask, statistics, filter, apply, plumes, GeoTIFFs,
// GeoJSON, quicklook): column mode with the 80-band methane window and
// with all 425 bands. It reports pixels/s, the multiple of the sensor's
// real-time rate (60,000 pixels/s), the apply pass alone (from the
// progress reports of its blocks) and the peak RSS.
func BenchmarkDetect(b *testing.B) {
	hdr := benchScene(b)
	for _, bc := range []struct {
		name    string
		windows [][2]float64
	}{{"column/window2100-2500", nil}, {"column/all425", [][2]float64{{300, 2600}}}} {
		b.Run(bc.name, func(b *testing.B) {
			o := DefaultOptions()
			o.Cube = hdr
			o.Out = b.TempDir()
			o.Filter.Windows = bc.windows
			o.Plume.WindSpeed = 3
			var mu sync.Mutex
			var stamps []time.Time
			var dones []int
			var total int
			o.Progress = func(done, tot int) {
				mu.Lock()
				stamps = append(stamps, time.Now())
				dones = append(dones, done)
				total = tot
				mu.Unlock()
			}
			var sum *Summary
			var apply float64
			b.ReportAllocs()
			for b.Loop() {
				stamps, dones = stamps[:0], dones[:0]
				r, err := Run(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				sum = r.Summary
				// The apply pass is the last: from its first block's
				// report to its last, scaled to all lines.
				first := -1
				for i, d := range dones {
					if d > total-benchLines {
						first = i
						break
					}
				}
				if first >= 0 && first < len(dones)-1 {
					lines := float64(dones[len(dones)-1] - dones[first])
					sec := stamps[len(stamps)-1].Sub(stamps[first]).Seconds()
					apply = lines * benchSamples / sec
				}
			}
			px := float64(benchLines * benchSamples)
			b.SetBytes(int64(px) * int64(sum.BandsUsed) * 4)
			rate := px * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "pixels/s")
			b.ReportMetric(rate/sensorRate, "x-realtime")
			b.ReportMetric(apply, "apply-pixels/s")
			b.ReportMetric(float64(sum.BandsUsed), "bands")
			b.ReportMetric(vmHWM()/(1<<20), "peak-RSS-MiB")
		})
	}
}
