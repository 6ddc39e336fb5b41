package adsb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Format is a receiver output framing.
type Format uint8

// Formats. FormatAuto detects the framing from the first bytes (see
// NewReader).
const (
	FormatAuto Format = iota
	FormatAVR
	FormatBeast
	FormatSBS
)

var formatNames = [...]string{"auto", "avr", "beast", "sbs"}

// String returns "auto", "avr", "beast" or "sbs".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "auto"
}

// ParseFormat returns the Format named s ("avr", "beast", "sbs" or
// "auto"/"").
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return FormatAuto, nil
	}
	for i, n := range formatNames {
		if n == s {
			return Format(i), nil
		}
	}
	return FormatAuto, fmt.Errorf("unknown format %q (want avr, beast or sbs)", s)
}

// ErrUnknownFormat is returned by Reader.Next when FormatAuto finds no
// AVR, Beast or SBS record in the first 4 KiB of input.
var ErrUnknownFormat = errors.New("adsb: cannot detect the input format (want AVR, Beast or SBS)")

type scanResult uint8

const (
	scanMore   scanResult = iota // need more input
	scanJunk                     // bytes to skip and count
	scanSkip                     // bytes to skip silently (line ends, other SBS records)
	scanStatus                   // a Beast status record
	scanFrame                    // a frame
	scanSBS                      // an SBS MSG line
)

const (
	readerBuf  = 64 << 10
	detectSpan = 4096
)

// Reader frames AVR, Beast or SBS records from a byte stream, feeds them
// to a Decoder and returns the accepted messages. It re-synchronises after
// junk (counted in the Decoder's Stats and reported through OnJunk) without
// losing the records that follow. Its buffer is allocated once; Next does
// not allocate. A Reader is not safe for concurrent use.
type Reader struct {
	src    io.Reader
	format Format
	dec    *Decoder
	buf    []byte
	start  int
	end    int
	base   int64 // stream offset of buf[0]
	eof    bool
	err    error
	frame  Frame

	junkAt  int64
	junkLen int64

	// OnJunk, if set, is called with the stream offset and length of each
	// run of skipped bytes, once the run ends.
	OnJunk func(offset, n int64)
}

// NewReader returns a Reader of src in the given format, decoding with
// dec. With FormatAuto the format is detected from the first record found
// in the first 4 KiB: a 0x1A byte followed by '1'..'5' means Beast; a line
// starting with '*', '@', '%', '<' or ':' means AVR; a line starting with
// "MSG," means SBS.
func NewReader(src io.Reader, format Format, dec *Decoder) *Reader {
	return &Reader{src: src, format: format, dec: dec, buf: make([]byte, readerBuf)}
}

// Reset makes the Reader read src from offset 0, keeping its buffer,
// format and Decoder (whose state carries over).
func (r *Reader) Reset(src io.Reader) {
	r.src, r.start, r.end, r.base, r.eof, r.err, r.junkAt, r.junkLen = src, 0, 0, 0, false, nil, 0, 0
}

// Format returns the format being read (after detection, once Next has
// been called).
func (r *Reader) Format() Format { return r.format }

// Offset returns the number of input bytes consumed so far.
func (r *Reader) Offset() int64 { return r.base + int64(r.start) }

// fill reads more input into the buffer, sliding unread bytes to the
// front. It sets eof or the sticky error.
func (r *Reader) fill() {
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:r.end])
		r.base += int64(r.start)
		r.start, r.end = 0, n
	}
	if r.end == len(r.buf) {
		return
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err == io.EOF {
			r.eof = true
			return
		}
		if err != nil {
			r.err = fmt.Errorf("offset %d: %w", r.base+int64(r.end), err)
			r.eof = true
			return
		}
		if n > 0 {
			return
		}
	}
	r.err = fmt.Errorf("offset %d: %w", r.base+int64(r.end), io.ErrNoProgress)
	r.eof = true
}

// Next decodes records until one is accepted and stores it in m. It
// returns io.EOF at the end of input, ErrUnknownFormat, or a read error
// naming the offset. Rejected frames are only counted (Decoder.Stats).
func (r *Reader) Next(m *Message) error {
	if r.format == FormatAuto {
		if err := r.detect(); err != nil {
			return err
		}
	}
	for {
		p := r.buf[r.start:r.end]
		var n int
		var res scanResult
		switch r.format {
		case FormatBeast:
			n, res = beastScan(p, r.eof, &r.frame)
		case FormatSBS:
			n, res = sbsScan(p, r.eof)
		default:
			n, res = r.avrScan(p)
		}
		if res == scanMore {
			if r.eof {
				if rest := int64(r.end - r.start); rest > 0 {
					r.dec.stats.TruncatedTail += uint64(rest)
					r.start = r.end
					r.junk(rest)
				}
				r.flushJunk()
				if r.err != nil {
					return r.err
				}
				return io.EOF
			}
			r.fill()
			continue
		}
		off := r.Offset()
		r.start += n
		switch res {
		case scanJunk:
			r.junk(int64(n))
			continue
		case scanSkip:
			if r.junkLen > 0 {
				r.junk(int64(n)) // white space inside a run of junk
			}
			continue
		case scanStatus:
			r.flushJunk()
			r.dec.stats.BeastStatus++
			continue
		case scanSBS:
			r.flushJunk()
			line := p[:n]
			line = bytes.TrimRight(line, "\r\n")
			if r.dec.DecodeSBS(line, off, m) == nil {
				return nil
			}
			continue
		}
		r.flushJunk()
		r.frame.Offset = off
		if r.dec.Decode(&r.frame, m) == nil {
			return nil
		}
	}
}

func (r *Reader) junk(n int64) {
	if r.junkLen == 0 {
		r.junkAt = r.Offset() - n
	}
	r.junkLen += n
	r.dec.stats.JunkBytes += uint64(n)
}

func (r *Reader) flushJunk() {
	if r.junkLen > 0 {
		if r.OnJunk != nil {
			r.OnJunk(r.junkAt, r.junkLen)
		}
		r.junkLen = 0
	}
}

// detect chooses the format from the first record in the first 4 KiB,
// reading only as much as it needs.
func (r *Reader) detect() error {
	for {
		p := r.buf[r.start:r.end]
		if len(p) > detectSpan {
			p = p[:detectSpan]
		}
		if f := detectFormat(p); f != FormatAuto {
			r.format = f
			return nil
		}
		switch {
		case r.err != nil:
			return r.err
		case r.eof && len(p) == 0:
			r.format = FormatAVR // empty input: nothing to detect
			return nil
		case r.eof || len(p) >= detectSpan:
			return ErrUnknownFormat
		}
		r.fill()
	}
}

// detectFormat returns the format of the first record in p, or
// FormatAuto if there is none yet.
func detectFormat(p []byte) Format {
	for i, c := range p {
		if c == beastEsc && i+1 < len(p) && p[i+1] >= '1' && p[i+1] <= '5' {
			return FormatBeast
		}
		if i > 0 && p[i-1] != '\n' {
			continue
		}
		if isAVRStart(c) {
			return FormatAVR
		}
		if bytes.HasPrefix(p[i:], sbsMSG) {
			return FormatSBS
		}
	}
	return FormatAuto
}

func isSpace(c byte) bool { return c == '\n' || c == '\r' || c == ' ' || c == '\t' }

// avrScan frames one AVR record at the start of p.
func (r *Reader) avrScan(p []byte) (int, scanResult) {
	if len(p) == 0 {
		return 0, scanMore
	}
	c := p[0]
	if isSpace(c) {
		n := 1
		for n < len(p) && isSpace(p[n]) {
			n++
		}
		return n, scanSkip
	}
	if !isAVRStart(c) {
		n := 1
		for n < len(p) && !isAVRStart(p[n]) && p[n] != '\n' {
			n++
		}
		return n, scanJunk
	}
	lim := min(len(p), maxAVR)
	for i := 1; i < lim; i++ {
		switch b := p[i]; {
		case b == ';':
			if ParseAVR(p[:i+1], &r.frame) != nil {
				r.dec.stats.MalformedAVR++
				return i + 1, scanJunk
			}
			return i + 1, scanFrame
		case isAVRStart(b) || b == '\n' || b == '\r':
			if ParseAVR(p[:i], &r.frame) == nil {
				return i, scanFrame // a record without its semicolon
			}
			r.dec.stats.MalformedAVR++
			return i, scanJunk
		}
	}
	if len(p) < maxAVR && !r.eof {
		return 0, scanMore
	}
	if len(p) < maxAVR && ParseAVR(p, &r.frame) == nil {
		return len(p), scanFrame
	}
	r.dec.stats.MalformedAVR++
	return lim, scanJunk
}

var (
	sbsMSG   = []byte("MSG,")
	sbsOther = [][]byte{[]byte("SEL,"), []byte("ID,"), []byte("AIR,"), []byte("STA,"), []byte("CLK,")}
)

// sbsScan frames one SBS line at the start of p.
func sbsScan(p []byte, eof bool) (int, scanResult) {
	if len(p) == 0 {
		return 0, scanMore
	}
	if isSpace(p[0]) {
		n := 1
		for n < len(p) && isSpace(p[n]) {
			n++
		}
		return n, scanSkip
	}
	i := bytes.IndexByte(p[:min(len(p), maxSBS)], '\n')
	if i < 0 {
		switch {
		case len(p) >= maxSBS:
			return maxSBS, scanJunk
		case !eof:
			return 0, scanMore
		}
		i = len(p) - 1
	}
	line := p[:i+1]
	if bytes.HasPrefix(line, sbsMSG) {
		return i + 1, scanSBS
	}
	for _, o := range sbsOther {
		if bytes.HasPrefix(line, o) {
			return i + 1, scanSkip
		}
	}
	return i + 1, scanJunk
}

// Dial connects to a receiver's output port (for example dump1090's Beast
// port 30005, its AVR port 30002 or its SBS port 30003) over TCP. The
// caller closes the connection; wrap it with NewReader.
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial receiver: %w", err)
	}
	return c, nil
}

// Listen accepts receivers that push their output to addr over TCP (as
// dump1090 --net-connector or readsb push to port 30004) and calls handler
// on each connection in its own goroutine; see Serve.
func Listen(ctx context.Context, addr string, handler func(context.Context, net.Conn)) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for receivers: %w", err)
	}
	return Serve(ctx, ln, handler)
}

// Serve accepts connections on ln until ctx is done, calling handler on
// each in its own goroutine. When ctx is done it closes ln and every open
// connection, waits for the handlers to return, and returns nil; it
// returns an accept error otherwise. Serve owns ln and the connections.
func Serve(ctx context.Context, ln net.Listener, handler func(context.Context, net.Conn)) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			ln.Close()
			return fmt.Errorf("accept receiver: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			closeConn := context.AfterFunc(ctx, func() { c.Close() })
			defer closeConn()
			defer c.Close()
			handler(ctx, c)
		}()
	}
}
