package sim

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/mpegts"
)

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	n  int // datagrams
	sz []int
}

func (l *lockedBuffer) add(p []byte) {
	l.mu.Lock()
	l.b.Write(p)
	l.n++
	l.sz = append(l.sz, len(p))
	l.mu.Unlock()
}

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}

// TestLiveSameBytes runs the border scenario live at a 100× speed-up over
// loopback: Beast to a client of a Broadcaster, AVR to a TCP server the
// simulator dials, and each drone's TS over UDP; what arrives must be
// byte for byte what file mode writes, and every datagram but the last
// of a stream must hold 7 TS packets.
func TestLiveSameBytes(t *testing.T) {
	const d = 20 * time.Second
	want := runBorder(t, d)
	sc := *want.sim.Scenario
	s, err := New(&sc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// A client of the Broadcaster (Beast).
	b, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err := net.Dial("tcp", b.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	waitFor(t, "the client to be accepted", func() bool { return b.Clients() == 1 })
	if err := b.WaitClient(ctx); err != nil {
		t.Fatal(err)
	}
	var beast bytes.Buffer
	beastDone := make(chan error, 1)
	go func() { _, err := io.Copy(&beast, client); beastDone <- err }()

	// A server the simulator connects to (AVR).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var avr bytes.Buffer
	avrDone := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			avrDone <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(&avr, c)
		avrDone <- err
	}()
	conn, err := DialTCP(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}

	// UDP receivers, one per drone.
	got := map[string]*lockedBuffer{}
	senders := map[string]*UDPSender{}
	o := &Output{Beast: b, AVR: conn, TS: map[string]io.Writer{}, Pace: NewPacer(100).Wait}
	for id := range want.ts {
		pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		_ = pc.SetReadBuffer(8 << 20)
		lb := &lockedBuffer{}
		got[id] = lb
		go func() {
			buf := make([]byte, 65536)
			for {
				n, err := pc.Read(buf)
				if err != nil {
					return
				}
				lb.add(buf[:n])
			}
		}()
		u, err := DialUDP("udp://" + pc.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		senders[id] = u
		o.TS[id] = u
	}
	st, err := s.Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if st != want.stats {
		t.Errorf("live stats %+v, file stats %+v", st, want.stats)
	}
	for _, u := range senders {
		if err := u.Close(); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-avrDone; err != nil {
		t.Fatal(err)
	}
	<-beastDone
	if !bytes.Equal(beast.Bytes(), want.beast.Bytes()) {
		t.Errorf("Beast over TCP: %d bytes, file mode %d, or different", beast.Len(), want.beast.Len())
	}
	if !bytes.Equal(avr.Bytes(), want.avr.Bytes()) {
		t.Errorf("AVR over TCP: %d bytes, file mode %d, or different", avr.Len(), want.avr.Len())
	}
	for id, lb := range got {
		w := want.ts[id].Bytes()
		waitFor(t, id+" datagrams", func() bool { return len(lb.bytes()) >= len(w) })
		if !bytes.Equal(lb.bytes(), w) {
			t.Errorf("%s: UDP delivered different bytes from file mode", id)
		}
		lb.mu.Lock()
		for i, n := range lb.sz {
			if i < len(lb.sz)-1 && n != DatagramPackets*mpegts.PacketSize {
				t.Errorf("%s: datagram %d of %d bytes", id, i, n)
				break
			}
		}
		lb.mu.Unlock()
	}
}

func TestPacerStopsOnCancel(t *testing.T) {
	p := NewPacer(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx, time.Hour); err == nil {
		t.Error("Wait on a cancelled context returned nil")
	}
	if err := p.Wait(context.Background(), 0); err != nil {
		t.Errorf("Wait for a time already past: %v", err)
	}
}
