package mpegts

import (
	"errors"
	"fmt"
	"io"
	"slices"
)

// PacketSize is the size of an MPEG-2 transport stream packet in bytes.
const PacketSize = 188

// SyncByte begins every transport stream packet.
const SyncByte = 0x47

const (
	pidPAT  = 0x0000
	pidNull = 0x1FFF

	kindNone = 0 // not looked at: video, audio, null packets, ...
	kindPSI  = 1 // PAT or a PMT
	kindES   = 2 // a KLV metadata elementary stream

	maxPrograms = 64 // programs taken from the PAT
	maxStreams  = 32 // metadata streams watched at once

	// bufPackets is the size of the read buffer in packets (about 96 KB).
	bufPackets = 512
	// maxReadStalls is how many (0, nil) reads in a row end the input.
	maxReadStalls = 100
)

// MaxUnitSize is the largest metadata PES packet or reassembled access unit
// in bytes that the Demuxer keeps; larger ones are dropped and counted in
// Stats.PESErrors. A bounded PES packet is at most 65,535 + 6 bytes; the
// limit matters for PES packets of unbounded length and for AU cells
// fragmented across PES packets.
const MaxUnitSize = 1 << 20

// ErrNoProgress is returned by Next when the reader returns no data and no
// error many times in a row.
var ErrNoProgress = errors.New("mpegts: reader makes no progress")

// Carriage is how a KLV elementary stream is carried in the transport
// stream (MISB ST 1402).
type Carriage uint8

const (
	// Async is asynchronous carriage (SMPTE RP 217): stream_type 0x06 with
	// a registration descriptor "KLVA", private_stream_1 PES packets whose
	// payload is KLV.
	Async Carriage = 1
	// Sync is synchronous carriage (ISO/IEC 13818-1 2.12): stream_type
	// 0x15 with a metadata_descriptor naming format "KLVA" (and a
	// metadata_std_descriptor), metadata_stream PES packets whose payload
	// is a sequence of metadata access unit cells, each with a 5-byte
	// header.
	Sync Carriage = 2
)

// String returns "async" or "sync".
func (c Carriage) String() string {
	switch c {
	case Async:
		return "async"
	case Sync:
		return "sync"
	}
	return fmt.Sprintf("Carriage(%d)", uint8(c))
}

// Unit is one metadata access unit taken out of a PES packet.
type Unit struct {
	// PID is the elementary stream's packet identifier.
	PID uint16
	// Carriage is how the stream carries KLV.
	Carriage Carriage
	// PTS is the presentation time stamp of the PES packet that carried
	// (for a fragmented AU cell: began) the unit, in 90 kHz ticks modulo
	// 2^33 as in the stream; valid when HasPTS.
	PTS    int64
	HasPTS bool
	// Offset is the byte offset in the input of the TS packet that began
	// the PES packet.
	Offset int64
	// Data is the metadata: for Async the whole PES payload (one or more
	// KLV packets), for Sync one AU cell's payload (after its 5-byte
	// header; fragments reassembled). It is never empty, is owned by the
	// Demuxer and is valid until the next call to Next.
	Data []byte
}

// Stats counts what a Demuxer has seen so far. Only the PAT, the PMTs and
// the metadata streams are looked at; other packets count in Packets only.
type Stats struct {
	// Bytes read from the input.
	Bytes int64
	// Packets is the number of 188-byte packets taken as packets.
	Packets int64
	// Resyncs counts losses of packet synchronisation (a packet not
	// starting with 0x47 where one was due); SkippedBytes the bytes passed
	// over to find it again, including a partial packet at the end.
	Resyncs      int64
	SkippedBytes int64
	// CCErrors counts continuity counter discontinuities on the PAT, PMT
	// and metadata PIDs (duplicate packets are dropped and not counted).
	CCErrors int64
	// ErrorPackets counts packets of those PIDs dropped for the
	// transport_error_indicator or a malformed adaptation field.
	ErrorPackets int64
	// PSISections counts PAT and PMT sections with a good CRC; PSIErrors
	// those rejected (CRC, length, syntax); PMTUpdates the PMT versions
	// applied.
	PSISections int64
	PSIErrors   int64
	PMTUpdates  int64
	// PES counts complete metadata PES packets; PESErrors those dropped
	// (lost packets, bad header, truncated, too large) and malformed AU
	// cells.
	PES       int64
	PESErrors int64
	// Units is the number of units returned by Next.
	Units int64
}

// Demuxer reads an MPEG-2 transport stream and returns the KLV metadata
// units of every program's metadata streams, in stream order. It follows
// the PAT and the PMTs as they change, resynchronises after lost or
// inserted bytes, and skips every other PID after one table look-up.
// Memory is bounded whatever the input: a 96 KB read buffer, at most 64
// programs and 32 metadata streams, and per stream a PES packet and a
// fragmented AU of at most MaxUnitSize each (grown only as bytes arrive,
// never from a length field). A Demuxer is not safe for concurrent use.
type Demuxer struct {
	src    io.Reader
	buf    []byte
	r, w   int   // unread bytes are buf[r:w]
	base   int64 // input offset of buf[0]
	eof    bool
	err    error // sticky: io.EOF or the reader's error, after the flush
	rerr   error // the reader's error, returned once the buffer is drained
	stalls int
	// resyncAt is the input offset where the last skip ended, so that one
	// loss of sync found in several steps counts once.
	resyncAt int64
	// synced is set when the packet at r follows packets whose sync bytes
	// confirmed each other.
	synced bool

	kind [8192]uint8
	psi  map[uint16]*psiState
	es   map[uint16]*esState

	patSeen    bool
	patVersion uint8
	patCRC     uint32
	patPMTs    []pmtRef

	pending []Unit
	head    int
	arena   []byte
	stats   Stats
}

// NewDemuxer returns a Demuxer reading from r. It reads in blocks of up to
// about 96 KB but takes what each Read returns: on a live stream it holds
// back only the last packet received until the next one's sync byte
// arrives (three packets while resynchronising).
func NewDemuxer(r io.Reader) *Demuxer {
	d := &Demuxer{
		src: r,
		buf: make([]byte, bufPackets*PacketSize),
		psi: map[uint16]*psiState{},
		es:  map[uint16]*esState{},

		resyncAt: -1,
	}
	d.psi[pidPAT] = &psiState{pid: pidPAT, cc: -1, buf: make([]byte, 0, 188)}
	d.kind[pidPAT] = kindPSI
	return d
}

// Stats returns the counters so far.
func (d *Demuxer) Stats() Stats { return d.stats }

// IsTS reports whether prefix looks like the start of a transport stream:
// sync bytes at 0, 188 and 376 when prefix is at least 377 bytes long, and
// at those of 0 and 188 that it holds when it is shorter.
func IsTS(prefix []byte) bool {
	if len(prefix) == 0 {
		return false
	}
	for i := 0; i < len(prefix) && i <= 2*PacketSize; i += PacketSize {
		if prefix[i] != SyncByte {
			return false
		}
	}
	return true
}

// Next returns the next metadata unit. At the end of the input it returns
// io.EOF (after the units of a last PES packet of unbounded length); a read
// error other than io.EOF is returned once the units before it have been
// returned. Errors are sticky. Unit.Data is valid until the next call.
func (d *Demuxer) Next() (Unit, error) {
	for {
		if d.head < len(d.pending) {
			u := d.pending[d.head]
			d.head++
			d.stats.Units++
			return u, nil
		}
		if d.err != nil {
			return Unit{}, d.err
		}
		d.pending, d.head, d.arena = d.pending[:0], 0, d.arena[:0]
		d.run()
	}
}

// run processes packets until units are pending or the input ends.
func (d *Demuxer) run() {
	for len(d.pending) == 0 {
		if d.w-d.r <= PacketSize && !d.eof {
			d.fill(PacketSize + 1)
			continue
		}
		if d.w-d.r < PacketSize { // the end
			d.stats.SkippedBytes += int64(d.w - d.r)
			d.r = d.w
			d.flush()
			d.err = io.EOF
			if d.rerr != nil {
				d.err = d.rerr
			}
			return
		}
		// The fast path: a packet here and the next one's sync byte in place.
		b, p := d.buf[:d.w], d.r
		for d.synced && p+PacketSize < len(b) && b[p] == SyncByte && b[p+PacketSize] == SyncByte {
			pid := uint16(b[p+1]&0x1F)<<8 | uint16(b[p+2])
			if d.kind[pid] != kindNone {
				d.packet(b[p:p+PacketSize:p+PacketSize], d.base+int64(p), pid)
			}
			p += PacketSize
			if len(d.pending) > 0 {
				break
			}
		}
		d.stats.Packets += int64((p - d.r) / PacketSize)
		d.r = p
		if len(d.pending) > 0 || d.synced && p+PacketSize < len(b) && b[p] == SyncByte && b[p+PacketSize] == SyncByte {
			continue
		}
		d.slow()
	}
}

// slow handles the position d.r when the fast path cannot: the last packet
// of the input, or a sync byte missing here or one packet on.
func (d *Demuxer) slow() {
	const look = 3*PacketSize + 1
	if d.w-d.r < look && !d.eof {
		d.fill(look)
		return
	}
	if d.w-d.r < PacketSize {
		return // the end of the input: run finishes
	}
	b, p := d.buf[:d.w], d.r
	if b[p] == SyncByte && (d.synced || p+PacketSize == len(b)) {
		// The last packet of the input, or the next sync byte is missing:
		// this packet was cut short (the common loss), or bytes were
		// inserted after it. A sync byte within its span confirmed by the
		// next two packet starts means the former.
		for q := p + 1; q < p+PacketSize && q < len(b); q++ {
			if level, _ := d.confirmed(q); level == 2 {
				d.skipTo(q)
				d.synced = true
				return
			}
		}
		d.take(p)
		d.synced = false
		return
	}
	// Look for a sync byte confirmed by the next two packet starts; failing
	// that, within a packet's length, by the next one (the packet after it
	// may be followed by junk again). The decision never depends on how the
	// input was split into reads: when it needs bytes not read yet, the
	// bytes from the first candidate on are kept and the search resumes
	// there.
	d.synced = false
	weak := -1
	for q := p; q < len(b); q++ {
		if weak >= 0 && q >= weak+PacketSize {
			break
		}
		level, more := d.confirmed(q)
		if level == 2 {
			d.skipTo(q)
			d.synced = true
			return
		}
		if more {
			if weak >= 0 {
				q = weak
			}
			d.skipTo(q)
			d.fill(look)
			return
		}
		if level == 1 && weak < 0 {
			weak = q
		}
	}
	if weak >= 0 {
		d.skipTo(weak)
		d.synced = true
		return
	}
	d.skipTo(len(b))
}

// take processes the packet at buf[p] and moves past it.
func (d *Demuxer) take(p int) {
	pkt := d.buf[p : p+PacketSize : p+PacketSize]
	pid := uint16(pkt[1]&0x1F)<<8 | uint16(pkt[2])
	d.stats.Packets++
	d.r = p + PacketSize
	if d.kind[pid] != kindNone {
		d.packet(pkt, d.base+int64(p), pid)
	}
}

// skipTo discards buf[r:q] as junk.
func (d *Demuxer) skipTo(q int) {
	if q == d.r {
		return
	}
	if d.resyncAt != d.base+int64(d.r) {
		d.stats.Resyncs++
	}
	d.stats.SkippedBytes += int64(q - d.r)
	d.r = q
	d.resyncAt = d.base + int64(q)
}

// confirmed tells how many of the next two packet starts after buf[q]
// hold sync bytes, when buf[q] does: 0, 1 or 2 (2 also when the input ends
// after the first, or exactly one packet after q). more is set when that
// needs bytes not read yet.
func (d *Demuxer) confirmed(q int) (level int, more bool) {
	b := d.buf[:d.w]
	if b[q] != SyncByte {
		return 0, false
	}
	for k := PacketSize; k <= 2*PacketSize; k += PacketSize {
		switch {
		case q+k < len(b):
			if b[q+k] != SyncByte {
				return level, false
			}
			level++
		case !d.eof:
			return level, true
		default: // the input ends before q+k: ending on a packet boundary
			// after q, or a packet start after q, is as good as it gets
			if level > 0 || q+k == len(b) {
				return 2, false
			}
			return 0, false
		}
	}
	return level, false
}

// fill compacts the buffer and reads until at least want bytes are
// unread, the buffer is full, or the input ends.
func (d *Demuxer) fill(want int) {
	if d.r > 0 {
		n := copy(d.buf, d.buf[d.r:d.w])
		d.base += int64(d.r)
		d.w, d.r = n, 0
	}
	for d.w < want && d.w < len(d.buf) && !d.eof {
		n, err := d.src.Read(d.buf[d.w:])
		if n < 0 || n > len(d.buf)-d.w {
			n, err = 0, fmt.Errorf("mpegts: offset %d: reader returned %d bytes", d.base+int64(d.w), n)
		}
		d.w += n
		d.stats.Bytes += int64(n)
		switch {
		case err == io.EOF:
			d.eof = true
		case err != nil:
			d.eof, d.rerr = true, err
		case n == 0:
			if d.stalls++; d.stalls >= maxReadStalls {
				d.eof, d.rerr = true, ErrNoProgress
			}
		default:
			d.stalls = 0
		}
	}
}

// packet handles one packet of a watched PID.
func (d *Demuxer) packet(p []byte, off int64, pid uint16) {
	afc := p[3] >> 4 & 3
	start := 4
	disc := false
	if p[1]&0x80 != 0 || afc == 0 { // transport_error_indicator, reserved AFC
		d.stats.ErrorPackets++
		d.lost(pid)
		return
	}
	if afc&2 != 0 {
		n := int(p[4])
		if afc == 3 && n > 182 || n > 183 {
			d.stats.ErrorPackets++
			d.lost(pid)
			return
		}
		disc = n > 0 && p[5]&0x80 != 0
		start = 5 + n
	}
	if afc&1 == 0 {
		return // adaptation field only: the counter does not advance
	}
	payload := p[start:]
	pusi := p[1]&0x40 != 0
	cc := int8(p[3] & 0x0F)
	switch d.kind[pid] {
	case kindPSI:
		st := d.psi[pid]
		dup, gap := checkCC(&st.cc, cc, disc)
		if dup {
			return
		}
		if gap {
			d.stats.CCErrors++
			st.active = false
		}
		d.feedPSI(st, payload, pusi)
	case kindES:
		es := d.es[pid]
		dup, gap := checkCC(&es.cc, cc, disc)
		if dup {
			return
		}
		if gap {
			d.stats.CCErrors++
			d.dropPES(es)
		}
		d.feedES(es, payload, pusi, off)
	}
}

// lost abandons what a watched PID was assembling after a bad packet. The
// bad packet's continuity counter cannot be trusted, so the next packet's
// starts the count afresh (the loss is counted in ErrorPackets, not again
// in CCErrors).
func (d *Demuxer) lost(pid uint16) {
	switch d.kind[pid] {
	case kindPSI:
		st := d.psi[pid]
		st.active, st.cc = false, -1
	case kindES:
		es := d.es[pid]
		d.dropPES(es)
		es.cc = -1
	}
}

// checkCC checks a packet's continuity counter against the last one of its
// PID (ISO/IEC 13818-1 2.4.3.3): dup for a repeated packet, gap for a
// discontinuity not signalled by discontinuity_indicator.
func checkCC(last *int8, cc int8, disc bool) (dup, gap bool) {
	prev := *last
	*last = cc
	switch {
	case prev < 0 || disc:
		return false, false
	case cc == prev:
		return true, false
	default:
		return false, cc != (prev+1)&0x0F
	}
}

// flush completes, at the end of the input, the PES packets of unbounded
// length still open, in PID order.
func (d *Demuxer) flush() {
	pids := make([]uint16, 0, len(d.es))
	for pid := range d.es {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	for _, pid := range pids {
		es := d.es[pid]
		if es.active {
			d.finishPES(es)
		}
		if es.fragActive {
			d.stats.PESErrors++
			es.fragActive = false
		}
	}
}

// dropES forgets a metadata stream.
func (d *Demuxer) dropES(pid uint16) {
	delete(d.es, pid)
	d.kind[pid] = kindNone
}

// emit queues a unit, copying its data into the arena. Empty units are
// not returned.
func (d *Demuxer) emit(es *esState, pts int64, hasPTS bool, off int64, data []byte) {
	if len(data) == 0 {
		return
	}
	s := len(d.arena)
	d.arena = append(d.arena, data...)
	d.pending = append(d.pending, Unit{
		PID: es.pid, Carriage: es.carriage, PTS: pts, HasPTS: hasPTS, Offset: off,
		Data: d.arena[s:len(d.arena):len(d.arena)],
	})
}
