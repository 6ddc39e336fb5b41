package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/vigia/vigia/internal/feed/mpegts"
)

// Pacer holds a run to the wall clock: scenario time t is released at
// start + t/Speed. Wait is safe for concurrent use.
type Pacer struct {
	// Speed is the speed-up factor: 1 is real time, 60 runs a minute of
	// scenario each second.
	Speed float64
	start time.Time
}

// NewPacer returns a Pacer whose scenario time 0 is now.
func NewPacer(speed float64) *Pacer {
	if speed <= 0 {
		speed = 1
	}
	return &Pacer{Speed: speed, start: time.Now()}
}

// Wait returns when scenario time t is due, or early with ctx's error. It
// is the Output.Pace of live runs.
func (p *Pacer) Wait(ctx context.Context, t time.Duration) error {
	due := p.start.Add(time.Duration(float64(t) / p.Speed))
	d := time.Until(due)
	if d <= time.Millisecond {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Broadcaster is a TCP server that pushes everything written to it to
// every connected client, as a receiver's raw or Beast output port does.
// A client that cannot take a write within WriteTimeout is dropped. Write
// and Clients are safe for concurrent use.
type Broadcaster struct {
	ln  net.Listener
	log *slog.Logger
	// WriteTimeout bounds each write to one client.
	WriteTimeout time.Duration

	mu      sync.Mutex
	clients map[net.Conn]struct{}
	joined  chan struct{} // closed at the first client
	closed  bool
	wg      sync.WaitGroup
}

// Listen starts a Broadcaster on addr ("host:port"; port 0 picks one).
// log receives connects and drops (nil discards).
func Listen(addr string, log *slog.Logger) (*Broadcaster, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Broadcaster{ln: ln, log: log, WriteTimeout: 5 * time.Second, clients: map[net.Conn]struct{}{}, joined: make(chan struct{})}
	b.wg.Add(1)
	go b.accept()
	return b, nil
}

// Addr returns the address the Broadcaster listens on.
func (b *Broadcaster) Addr() net.Addr { return b.ln.Addr() }

func (b *Broadcaster) accept() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			c.Close()
			return
		}
		if len(b.clients) == 0 {
			select {
			case <-b.joined:
			default:
				close(b.joined)
			}
		}
		b.clients[c] = struct{}{}
		b.mu.Unlock()
		b.log.Info("client connected", "addr", c.RemoteAddr().String())
	}
}

// WaitClient returns once a first client has connected, or with ctx's
// error.
func (b *Broadcaster) WaitClient(ctx context.Context) error {
	select {
	case <-b.joined:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Clients returns the number of connected clients.
func (b *Broadcaster) Clients() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.clients)
}

// Write sends p to every client; it never fails (clients that fail are
// dropped).
func (b *Broadcaster) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.clients {
		if b.WriteTimeout > 0 {
			_ = c.SetWriteDeadline(time.Now().Add(b.WriteTimeout))
		}
		if _, err := c.Write(p); err != nil {
			b.log.Info("client dropped", "addr", c.RemoteAddr().String(), "err", err)
			c.Close()
			delete(b.clients, c)
		}
	}
	return len(p), nil
}

// Close stops listening and closes every client connection.
func (b *Broadcaster) Close() error {
	b.mu.Lock()
	b.closed = true
	for c := range b.clients {
		c.Close()
	}
	b.clients = map[net.Conn]struct{}{}
	b.mu.Unlock()
	err := b.ln.Close()
	b.wg.Wait()
	return err
}

// DialTCP connects to a TCP server that takes a receiver's output (for
// example a decoder's Beast input port), retrying for up to ten seconds
// while the connection is refused.
func DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil, fmt.Errorf("connect %s: %w", addr, err)
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// DatagramPackets is the number of 188-byte TS packets sent per UDP
// datagram (1316 bytes, the usual choice that fits an Ethernet MTU).
const DatagramPackets = 7

// UDPSender sends a transport stream over UDP, DatagramPackets packets per
// datagram, to a unicast or multicast address. It is not safe for
// concurrent use.
type UDPSender struct {
	conn *net.UDPConn
	buf  []byte
	err  error
}

// DialUDP returns a UDPSender to addr ("host:port", or "udp://host:port").
func DialUDP(addr string) (*UDPSender, error) {
	if len(addr) > 6 && addr[:6] == "udp://" {
		addr = addr[6:]
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	c, err := net.DialUDP("udp", nil, ua)
	if err != nil {
		return nil, err
	}
	return &UDPSender{conn: c, buf: make([]byte, 0, DatagramPackets*mpegts.PacketSize)}, nil
}

// Write queues TS bytes and sends each full datagram; the error of a
// failed send is sticky.
func (u *UDPSender) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && u.err == nil {
		k := min(len(p), cap(u.buf)-len(u.buf))
		u.buf = append(u.buf, p[:k]...)
		p = p[k:]
		if len(u.buf) == cap(u.buf) {
			u.flush()
		}
	}
	if u.err != nil {
		return 0, u.err
	}
	return n, nil
}

func (u *UDPSender) flush() {
	if len(u.buf) == 0 || u.err != nil {
		return
	}
	if _, err := u.conn.Write(u.buf); err != nil {
		// A refused datagram (nobody listening yet) is not fatal for a
		// live stream.
		if !errors.Is(err, syscall.ECONNREFUSED) {
			u.err = err
		}
	}
	u.buf = u.buf[:0]
}

// Close sends any queued packets (a short datagram) and closes the socket.
func (u *UDPSender) Close() error {
	u.flush()
	err := u.conn.Close()
	if u.err != nil {
		return u.err
	}
	return err
}
