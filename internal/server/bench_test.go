package server

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/sim"
)

var alertRate = flag.Float64("alert-rate", 100_000, "BenchmarkAlertLatency: squitters per second of the paced load")

// benchTraffic is the load of the end-to-end benchmarks: domestic aircraft
// flying north over Arizona and New Mexico, and crossing aircraft flying
// south across the border (parallel 31°20′ N) into Sonora without
// authorisation, each opening an alert; all with US addresses (operator
// USA). The crossing aircraft come in groups of 20 whose crossings are
// spread over the recording (group g crosses about 10 + 28·g s after the
// start); each aircraft sends one squitter per second.
func benchTraffic(domestic, crossing, positions int) []sim.Frame {
	a := sim.Traffic{Aircraft: domestic, Positions: positions, Interval: time.Second, FirstICAO: 0xA00000,
		Origin: geo.LatLon{Lat: 31.60, Lon: -110.9}, Spacing: 2.0 / geo.Degrees(max(domestic, 1)), Speed: 150, Altitude: 6000}
	fs := a.Frames()
	for g := 0; g*20 < crossing; g++ {
		n := min(20, crossing-20*g)
		lead := 10 + 28*float64(g%10) // seconds before the crossing
		b := sim.Traffic{Aircraft: n, Positions: positions, Interval: time.Second, FirstICAO: 0xA80000 + uint32(20*g),
			Origin:  geo.LatLon{Lat: geo.Degrees(31 + 20.0/60 + 150*lead/111_000), Lon: geo.Degrees(-110.85 + 0.09*float64(g))},
			Spacing: 0.004, South: true, Speed: 150, Altitude: 6000}
		fs = append(fs, b.Frames()...)
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Ticks < fs[j].Ticks })
	return fs
}

// newBenchServer starts a server on SQLite and the embedded NATS server with
// one listening Beast feed.
func newBenchServer(b *testing.B, ctx context.Context, http string) (*Server, chan error) {
	f, err := ParseFeed("beast+listen://127.0.0.1:0?name=load&start=2026-03-02T16:00:00Z")
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(ctx, Config{DataDir: b.TempDir(), Feeds: []Feed{f}, HTTP: http, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, false) }()
	return s, done
}

// waitAccounted waits until every position published is accounted and
// stored, and returns when that happened.
func waitAccounted(b *testing.B, ctx context.Context, s *Server, positions int) time.Time {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if int(s.Published()) >= positions {
			last, err := s.bus.LastSeq(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if s.Accounted() >= last {
				return time.Now()
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("published %d of %d, accounted %d", s.Published(), positions, s.Accounted())
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkEndToEnd measures the sustained rate from feed bytes to stored
// verdicts: a synthetic Beast recording (2,000 aircraft, 5 % of them
// crossing into Mexico unauthorised, 500 squitters each: a million
// positions) is written as fast as loopback TCP
// takes it into a listening feed of a fresh server (SQLite, embedded NATS,
// both cores); the clock stops when every position is tracked, judged and
// stored. Reported: positions/s (decoded positions; the first squitter of
// each aircraft only starts its CPR pair).
func BenchmarkEndToEnd(b *testing.B) {
	frames := benchTraffic(1900, 100, 500)
	var stream []byte
	for _, f := range frames {
		stream = append(stream, f.Beast...)
	}
	positions := len(frames) - 2000
	for b.Loop() {
		b.StopTimer()
		ctx, cancel := context.WithCancel(context.Background())
		s, done := newBenchServer(b, ctx, "")
		c, err := net.Dial("tcp", s.FeedAddr("load"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := c.Write(stream); err != nil {
			b.Fatal(err)
		}
		c.Close()
		t1 := waitAccounted(b, ctx, s, positions)
		b.StopTimer()
		b.ReportMetric(float64(positions)/t1.Sub(t0).Seconds(), "positions/s")
		if n := s.Published(); int(n) != positions {
			b.Fatalf("%d positions published, want %d", n, positions)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkAlertLatency measures the time from the arrival of the squitter
// that opens an alert to the alert's delivery to a Server-Sent Events client,
// while the feed carries a paced load (-rate positions/s, default 100,000) of
// 2,000 aircraft of which 200 cross into Mexico unauthorised. A crossing
// aircraft's alert opens with its first fix south of the border; the
// squitter completing that fix is stamped when written to the socket, and
// the SSE client (HTTP over loopback) stamps the first event of that alert.
// Reported: p50, p99 and max latency in milliseconds, and the rate achieved.
func BenchmarkAlertLatency(b *testing.B) {
	rate := *alertRate
	frames := benchTraffic(1800, 200, 300)
	for b.Loop() {
		b.StopTimer()
		ctx, cancel := context.WithCancel(context.Background())
		s, done := newBenchServer(b, ctx, "127.0.0.1:0")
		base := "http://" + s.HTTPAddr()
		// The SSE client.
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/alerts/stream", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		type event struct {
			at    time.Time
			start time.Time // message time of the fix that opened the alert
		}
		var mu sync.Mutex
		got := map[string]event{} // aircraft → first alert event
		go func() {
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				now := time.Now()
				var a struct {
					Aircraft string    `json:"aircraft"`
					Start    time.Time `json:"start"`
				}
				if json.Unmarshal([]byte(data), &a) == nil {
					mu.Lock()
					if _, seen := got[a.Aircraft]; !seen {
						got[a.Aircraft] = event{now, a.Start}
					}
					mu.Unlock()
				}
			}
		}()
		c, err := net.Dial("tcp", s.FeedAddr("load"))
		if err != nil {
			b.Fatal(err)
		}
		// The squitters of the crossing aircraft: the one whose position
		// opens an alert is found afterwards from the alert's start time
		// (the boundary in the airspace data is within about 170 m of the
		// treaty parallel, so which squitter it is is not known before).
		type key struct {
			id    string
			ticks sim.Ticks
		}
		crossing := map[int]key{} // frame index → aircraft and time
		for i, f := range frames {
			if f.ICAO >= 0xA80000 {
				crossing[i] = key{fmt.Sprintf("icao:%06X", f.ICAO), f.Ticks}
			}
		}
		sent := map[key]time.Time{}
		epoch := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
		b.StartTimer()
		t0 := time.Now()
		const chunk = 64
		w := bufio.NewWriterSize(c, 64<<10)
		for i := 0; i < len(frames); i += chunk {
			// Pace: frame i is due at t0 + i/rate.
			if d := time.Until(t0.Add(time.Duration(float64(i) / rate * 1e9))); d > 0 {
				time.Sleep(d)
			}
			end := min(i+chunk, len(frames))
			for j := i; j < end; j++ {
				w.Write(frames[j].Beast)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			for j := i; j < end; j++ {
				if k, ok := crossing[j]; ok {
					sent[k] = now
				}
			}
		}
		c.Close()
		elapsed := time.Since(t0)
		waitAccounted(b, ctx, s, len(frames)-2000)
		time.Sleep(200 * time.Millisecond)
		b.StopTimer()
		mu.Lock()
		var lat []float64
		for id, ev := range got {
			ticks := sim.Ticks(ev.start.Sub(epoch).Seconds()*sim.TicksPerSecond + 0.5)
			ts, ok := sent[key{id, ticks}]
			if !ok {
				b.Fatalf("alert of %s opened at %v: no squitter of that time", id, ev.start)
			}
			lat = append(lat, ev.at.Sub(ts).Seconds()*1000)
		}
		mu.Unlock()
		if len(lat) < 190 {
			b.Fatalf("%d alerts received of 200", len(lat))
		}
		slices.Sort(lat)
		q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		b.ReportMetric(q(0.5), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(lat[len(lat)-1], "max-ms")
		b.ReportMetric(float64(len(frames))/elapsed.Seconds(), "squitters/s")
		b.ReportMetric(float64(len(lat)), "alerts")
		cancel()
		resp.Body.Close()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
