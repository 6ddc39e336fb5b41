package bus

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia/vigia/internal/position"
)

// packVersion is the first byte of a message that holds several positions.
const packVersion = 2

// maxPack bounds the positions of one message.
const maxPack = 4096

// appendPack appends the packed form of ps to dst: the byte 0x02, the
// count as an unsigned varint, then each position as an unsigned varint
// length followed by its binary form (AppendPosition).
func appendPack(dst []byte, ps []position.Position) []byte {
	dst = append(dst, packVersion)
	dst = binary.AppendUvarint(dst, uint64(len(ps)))
	var scratch [160]byte
	for i := range ps {
		b := AppendPosition(scratch[:0], &ps[i])
		dst = binary.AppendUvarint(dst, uint64(len(b)))
		dst = append(dst, b...)
	}
	return dst
}

// packMsgID is the Nats-Msg-Id of a packed message: the ids of its first
// and last positions and the count. A replay that packs the same run of
// positions the same way is recognised as a duplicate.
func packMsgID(ps []position.Position) string {
	return MsgID(&ps[0]) + "|" + MsgID(&ps[len(ps)-1]) + "|" + strconv.Itoa(len(ps))
}

// DecodePositions appends to dst the positions of one message, in any of
// the forms the bus reads: one position (binary or JSON, see
// DecodePosition) or a pack of several (Options.Pack). Errors wrap
// ErrBadMessage and name the byte offset; on error dst is returned
// unchanged.
func DecodePositions(data []byte, dst []position.Position) ([]position.Position, error) {
	if len(data) == 0 || data[0] != packVersion {
		var p position.Position
		if err := DecodePosition(data, &p); err != nil {
			return dst, err
		}
		return append(dst, p), nil
	}
	d := decoder{b: data, off: 1}
	n := d.uvarint("count")
	if d.err == nil && (n == 0 || n > maxPack || n > uint64(len(data))) {
		d.fail("count", "%d positions", n)
	}
	if d.err != nil {
		return dst, d.err
	}
	out := dst
	for i := range int(n) {
		l := d.uvarint("length")
		if d.err == nil && l > uint64(len(data)-d.off) {
			d.fail("length", "%d bytes, %d left", l, len(data)-d.off)
		}
		if d.err != nil {
			return dst, d.err
		}
		var p position.Position
		if err := DecodePosition(data[d.off:d.off+int(l)], &p); err != nil {
			return dst, fmt.Errorf("pack offset %d (position %d): %w", d.off, i, err)
		}
		d.off += int(l)
		out = append(out, p)
	}
	if d.off != len(data) {
		d.fail("end", "%d bytes after the pack", len(data)-d.off)
		return dst, d.err
	}
	return out, nil
}

// packState settles one message that carries several deliveries: the
// message is acknowledged when every delivery is settled — acked, or
// nakked (then the whole message is nakked with the longest delay asked),
// or all terminated (then it is terminated).
type packState struct {
	msg jetstream.Msg
	seq uint64

	mu       sync.Mutex
	settled  []bool
	left     int
	nak      bool
	nakDelay time.Duration
	terms    int
}

type settleKind int

const (
	settleAck     settleKind = iota
	settleAckSync            // ack, confirmed by JetStream if it settles the message
	settleNak
	settleTerm
)

// settle records delivery i's outcome and, when it is the last, settles
// the message (for settleAckSync, waiting up to ctx's end for JetStream's
// confirmation of an ack).
func (s *packState) settle(ctx context.Context, i int, kind settleKind, delay time.Duration) error {
	s.mu.Lock()
	if s.settled[i] {
		s.mu.Unlock()
		return fmt.Errorf("bus: seq %d index %d: %w", s.seq, i, jetstream.ErrMsgAlreadyAckd)
	}
	s.settled[i] = true
	s.left--
	switch kind {
	case settleNak:
		s.nak = true
		s.nakDelay = max(s.nakDelay, delay)
	case settleTerm:
		s.terms++
	}
	last, sync := s.left == 0, kind == settleAckSync
	nak, nakDelay, allTerm := s.nak, s.nakDelay, s.terms == len(s.settled)
	s.mu.Unlock()
	if !last {
		return nil
	}
	switch {
	case nak && nakDelay > 0:
		return s.msg.NakWithDelay(nakDelay)
	case nak:
		return s.msg.Nak()
	case allTerm:
		return s.msg.Term()
	case sync:
		return s.msg.DoubleAck(ctx)
	default:
		return s.msg.Ack()
	}
}
