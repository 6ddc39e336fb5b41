package bus

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/position"
)

// TestPartitionSubjects shows that every position of an aircraft goes to
// one partition's subject, that the partitions spread aircraft, and that
// consumers of disjoint partition sets together see every position once.
func TestPartitionSubjects(t *testing.T) {
	seen := make(map[int]bool)
	for i := range 400 {
		id := fmt.Sprintf("icao:%06X", 0xA00000+i)
		n := Partition(id)
		if n < 0 || n >= Partitions {
			t.Fatalf("Partition(%q) = %d", id, n)
		}
		seen[n] = true
		p := position.Position{ID: id, Source: position.ADSB}
		if got, want := Subject(&p), fmt.Sprintf("positions.adsb.%02d", n); got != want {
			t.Fatalf("Subject = %q, want %q", got, want)
		}
	}
	if len(seen) != Partitions {
		t.Fatalf("400 aircraft fall in %d of %d partitions", len(seen), Partitions)
	}
	// The 32-bit FNV-1a hash of "a" is 0xe40c292c (the FNV test vectors,
	// http://www.isthe.com/chongo/tech/comp/fnv/): 3826002220 mod 16 = 12.
	if got := Partition("a"); got != 12 {
		t.Fatalf(`Partition("a") = %d, want 12`, got)
	}

	b := openEmbedded(t, t.TempDir(), func(o *Options) { o.Pack = 8 })
	ctx := context.Background()
	ps := positions(200, t0) // 7 aircraft
	if err := b.PublishPositions(ctx, ps); err != nil {
		t.Fatal(err)
	}
	var even, odd []int
	for n := range Partitions {
		if n%2 == 0 {
			even = append(even, n)
		} else {
			odd = append(odd, n)
		}
	}
	var mu sync.Mutex
	byID := make(map[string][]time.Time)
	count := 0
	run := func(durable string, parts []int) {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- b.ConsumeWith(ctx, durable, ConsumeOptions{Subjects: PartitionSubjects(parts)}, func(_ context.Context, batch []Delivery) error {
				mu.Lock()
				defer mu.Unlock()
				for _, d := range batch {
					if !containsInt(parts, Partition(d.Position.ID)) {
						t.Errorf("%s got %s of partition %d", durable, d.Position.ID, Partition(d.Position.ID))
					}
					byID[d.Position.ID] = append(byID[d.Position.ID], d.Position.Time)
					count++
					if err := d.Ack(); err != nil {
						return err
					}
				}
				return nil
			})
		}()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	run("even", even)
	run("odd", odd)
	checkFor(t, 20*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if count != len(ps) {
			return fmt.Errorf("%d of %d positions", count, len(ps))
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for id, ts := range byID {
		for i := 1; i < len(ts); i++ {
			if !ts[i].After(ts[i-1]) {
				t.Fatalf("%s: positions out of order at %d", id, i)
			}
		}
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestConsumeFromSequence shows that a consumer started at a sequence sees
// every message from there again, in order, although the same durable had
// acknowledged them, and that LastSeq and Notify work.
func TestConsumeFromSequence(t *testing.T) {
	b := openEmbedded(t, t.TempDir(), nil)
	ctx := context.Background()
	if seq, err := b.LastSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("LastSeq of an empty stream: %d, %v", seq, err)
	}
	ps := positions(30, t0)
	if err := b.PublishPositions(ctx, ps); err != nil {
		t.Fatal(err)
	}
	if seq, err := b.LastSeq(ctx); err != nil || seq != 30 {
		t.Fatalf("LastSeq: %d, %v; want 30", seq, err)
	}
	var c collector
	stop := consume(t, b, "acct", c.handle)
	c.waitN(t, 30)
	stop()

	var seqs []uint64
	var mu sync.Mutex
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- b.ConsumeWith(cctx, "acct", ConsumeOptions{StartSeq: 21}, func(_ context.Context, batch []Delivery) error {
			mu.Lock()
			defer mu.Unlock()
			for _, d := range batch {
				seqs = append(seqs, d.Seq)
				_ = d.Ack()
			}
			return nil
		})
	}()
	checkFor(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(seqs) < 10 {
			return fmt.Errorf("%d of 10", len(seqs))
		}
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, s := range seqs {
		if s != uint64(21+i) {
			t.Fatalf("delivery %d: seq %d, want %d (all: %v)", i, s, 21+i, seqs)
		}
	}

	got := make(chan string, 1)
	unsub, err := b.Subscribe("alerts.>", func(data []byte) { got <- string(data) })
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	// The subscription is registered with the server once a round trip
	// has passed; a LastSeq request is one.
	if _, err := b.LastSeq(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Notify("alerts.x", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "hello" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("notification not received")
	}
}
