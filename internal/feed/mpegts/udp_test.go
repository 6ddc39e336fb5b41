package mpegts

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// nullPackets returns n null packets (PID 0x1FFF), as a live stream keeps
// sending; they let the demuxer see past the last packet of interest.
func nullPackets(n int) []byte {
	var out []byte
	for range n {
		p := make([]byte, PacketSize)
		p[0], p[1], p[2], p[3] = SyncByte, 0x1F, 0xFF, 0x10
		out = append(out, p...)
	}
	return out
}

// sendTS sends ts to addr as datagrams of 7 TS packets (1316 bytes), each
// behind an RTP header if rtp is set.
func sendTS(t *testing.T, conn *net.UDPConn, addr *net.UDPAddr, ts []byte, rtp bool) {
	t.Helper()
	var seq uint16
	for i := 0; i < len(ts); i += 7 * PacketSize {
		d := ts[i:min(i+7*PacketSize, len(ts))]
		if rtp {
			h := []byte{0x80, rtpPayloadMP2T, byte(seq >> 8), byte(seq), 0, 0, 0, 0, 0, 0, 0, 1}
			seq++
			d = append(h, d...)
		}
		if _, err := conn.WriteToUDP(d, addr); err != nil {
			t.Error(err) // not Fatal: this runs in its own goroutine
			return
		}
		if i%(70*PacketSize) == 0 {
			time.Sleep(time.Millisecond) // pace a little: loopback drops bursts beyond the socket buffer
		}
	}
}

// receiveUnits demuxes r until want units came, then calls cancel (which
// waits for the sender and cancels the reader's context) and checks that
// the demuxer ends with io.EOF.
func receiveUnits(t *testing.T, r io.ReadCloser, cancel func(), want []Unit) {
	t.Helper()
	d := NewDemuxer(r)
	var got []Unit
	for len(got) < len(want) {
		u, err := d.Next()
		if err != nil {
			t.Fatalf("after %d units: %v (stats %+v)", len(got), err, d.Stats())
		}
		u.Data = append([]byte(nil), u.Data...)
		got = append(got, u)
	}
	sameUnits(t, got, want)
	cancel()
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("after cancel: %v, want io.EOF", err)
	}
	if st := d.Stats(); st.CCErrors != 0 || st.SkippedBytes != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestUDPUnicast(t *testing.T) {
	m := muxStream(t, Sync, 60, klvPackets(t), MuxOptions{})
	for _, rtp := range []bool{false, true} {
		name := "plain"
		if rtp {
			name = "rtp"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r, err := NewUDPReader(ctx, "udp://127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			addr := LocalAddr(r).(*net.UDPAddr)
			conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				sendTS(t, conn, addr, append(append([]byte(nil), m.ts...), nullPackets(7)...), rtp)
			}()
			receiveUnits(t, r, func() { <-done; cancel() }, m.units)
		})
	}
}

func TestUDPMulticast(t *testing.T) {
	m := muxStream(t, Async, 30, klvPackets(t), MuxOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const group = "239.255.77.11"
	probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		t.Fatal(err)
	}
	port := probe.LocalAddr().(*net.UDPAddr).Port
	probe.Close()
	r, err := NewUDPReader(ctx, "udp://@"+net.JoinHostPort(group, strconv.Itoa(port)))
	if err != nil {
		t.Skipf("cannot join multicast group %s here: %v", group, err)
	}
	defer r.Close()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dst := &net.UDPAddr{IP: net.ParseIP(group), Port: port}
	// Check that a looped-back multicast datagram arrives at all before
	// testing the stream; some sandboxes have no multicast route.
	if _, err := conn.WriteToUDP(nullPackets(7), dst); err != nil {
		t.Skipf("cannot send to multicast group %s here: %v", group, err)
	}
	first := make(chan error, 1)
	go func() {
		buf := make([]byte, 7*PacketSize)
		_, err := io.ReadFull(r, buf)
		first <- err
	}()
	select {
	case err := <-first:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Skipf("no multicast datagram looped back to %s within 3 s: multicast loopback unavailable here", group)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sendTS(t, conn, dst, append(append([]byte(nil), m.ts...), nullPackets(7)...), false)
	}()
	receiveUnits(t, r, func() { <-done; cancel() }, m.units)
}

func TestUDPAddr(t *testing.T) {
	for _, tc := range []struct {
		in, hostport, iface string
		bad                 bool
	}{
		{"127.0.0.1:5000", "127.0.0.1:5000", "", false},
		{"udp://127.0.0.1:5000", "127.0.0.1:5000", "", false},
		{"udp://@239.1.1.1:1234", "239.1.1.1:1234", "", false},
		{"udp://239.1.1.1:1234?iface=eth0", "239.1.1.1:1234", "eth0", false},
		{":5000", ":5000", "", false},
		{"udp://[::1]:5000", "[::1]:5000", "", false},
		{"localhost", "", "", true},
		{"udp://%zz", "", "", true},
	} {
		hp, iface, err := parseUDPAddr(tc.in)
		if (err != nil) != tc.bad || hp != tc.hostport || iface != tc.iface {
			t.Errorf("parseUDPAddr(%q) = %q, %q, %v", tc.in, hp, iface, err)
		}
	}
	if _, err := NewUDPReader(context.Background(), "udp://nowhere"); err == nil {
		t.Error("bad address accepted")
	}
	// A context already done: the reader is closed at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := NewUDPReader(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("Read after cancel: %d, %v", n, err)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
}

func TestRTPHeaderLen(t *testing.T) {
	ts := nullPackets(1)
	for _, tc := range []struct {
		name string
		b    []byte
		want int
	}{
		{"plain TS", ts, 0},
		{"RTP", append([]byte{0x80, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, ts...), 12},
		{"RTP, 2 CSRC, marker", append([]byte{0x82, 0x80 | 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}, ts...), 20},
		{"RTP with extension", append([]byte{0x90, 33, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 1, 2, 3, 4}, ts...), 20},
		{"other payload type", append([]byte{0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, ts...), 0},
		{"short", []byte{0x80, 33}, 0},
	} {
		if got := rtpHeaderLen(tc.b); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestDatagramWriter sends a stream over loopback UDP through a
// DatagramWriter on a connected socket, as the simulator does, and checks
// the datagram sizes and the units read back.
func TestDatagramWriter(t *testing.T) {
	m := muxStream(t, Async, 30, klvPackets(t), MuxOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := NewUDPReader(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	conn, err := net.Dial("udp", LocalAddr(r).String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sizes := &sizeRecorder{w: conn}
	dw := NewDatagramWriter(sizes)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ts := append(append([]byte(nil), m.ts...), nullPackets(8)...)
		for i := 0; i < len(ts); i += 1000 { // writes not aligned to datagrams
			if _, err := dw.Write(ts[i:min(i+1000, len(ts))]); err != nil {
				t.Error(err)
				return
			}
			if i%50000 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		if err := dw.Flush(); err != nil {
			t.Error(err)
		}
	}()
	receiveUnits(t, r, func() { <-done; cancel() }, m.units)
	for i, n := range sizes.get() {
		if n != DatagramSize && i != len(sizes.get())-1 {
			t.Fatalf("datagram %d has %d bytes", i, n)
		}
	}
}

type sizeRecorder struct {
	w     io.Writer
	mu    sync.Mutex
	sizes []int
}

func (s *sizeRecorder) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.sizes = append(s.sizes, len(p))
	s.mu.Unlock()
	return s.w.Write(p)
}

func (s *sizeRecorder) get() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.sizes...)
}
