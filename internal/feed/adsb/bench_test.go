package adsb

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// benchStream decodes data (repeated passes of the 2,000 real frames of
// the pyModeS sample) from bytes to messages and positions, reporting
// messages per second. One Reader and Decoder serve all iterations, as
// on a live feed: the per-message work allocates nothing.
func benchStream(b *testing.B, data []byte, frames int, format Format) {
	d := NewDecoder(nil)
	src := bytes.NewReader(data)
	r := NewReader(src, format, d)
	var m Message
	var msgs, pos int
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(data)
		r.Reset(src)
		for {
			err := r.Next(&m)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			msgs++
			if m.Has&HasPosition != 0 {
				pos++
			}
		}
	}
	if msgs != frames*b.N {
		b.Fatalf("%d messages, want %d", msgs, frames*b.N)
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msg/s")
	b.ReportMetric(float64(pos)/float64(msgs), "pos/msg")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(msgs), "ns/msg")
}

func BenchmarkAVR(b *testing.B) {
	frames := pymodesFrames(b)
	b.Run("timestamped", func(b *testing.B) { benchStream(b, encode(frames, FormatAVR, true), len(frames), FormatAVR) })
	b.Run("plain", func(b *testing.B) { benchStream(b, encode(frames, FormatAVR, false), len(frames), FormatAVR) })
}

func BenchmarkBeast(b *testing.B) {
	frames := pymodesFrames(b)
	benchStream(b, encode(frames, FormatBeast, true), len(frames), FormatBeast)
}

// BenchmarkDecode is the decoder alone on already framed frames.
func BenchmarkDecode(b *testing.B) {
	frames := pymodesFrames(b)
	d := NewDecoder(nil)
	var m Message
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := range frames {
			d.Decode(&frames[i], &m)
		}
		n += len(frames)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msg/s")
}

// BenchmarkPyModeSAnchor runs the anchor the issue names, pyModeS v3
// (pure Python, one core), on the same 2,000 frames, so that
// docs/BENCHMARKS.md can give a ratio from one run on one machine. It
// needs python3 and PYMODES_SRC naming a pyModeS v3 source tree
// (github.com/junzis/pyModeS, directory src); otherwise it is skipped.
// Run with -benchtime 1x: the script times 7 runs itself.
func BenchmarkPyModeSAnchor(b *testing.B) {
	src := os.Getenv("PYMODES_SRC")
	py, err := exec.LookPath("python3")
	if src == "" || err != nil {
		b.Skip("set PYMODES_SRC to a pyModeS v3 src directory (and install python3) to run the anchor")
	}
	var rate float64
	for b.Loop() {
		cmd := exec.Command(py, "testdata/pymodes_anchor.py", "testdata/pymodes_sample_data_adsb.csv")
		cmd.Env = append(os.Environ(), "PYTHONPATH="+src)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		rate, err = strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			b.Fatalf("anchor output %q", out)
		}
	}
	b.ReportMetric(rate, "msg/s")
	b.ReportMetric(1e9/rate, "ns/msg")
}
