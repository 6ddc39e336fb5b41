package sim

import (
	"bytes"
	"io"
	"math"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/adsb"
	"github.com/vigia/vigia/internal/geo"
)

// TestTraffic decodes a synthetic load with internal/feed/adsb: every
// squitter after each aircraft's first yields a position within CPR
// resolution of where the load put it, in time order.
func TestTraffic(t *testing.T) {
	l := Traffic{Aircraft: 50, Positions: 8, Interval: 500 * time.Millisecond, FirstICAO: 0xA10000,
		Origin: geo.LatLon{Lat: 31.0, Lon: -111.0}, Spacing: 0.01, Speed: 200, Altitude: 6000}
	frames := l.Frames()
	if len(frames) != 400 {
		t.Fatalf("%d frames", len(frames))
	}
	var stream bytes.Buffer
	for i, f := range frames {
		if i > 0 && f.Ticks < frames[i-1].Ticks {
			t.Fatalf("frame %d out of time order", i)
		}
		stream.Write(f.Beast)
	}
	opts := adsb.DefaultOptions()
	opts.Start = time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	r := adsb.NewReader(&stream, adsb.FormatBeast, adsb.NewDecoder(opts))
	var m adsb.Message
	n := 0
	for {
		err := r.Next(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p, ok := m.Position()
		if !ok {
			continue
		}
		// Position n belongs to the frame at the same time.
		var f *Frame
		for i := range frames {
			if opts.Start.Add(time.Duration(float64(frames[i].Ticks)/TicksPerSecond*1e9)).Sub(p.Time).Abs() < time.Microsecond {
				f = &frames[i]
			}
		}
		if f == nil {
			t.Fatalf("position at %v matches no frame", p.Time)
		}
		if math.Abs(float64(p.Lat-f.Lat)) > 1e-4 || math.Abs(float64(p.Lon-f.Lon)) > 1e-4 {
			t.Fatalf("position %v,%v, want %v,%v", p.Lat, p.Lon, f.Lat, f.Lon)
		}
		n++
	}
	if n < 350 {
		t.Fatalf("%d positions decoded of 400 squitters", n)
	}
}
