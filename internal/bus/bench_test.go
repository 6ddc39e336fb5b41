package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/position"
)

// benchCases are the PublishPositions slice lengths and Options.Pack
// values benchmarked.
var benchCases = []struct{ batch, pack int }{
	{100, 1}, {1000, 1}, {10000, 1},
	{1000, 10}, {10000, 10},
	{1000, 100}, {10000, 100},
}

// BenchmarkPositionJSON is the anchor: encoding a position to its JSON wire
// form and decoding it back, the per-message CPU the bus adds on top of
// NATS.
func BenchmarkPositionJSON(b *testing.B) {
	p := positions(1, t0)[0]
	data, _ := json.Marshal(p)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var q position.Position
	for b.Loop() {
		data, err := json.Marshal(p)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(data, &q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCorePublish is a second anchor: publishing the same bytes with
// core NATS (no JetStream, no storage, no acknowledgement) over the
// in-process connection, flushed every batch.
func BenchmarkCorePublish(b *testing.B) {
	bus := openEmbedded(b, b.TempDir(), nil)
	p := positions(1, t0)[0]
	data, _ := json.Marshal(p)
	const batch = 1000
	b.SetBytes(int64(len(data)) * batch)
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		for range batch {
			if err := bus.nc.Publish("bench.core", data); err != nil {
				b.Fatal(err)
			}
		}
		if err := bus.nc.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	report(b, b.N*batch, start, cpu0)
}

// report adds the rate in positions per second of wall time, and the CPU
// time of the whole process (publisher, server, consumer) per position,
// which depends less on what else the machine runs.
func report(b *testing.B, n int, start time.Time, cpu0 time.Duration) {
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "positions/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/position")
}

// nextBatch moves every position of ps forward in time by len(ps)
// seconds, so that a slice published again holds no duplicate.
func nextBatch(ps []position.Position) {
	d := time.Duration(len(ps)) * time.Second
	for i := range ps {
		ps[i].Time = ps[i].Time.Add(d)
	}
}

// BenchmarkPublishPositions measures PublishPositions on the embedded
// server with file storage: each iteration publishes one slice (batch
// positions, Options.Pack of them per message) and waits for every
// acknowledgement.
func BenchmarkPublishPositions(b *testing.B) {
	for _, bc := range benchCases {
		n := bc.batch
		b.Run(fmt.Sprintf("batch=%d/pack=%d", bc.batch, bc.pack), func(b *testing.B) {
			bus := openEmbedded(b, b.TempDir(), func(o *Options) { o.Pack = bc.pack })
			ctx := context.Background()
			ps := positions(n, t0)
			b.ReportAllocs()
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				nextBatch(ps)
				if err := bus.PublishPositions(ctx, ps); err != nil {
					b.Fatal(err)
				}
			}
			report(b, b.N*n, start, cpu0)
		})
	}
}

// BenchmarkPublishConsume measures the bus end to end on the embedded
// server with file storage: each iteration publishes a slice of positions
// (Options.Pack per message), and a durable consumer (Options.Batch = the
// slice length, capped at 1,000) decodes and acknowledges each; the
// iteration ends when the last one is acknowledged.
func BenchmarkPublishConsume(b *testing.B) {
	for _, bc := range benchCases {
		n := bc.batch
		b.Run(fmt.Sprintf("batch=%d/pack=%d", bc.batch, bc.pack), func(b *testing.B) {
			bus := openEmbedded(b, b.TempDir(), func(o *Options) {
				o.Batch, o.Pack = min(n, 1000), bc.pack
			})
			ctx := context.Background()
			var acked atomic.Int64
			sig := make(chan struct{}, 1)
			stop := consume(b, bus, "bench", func(ctx context.Context, batch []Delivery) error {
				for _, d := range batch {
					if err := d.Ack(); err != nil {
						return err
					}
				}
				acked.Add(int64(len(batch)))
				select {
				case sig <- struct{}{}:
				default:
				}
				return nil
			})
			defer stop()
			ps := positions(n, t0)
			var it int
			b.ReportAllocs()
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				nextBatch(ps)
				it++
				if err := bus.PublishPositions(ctx, ps); err != nil {
					b.Fatal(err)
				}
				for acked.Load() < int64(it*n) {
					<-sig
				}
			}
			report(b, b.N*n, start, cpu0)
		})
	}
}
