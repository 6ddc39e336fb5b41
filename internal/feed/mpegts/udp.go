package mpegts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
)

// udpBufferSize is the socket receive buffer asked for: about 3 s of a
// 10 Mbit/s stream, so that a busy reader does not lose datagrams.
const udpBufferSize = 4 << 20

// rtpPayloadMP2T is the RTP payload type of MPEG-2 transport streams
// (RFC 3551).
const rtpPayloadMP2T = 33

// NewUDPReader listens for a transport stream sent over UDP to addr and
// returns it as a byte stream. addr is "host:port" or "udp://host:port"
// (an "@" before the host, as in ffmpeg's "udp://@239.1.1.1:1234", is
// allowed); an empty host listens on every address. A multicast group
// address is joined, on the interface named by an "?iface=NAME" query
// (udp:// form) or else the system's default; a unicast address must be
// local. Datagrams
// carry whole TS packets (usually 7, 1316 bytes); an RTP header
// (payload type 33, RFC 2250) is removed.
//
// Read returns the datagrams' bytes in order of arrival; it returns io.EOF
// once ctx is done or the reader closed. Close may be called from another
// goroutine to end a blocked Read; Read itself is for one goroutine.
func NewUDPReader(ctx context.Context, addr string) (io.ReadCloser, error) {
	hostport, iface, err := parseUDPAddr(addr)
	if err != nil {
		return nil, err
	}
	ua, err := net.ResolveUDPAddr("udp", hostport)
	if err != nil {
		return nil, fmt.Errorf("mpegts: udp address %q: %w", addr, err)
	}
	var conn *net.UDPConn
	if ua.IP != nil && ua.IP.IsMulticast() {
		var ifi *net.Interface
		if iface != "" {
			if ifi, err = net.InterfaceByName(iface); err != nil {
				return nil, fmt.Errorf("mpegts: udp address %q: interface: %w", addr, err)
			}
		}
		conn, err = net.ListenMulticastUDP("udp", ifi, ua)
	} else {
		conn, err = net.ListenUDP("udp", ua)
	}
	if err != nil {
		return nil, fmt.Errorf("mpegts: listen %q: %w", addr, err)
	}
	_ = conn.SetReadBuffer(udpBufferSize) // best effort: the system may cap it
	r := &udpReader{conn: conn, buf: make([]byte, 1<<16)}
	r.stop = context.AfterFunc(ctx, func() { r.shutdown() })
	return r, nil
}

// parseUDPAddr splits "udp://@host:port?iface=NAME" into host:port and the
// interface name.
func parseUDPAddr(addr string) (hostport, iface string, err error) {
	s := addr
	if rest, ok := strings.CutPrefix(s, "udp://"); ok {
		u, err := url.Parse("udp://" + strings.TrimPrefix(rest, "@"))
		if err != nil {
			return "", "", fmt.Errorf("mpegts: udp address %q: %w", addr, err)
		}
		s, iface = u.Host, u.Query().Get("iface")
	}
	s = strings.TrimPrefix(s, "@")
	if _, _, err := net.SplitHostPort(s); err != nil {
		return "", "", fmt.Errorf("mpegts: udp address %q: %w", addr, err)
	}
	return s, iface, nil
}

// LocalAddr returns the address a reader from NewUDPReader listens on (for
// a port chosen by the system with port 0), or nil for another reader.
func LocalAddr(r io.Reader) net.Addr {
	if u, ok := r.(*udpReader); ok {
		return u.conn.LocalAddr()
	}
	return nil
}

type udpReader struct {
	conn   *net.UDPConn
	stop   func() bool
	closed atomic.Bool
	buf    []byte
	off, n int // unread datagram bytes are buf[off:n]
}

func (r *udpReader) Read(p []byte) (int, error) {
	for r.off >= r.n {
		if r.closed.Load() {
			return 0, io.EOF
		}
		n, err := r.conn.Read(r.buf)
		if err != nil {
			if r.closed.Load() || errors.Is(err, net.ErrClosed) {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("mpegts: udp read: %w", err)
		}
		r.off, r.n = rtpHeaderLen(r.buf[:n]), n
	}
	n := copy(p, r.buf[r.off:r.n])
	r.off += n
	return n, nil
}

// rtpHeaderLen returns the length of the RTP header (RFC 3550 5.1) before
// the TS packets of datagram b, or 0 if b does not start with one.
func rtpHeaderLen(b []byte) int {
	if len(b) < 12 || b[0] == SyncByte || b[0]>>6 != 2 || b[1]&0x7F != rtpPayloadMP2T {
		return 0
	}
	h := 12 + 4*int(b[0]&0x0F) // CSRC list
	if b[0]&0x10 != 0 {        // header extension
		if len(b) < h+4 {
			return 0
		}
		h += 4 + 4*(int(b[h+2])<<8|int(b[h+3]))
	}
	if h > len(b) {
		return 0
	}
	return h
}

// Close closes the socket; a blocked Read returns io.EOF.
func (r *udpReader) Close() error {
	r.stop()
	return r.shutdown()
}

// shutdown closes the socket once (from Close or when ctx is done).
func (r *udpReader) shutdown() error {
	if r.closed.Swap(true) {
		return nil
	}
	return r.conn.Close()
}

// DatagramSize is the usual UDP payload of a transport stream: 7 packets,
// 1316 bytes, which fits an Ethernet MTU with IP and UDP headers.
const DatagramSize = 7 * PacketSize

// DatagramWriter cuts a transport stream into DatagramSize writes, for a
// UDP socket (a net.Conn from net.Dial("udp", ...)): each Write to the
// underlying writer is one datagram of 7 whole packets. Bytes short of a
// datagram wait for the next Write or for Flush. A DatagramWriter is not
// safe for concurrent use.
type DatagramWriter struct {
	w   io.Writer
	buf []byte
}

// NewDatagramWriter returns a DatagramWriter writing to w.
func NewDatagramWriter(w io.Writer) *DatagramWriter {
	return &DatagramWriter{w: w, buf: make([]byte, 0, DatagramSize)}
}

// Write sends every complete datagram that p completes and keeps the rest.
func (d *DatagramWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(DatagramSize-len(d.buf), len(p))
		d.buf = append(d.buf, p[:k]...)
		p = p[k:]
		if len(d.buf) == DatagramSize {
			if _, err := d.w.Write(d.buf); err != nil {
				return n - len(p), fmt.Errorf("mpegts: send datagram: %w", err)
			}
			d.buf = d.buf[:0]
		}
	}
	return n, nil
}

// Flush sends the bytes kept back as a shorter datagram.
func (d *DatagramWriter) Flush() error {
	if len(d.buf) == 0 {
		return nil
	}
	_, err := d.w.Write(d.buf)
	d.buf = d.buf[:0]
	if err != nil {
		return fmt.Errorf("mpegts: send datagram: %w", err)
	}
	return nil
}
