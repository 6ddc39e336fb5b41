package api_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/compliance"
)

// BenchmarkHubPublish measures the fan-out of alerts to n subscribed
// clients that keep up, each drained by its own goroutine: Publish, and
// every 1,024 alerts a wait until every client has received them all.
func BenchmarkHubPublish(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := api.NewHub(4096)
			var received atomic.Int64
			for range n {
				ch, cancel := h.Subscribe()
				defer cancel()
				go func() {
					for range ch {
						received.Add(1)
					}
				}()
			}
			a := compliance.Alert{ID: "alr-0102030405060708", Open: true}
			var published int64
			wait := func() {
				for received.Load() < published*int64(n) {
					runtime.Gosched()
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				a.LastSeq++
				h.Publish(a)
				if published++; published%1024 == 0 {
					wait()
				}
			}
			wait()
			if d := h.Dropped(); d != 0 {
				b.Fatalf("%d clients dropped", d)
			}
		})
	}
}

// BenchmarkAlertStreamLatency measures the time from Hub.Publish to the
// event's arrival at an SSE client over loopback HTTP, one alert at a
// time, and reports its median and 99th percentile.
func BenchmarkAlertStreamLatency(b *testing.B) {
	ta := newTestAPI(b, nil)
	s := ta.openStream(b)
	s.next(b, false) // the stored open alert
	a := ta.alert
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		a.LastSeq++
		start := time.Now()
		ta.hub.Publish(a)
		s.next(b, false)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkHealthzRoundTrip is the anchor of BenchmarkAlertStreamLatency:
// one minimal request and answer over the same loopback HTTP connection.
func BenchmarkHealthzRoundTrip(b *testing.B) {
	ta := newTestAPI(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		if r := ta.get(b, "/healthz"); r.code != 200 {
			b.Fatal(r.code)
		}
	}
}
