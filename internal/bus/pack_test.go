package bus

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia/vigia/internal/position"
)

// packedPositions returns 95 positions, 40–44 from KLV and the rest from
// ADS-B, so that packs of 10 break at the change of source: 4 + 1 + 5
// messages.
func packedPositions() []position.Position {
	ps := positions(95, t0)
	for i := range ps {
		ps[i].ID = "icao:A00000" // one aircraft: one subject
	}
	for i := 40; i < 45; i++ {
		ps[i].Source = position.KLV
		ps[i].ID = "klv:MQ9/M1"
	}
	return ps
}

// TestPacked publishes positions packed ten to a message and shows that a
// consumer gets each once, in order, that a replay is deduplicated, and
// that a position left unacknowledged has its whole message delivered
// again.
func TestPacked(t *testing.T) {
	b := openEmbedded(t, t.TempDir(), func(o *Options) {
		o.Pack, o.Batch, o.AckWait = 10, 7, time.Second
	})
	ctx := context.Background()
	ps := packedPositions()
	for range 2 {
		if err := b.PublishPositions(ctx, ps); err != nil {
			t.Fatal(err)
		}
	}
	if got := streamMsgs(t, b); got != 10 {
		t.Fatalf("stream holds %d messages, want 10 (packs of ≤ 10 per subject), once", got)
	}

	// ADS-B positions 0–39 and 45–94 go in packs of ten (messages 1–9),
	// the five KLV positions of their own subject in the last message.
	var c collector
	consume(t, b, "track", c.handle)
	got := c.waitN(t, len(ps))
	for i, d := range got {
		var seq uint64
		var idx, j int
		switch {
		case i < 40:
			seq, idx, j = uint64(i/10+1), i%10, i
		case i < 90:
			seq, idx, j = uint64(5+(i-40)/10), (i-40)%10, i+5
		default:
			seq, idx, j = 10, i-90, 40+i-90
		}
		if d.Seq != seq || d.Index != idx || d.Redelivered || !reflect.DeepEqual(d.Position, ps[j]) {
			t.Fatalf("delivery %d: seq %d index %d redelivered %v, want seq %d index %d first delivery of position %d", i, d.Seq, d.Index, d.Redelivered, seq, idx, j)
		}
	}
	if err := got[0].Ack(); !errors.Is(err, jetstream.ErrMsgAlreadyAckd) {
		t.Fatalf("second Ack: %v, want ErrMsgAlreadyAckd", err)
	}
	checkFor(t, 10*time.Second, func() error {
		info := consumerInfo(t, b, "track")
		if info.NumAckPending != 0 || info.NumPending != 0 || info.Delivered.Consumer != 10 {
			return fmt.Errorf("%d acks pending, %d pending, %d delivered", info.NumAckPending, info.NumPending, info.Delivered.Consumer)
		}
		return nil
	})

	// A second durable leaves position 13 (message 2, index 3)
	// unacknowledged the first time: the whole of message 2 comes again
	// after AckWait, and nothing else does.
	var mu sync.Mutex
	var redelivered []Delivery
	held := false
	done := make(chan struct{})
	consume(t, b, "store", func(ctx context.Context, batch []Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range batch {
			if d.Redelivered {
				redelivered = append(redelivered, d)
				if len(redelivered) == 10 {
					close(done)
				}
			} else if d.Seq == 2 && d.Index == 3 {
				held = true
				continue
			}
			if err := d.AckSync(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("message 2 not delivered again within 20 s")
	}
	checkFor(t, 10*time.Second, func() error {
		info := consumerInfo(t, b, "store")
		if info.NumAckPending != 0 || info.NumPending != 0 {
			return fmt.Errorf("%d acks pending, %d pending", info.NumAckPending, info.NumPending)
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if !held || len(redelivered) != 10 {
		t.Fatalf("held %v, %d redelivered, want 10", held, len(redelivered))
	}
	for i, d := range redelivered {
		if d.Seq != 2 || d.Index != i || d.NumDelivered != 2 || !reflect.DeepEqual(d.Position, ps[10+i]) {
			t.Fatalf("redelivery %d: seq %d index %d delivered %d times, want seq 2 index %d twice", i, d.Seq, d.Index, d.NumDelivered, i)
		}
	}
}

func TestPackCodec(t *testing.T) {
	ps := packedPositions()[:10]
	data := appendPack(nil, ps)
	got, err := DecodePositions(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ps) {
		t.Fatalf("pack round trip differs")
	}
	for n := range len(data) {
		if out, err := DecodePositions(data[:n], got[:0]); !errors.Is(err, ErrBadMessage) || len(out) != 0 {
			t.Fatalf("pack truncated to %d bytes: %v, %d positions; want ErrBadMessage and none", n, err, len(out))
		}
	}
	if _, err := DecodePositions([]byte{packVersion, 0}, nil); !errors.Is(err, ErrBadMessage) {
		t.Fatalf("empty pack: %v, want ErrBadMessage", err)
	}
}
