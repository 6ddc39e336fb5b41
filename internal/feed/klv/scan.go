package klv

import (
	"bytes"
	"errors"
	"io"
)

// Scanner finds ST 0601 packets in an arbitrary byte stream (raw KLV as
// written by ffmpeg's "-f data", a capture with other keys or noise
// between packets): it looks for UniversalLabel, reads the BER length and
// returns the whole packet. Bytes between packets are skipped and counted.
// A Scanner is not safe for concurrent use.
type Scanner struct {
	r       io.Reader
	buf     []byte
	lo, hi  int   // unread bytes are buf[lo:hi]
	off     int64 // stream offset of buf[0]
	eof     bool
	err     error // sticky read error
	skipped int64
	empty   int // consecutive reads that returned nothing
	// MaxPacket bounds the length a packet may announce; a key followed by
	// a longer length is taken as noise and skipped. Default
	// DefaultMaxPacket.
	MaxPacket int
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r, buf: make([]byte, 0, 64<<10), MaxPacket: DefaultMaxPacket}
}

// DefaultMaxPacket is the largest packet length, in bytes, that Find and a
// new Scanner accept after a key; a longer one marks the key as noise.
const DefaultMaxPacket = 1 << 20

// Skipped returns the number of bytes skipped so far that were not part of
// a packet.
func (s *Scanner) Skipped() int64 { return s.skipped }

// fill reads more input, compacting or growing the buffer; it reports
// false when no more can come.
func (s *Scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.lo > 0 {
		n := copy(s.buf[:cap(s.buf)], s.buf[s.lo:s.hi])
		s.off += int64(s.lo)
		s.hi, s.lo = n, 0
		s.buf = s.buf[:n]
	}
	if s.hi == cap(s.buf) {
		nb := make([]byte, s.hi, 2*cap(s.buf))
		copy(nb, s.buf[:s.hi])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.hi:cap(s.buf)])
	if n == 0 && err == nil {
		s.empty++
		if s.empty >= 100 {
			err = io.ErrNoProgress
		}
	} else {
		s.empty = 0
	}
	s.hi += n
	s.buf = s.buf[:s.hi]
	if errors.Is(err, io.EOF) {
		s.eof = true
	} else if err != nil {
		s.err = err
	}
	return n > 0 || (!s.eof && s.err == nil)
}

// Next returns the next packet, from its key through the end of its value,
// and its byte offset in the stream. The slice is valid until the next
// call. At the end of the input it returns io.EOF; a packet cut short by
// the end of the input, or by the key of a packet that begins inside it,
// is returned as it is (Decode then reports where it was cut). Read errors other than io.EOF are returned as they are.
func (s *Scanner) Next() ([]byte, int64, error) {
	for {
		data := s.buf[s.lo:s.hi]
		i := bytes.Index(data, UniversalLabel[:])
		if i < 0 {
			// Keep a tail that may be the start of a key.
			keep := min(len(data), len(UniversalLabel)-1)
			if s.eof || s.err != nil {
				s.skipped += int64(len(data))
				s.lo = s.hi
				return nil, s.off + int64(s.lo), s.end()
			}
			s.skipped += int64(len(data) - keep)
			s.lo = s.hi - keep
			s.fill()
			continue
		}
		s.skipped += int64(i)
		s.lo += i
		data = s.buf[s.lo:s.hi]
		length, n := readBERLength(data[16:])
		if n == 0 && !(s.eof || s.err != nil) {
			s.fill()
			continue
		}
		if n < 0 || length > s.MaxPacket {
			// Not a packet: skip this key's first byte and look again.
			s.skipped++
			s.lo++
			continue
		}
		total := 16 + n + length
		if j := nextKey(data[:min(total, len(data))]); n > 0 && j > 0 {
			// Another packet starts inside this one: this one was cut
			// short (a lost datagram, a splice). Return it as it is, so
			// that Decode reports the truncation, and resume at the key.
			off := s.off + int64(s.lo)
			s.lo += j
			return data[:j], off, nil
		}
		if n == 0 || total > len(data) {
			if !(s.eof || s.err != nil) {
				s.fill()
				continue
			}
			// Cut short by the end of the input (no key inside: checked
			// above).
			off := s.off + int64(s.lo)
			s.lo = s.hi
			return data, off, nil
		}
		off := s.off + int64(s.lo)
		s.lo += total
		return data[:total], off, nil
	}
}

// nextKey returns the index of a UniversalLabel in pkt after the one that
// begins it, or -1. A packet of ST 0601 never contains its own key, so one
// found inside means the packet was cut short there.
func nextKey(pkt []byte) int {
	if len(pkt) <= 17 {
		return -1
	}
	if j := bytes.Index(pkt[17:], UniversalLabel[:]); j >= 0 {
		return 17 + j
	}
	return -1
}

func (s *Scanner) end() error {
	if s.err != nil {
		return s.err
	}
	return io.EOF
}

// Find returns the first packet in data: the bytes from the first
// UniversalLabel through the end of the value its BER length announces
// (or through the end of data when data ends first, so that Decode reports
// the truncation), its index in data, and the index where the search for
// the next packet should resume. A packet cut short by the key of the next
// one is returned up to that key. It returns a nil packet when data holds
// no key. A key followed by a length above DefaultMaxPacket is skipped as
// noise. Use it on buffers that hold whole packets, such as the payload
// of an MPEG-TS metadata access unit.
func Find(data []byte) (pkt []byte, start, next int) {
	for from := 0; ; {
		i := bytes.Index(data[from:], UniversalLabel[:])
		if i < 0 {
			return nil, len(data), len(data)
		}
		start = from + i
		length, n := readBERLength(data[start+16:])
		if n < 0 || length > DefaultMaxPacket {
			from = start + 1
			continue
		}
		end := start + 16 + n + length
		if n == 0 || end > len(data) {
			end = len(data)
		}
		if j := nextKey(data[start:end]); j > 0 {
			end = start + j
		}
		return data[start:end], start, end
	}
}
