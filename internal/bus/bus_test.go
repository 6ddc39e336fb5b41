package bus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/testenv"
)

// checkFor polls f every few milliseconds until it returns nil, failing
// the test with f's last error after total (in the manner of nats-server's
// checkFor test helper).
func checkFor(t testing.TB, total time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(total)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("condition not met within %v: %v", total, err)
}

// positions returns n distinct fixes of one simulated aircraft, one per
// second from t0, moving north-east from 32.5°N 117.1°W.
func positions(n int, t0 time.Time) []position.Position {
	ps := make([]position.Position, n)
	for i := range ps {
		ps[i] = position.Position{
			ID:     fmt.Sprintf("icao:%06X", 0xA00000+i%7),
			Source: position.ADSB,
			Time:   t0.Add(time.Duration(i) * time.Second).UTC(),
			Lat:    geo.Degrees(32.5 + float64(i)*1e-4),
			Lon:    geo.Degrees(-117.1 + float64(i)*1e-4),
			Has:    position.HasAltitude | position.HasGroundSpeed,

			Altitude:    geo.Meters(3000 + i%100),
			GroundSpeed: 120,
			Callsign:    "VGA" + strconv.Itoa(i%7),
		}
	}
	return ps
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// openEmbedded opens a bus on an embedded server in dir; the test drains it
// at cleanup unless it was drained already.
func openEmbedded(t testing.TB, dir string, mod func(*Options)) *Bus {
	t.Helper()
	o := DefaultOptions()
	o.DataDir = dir
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drain(t, b) })
	return b
}

func drain(t testing.TB, b *Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Drain(ctx); err != nil {
		t.Error(err)
	}
}

// collector records every delivery a handler sees.
type collector struct {
	mu   sync.Mutex
	got  []Delivery
	sync bool // ack with AckSync
	skip map[uint64]bool
}

func (c *collector) handle(ctx context.Context, batch []Delivery) error {
	for _, d := range batch {
		if c.skip[d.Seq] {
			continue
		}
		var err error
		if c.sync {
			err = d.AckSync(ctx)
		} else {
			err = d.Ack()
		}
		if err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.got = append(c.got, batch...)
	c.mu.Unlock()
	return nil
}

func (c *collector) snapshot() []Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Delivery(nil), c.got...)
}

func (c *collector) waitN(t testing.TB, n int) []Delivery {
	t.Helper()
	checkFor(t, 20*time.Second, func() error {
		if got := len(c.snapshot()); got < n {
			return fmt.Errorf("%d of %d deliveries", got, n)
		}
		return nil
	})
	return c.snapshot()
}

// consume runs b.Consume in the background until the test ends or stop is
// called; stop waits for Consume to return and checks its error.
func consume(t testing.TB, b *Bus, durable string, h Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Consume(ctx, durable, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Consume: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func streamMsgs(t testing.TB, b *Bus) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := b.js.Stream(ctx, PositionsStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func consumerInfo(t testing.TB, b *Bus, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	info, err := tryConsumerInfo(b, durable)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// tryConsumerInfo is consumerInfo for polls: the consumer may not exist yet.
func tryConsumerInfo(b *Bus, durable string) (*jetstream.ConsumerInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := b.js.Consumer(ctx, PositionsStream, durable)
	if err != nil {
		return nil, err
	}
	return c.Info(ctx)
}

func samePosition(a, b position.Position) bool {
	return a.ID == b.ID && a.Source == b.Source && a.Time.Equal(b.Time) && a.Lat == b.Lat && a.Lon == b.Lon &&
		a.Has == b.Has && a.Altitude == b.Altitude && a.GroundSpeed == b.GroundSpeed && a.Callsign == b.Callsign
}

// TestEmbeddedResume publishes positions on the embedded server, consumes
// them in order, restarts the bus on the same directory and shows that the
// durable consumer resumes after the last acknowledged message without
// delivering any acknowledged one again.
func TestEmbeddedResume(t *testing.T) {
	dir := t.TempDir()
	const n, m = 500, 120
	ps := positions(n+m, t0)
	ctx := context.Background()

	b := openEmbedded(t, dir, func(o *Options) { o.Batch = 64 })
	if err := b.PublishPositions(ctx, ps[:n]); err != nil {
		t.Fatal(err)
	}
	var c collector
	stop := consume(t, b, "track", c.handle)
	got := c.waitN(t, n)
	if len(got) != n {
		t.Fatalf("got %d deliveries, want %d", len(got), n)
	}
	for i, d := range got {
		if d.Seq != uint64(i+1) || d.Redelivered || !samePosition(d.Position, ps[i]) {
			t.Fatalf("delivery %d: seq %d redelivered %v position %+v, want seq %d, first delivery, %+v",
				i, d.Seq, d.Redelivered, d.Position, i+1, ps[i])
		}
	}
	checkFor(t, 10*time.Second, func() error {
		if p := consumerInfo(t, b, "track").NumAckPending; p != 0 {
			return fmt.Errorf("%d acks pending", p)
		}
		return nil
	})
	stop()
	drain(t, b)

	b = openEmbedded(t, dir, func(o *Options) { o.Batch = 64 })
	if got := streamMsgs(t, b); got != n {
		t.Fatalf("stream holds %d messages after restart, want %d", got, n)
	}
	// A feed replayed after the restart, within the duplicate window, is
	// recognised: JetStream rebuilt its ids from the stored messages.
	if err := b.PublishPositions(ctx, ps[:n]); err != nil {
		t.Fatal(err)
	}
	if got := streamMsgs(t, b); got != n {
		t.Fatalf("stream holds %d messages after replaying %d after restart, want %d", got, n, n)
	}
	if err := b.PublishPositions(ctx, ps[n:]); err != nil {
		t.Fatal(err)
	}
	var c2 collector
	consume(t, b, "track", c2.handle)
	got = c2.waitN(t, m)
	for i, d := range got {
		if d.Seq != uint64(n+i+1) || d.Redelivered || !samePosition(d.Position, ps[n+i]) {
			t.Fatalf("after restart, delivery %d: seq %d redelivered %v, want seq %d first delivery", i, d.Seq, d.Redelivered, n+i+1)
		}
	}
	checkFor(t, 10*time.Second, func() error {
		info := consumerInfo(t, b, "track")
		if info.NumAckPending != 0 || info.NumPending != 0 {
			return fmt.Errorf("%d acks pending, %d messages pending", info.NumAckPending, info.NumPending)
		}
		// Every message was delivered exactly once over both runs: the
		// consumer's delivery count equals the stream's messages.
		if info.Delivered.Consumer != n+m || info.Delivered.Stream != n+m || info.NumRedelivered != 0 {
			return fmt.Errorf("delivered consumer seq %d stream seq %d, redelivered %d; want %d, %d, 0",
				info.Delivered.Consumer, info.Delivered.Stream, info.NumRedelivered, n+m, n+m)
		}
		return nil
	})
	if got := len(c2.snapshot()); got != m {
		t.Fatalf("after restart got %d deliveries, want %d", got, m)
	}
}

// TestRedeliveryAfterCrash leaves one message unacknowledged, stops the bus
// without draining (as a crash would), and shows the message is delivered
// again, flagged as redelivered, and nothing else is.
func TestRedeliveryAfterCrash(t *testing.T) {
	dir := t.TempDir()
	const n, lost = 10, 6
	ps := positions(n, t0)
	ctx := context.Background()
	mod := func(o *Options) { o.AckWait = time.Second }

	o := DefaultOptions()
	mod(&o)
	o.DataDir = dir
	b, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PublishPositions(ctx, ps); err != nil {
		t.Fatal(err)
	}
	c := collector{sync: true, skip: map[uint64]bool{lost: true}}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Consume(cctx, "store", c.handle) }()
	c.waitN(t, n)
	checkFor(t, 10*time.Second, func() error {
		if p := consumerInfo(t, b, "store").NumAckPending; p != 1 {
			return fmt.Errorf("%d acks pending, want 1", p)
		}
		return nil
	})
	// Crash: connection and server gone, no drain, the consumer still
	// holding message `lost`.
	b.abort()
	cancel()
	<-done

	b = openEmbedded(t, dir, mod)
	var c2 collector
	consume(t, b, "store", c2.handle)
	got := c2.waitN(t, 1)
	if len(got) != 1 || got[0].Seq != lost || !got[0].Redelivered || got[0].NumDelivered != 2 || !samePosition(got[0].Position, ps[lost-1]) {
		t.Fatalf("after crash got %+v, want only seq %d redelivered once", got, lost)
	}
	checkFor(t, 10*time.Second, func() error {
		info := consumerInfo(t, b, "store")
		if info.NumAckPending != 0 || info.NumPending != 0 {
			return fmt.Errorf("%d acks pending, %d pending", info.NumAckPending, info.NumPending)
		}
		return nil
	})
	if got := len(c2.snapshot()); got != 1 {
		t.Fatalf("after crash got %d deliveries, want 1", got)
	}
}

// TestDuplicatePublish shows that a position published again within the
// duplicate window is stored once, by PublishPosition and PublishPositions
// alike, and that a fix differing only in time or place is not a duplicate.
func TestDuplicatePublish(t *testing.T) {
	b := openEmbedded(t, t.TempDir(), nil)
	ctx := context.Background()
	if u := b.ClientURL(); u != "" {
		t.Errorf("ClientURL of an embedded server without Listen: %q, want none", u)
	}
	if err := b.Healthy(ctx); err != nil {
		t.Fatal(err)
	}
	ps := positions(3, t0)
	for range 2 {
		if err := b.PublishPosition(ctx, ps[0]); err != nil {
			t.Fatal(err)
		}
	}
	if got := streamMsgs(t, b); got != 1 {
		t.Fatalf("stream holds %d messages after publishing one position twice, want 1", got)
	}
	if err := b.PublishPositions(ctx, []position.Position{ps[0], ps[1], ps[1], ps[2], ps[0]}); err != nil {
		t.Fatal(err)
	}
	if got := streamMsgs(t, b); got != 3 {
		t.Fatalf("stream holds %d messages, want 3", got)
	}
	moved := ps[0]
	moved.Lat += 1e-7
	later := ps[0]
	later.Time = later.Time.Add(time.Nanosecond)
	if MsgID(&moved) == MsgID(&ps[0]) || MsgID(&later) == MsgID(&ps[0]) {
		t.Fatalf("message id does not depend on place and time: %s", MsgID(&ps[0]))
	}
	if err := b.PublishPositions(ctx, []position.Position{moved, later}); err != nil {
		t.Fatal(err)
	}
	if got := streamMsgs(t, b); got != 5 {
		t.Fatalf("stream holds %d messages, want 5", got)
	}
}

// TestBadInput checks the errors of bad options and bad positions.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, DefaultOptions()); err == nil || !strings.Contains(err.Error(), "DataDir") {
		t.Fatalf("Open without DataDir: %v, want an error naming DataDir", err)
	}
	o := DefaultOptions()
	o.DataDir, o.Listen = t.TempDir(), "127.0.0.1:http-alt"
	if _, err := Open(ctx, o); err == nil || !strings.Contains(err.Error(), "Listen") {
		t.Fatalf("Open with a bad port: %v, want an error naming Listen", err)
	}
	b := openEmbedded(t, t.TempDir(), nil)
	p := positions(1, t0)[0]
	p.ID = ""
	if err := b.PublishPositions(ctx, []position.Position{positions(1, t0)[0], p}); err == nil || !strings.Contains(err.Error(), "index 1") {
		t.Fatalf("publishing a position without id: %v, want an error naming index 1", err)
	}
	// A message on the stream that is not a position is terminated, and
	// the consumer goes on.
	if _, err := b.js.Publish(ctx, "positions.adsb", []byte("not json")); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishPosition(ctx, positions(2, t0)[1]); err != nil {
		t.Fatal(err)
	}
	var c collector
	consume(t, b, "track", c.handle)
	got := c.waitN(t, 2)
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 3 {
		t.Fatalf("got %d deliveries (%+v), want seqs 1 and 3", len(got), got)
	}
	checkFor(t, 10*time.Second, func() error {
		if p := consumerInfo(t, b, "track").NumAckPending; p != 0 {
			return fmt.Errorf("%d acks pending", p)
		}
		return nil
	})
}

// TestHandlerError shows that a batch whose handler fails is delivered
// again.
func TestHandlerError(t *testing.T) {
	b := openEmbedded(t, t.TempDir(), func(o *Options) { o.RetryDelay = 10 * time.Millisecond })
	ctx := context.Background()
	if err := b.PublishPositions(ctx, positions(5, t0)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var failed []uint64 // seqs of the batch that failed
	var c collector
	consume(t, b, "store", func(ctx context.Context, batch []Delivery) error {
		mu.Lock()
		first := failed == nil
		if first {
			for _, d := range batch {
				failed = append(failed, d.Seq)
			}
		}
		mu.Unlock()
		if first {
			return errors.New("store unavailable")
		}
		return c.handle(ctx, batch)
	})
	got := c.waitN(t, 5)
	seen := map[uint64]Delivery{}
	for _, d := range got {
		seen[d.Seq] = d
	}
	if len(seen) != 5 || len(got) != 5 {
		t.Fatalf("got %d deliveries of seqs %v, want 1–5 once each", len(got), seen)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, seq := range failed {
		if d := seen[seq]; !d.Redelivered || d.NumDelivered != 2 {
			t.Fatalf("seq %d of the failed batch: redelivered %v, %d deliveries; want redelivered, 2", seq, d.Redelivered, d.NumDelivered)
		}
	}
}

// TestLogger checks that the embedded server logs through the injected
// slog logger.
func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	h := slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelInfo})
	b := openEmbedded(t, t.TempDir(), func(o *Options) { o.Logger = slog.New(h) })
	drain(t, b)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, want := range []string{"component=nats-server", "Starting JetStream", "component=bus", "bus drained"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestDrain publishes while the bus drains: the publish completes and
// every position it published is stored, later publishes and consumers get
// ErrClosed, a running consumer returns nil, and no goroutine is left.
func TestDrain(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	ctx := context.Background()
	o := DefaultOptions()
	o.DataDir = dir
	b, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	var c collector
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	consDone := make(chan error, 1)
	go func() { consDone <- b.Consume(cctx, "track", c.handle) }()

	// A publisher publishes chunks until the bus refuses; Drain starts
	// after the first chunk is stored, while the publisher is running.
	const chunk = 1000
	var ok int
	pubDone := make(chan error, 1)
	first := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			if err := b.PublishPositions(ctx, positions(chunk, t0.Add(time.Duration(i)*time.Hour))); err != nil {
				pubDone <- err
				return
			}
			ok++
			if i == 0 {
				close(first)
			}
		}
	}()
	<-first
	dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
	defer dcancel()
	if err := b.Drain(dctx); err != nil {
		t.Fatal(err)
	}
	pubErr := <-pubDone
	if !errors.Is(pubErr, ErrClosed) {
		t.Fatalf("publish after Drain: %v, want ErrClosed", pubErr)
	}
	if err := <-consDone; err != nil {
		t.Fatalf("Consume after Drain: %v, want nil", err)
	}
	if err := b.PublishPosition(ctx, positions(1, t0)[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("PublishPosition after Drain: %v, want ErrClosed", err)
	}
	if err := b.Consume(ctx, "track", c.handle); !errors.Is(err, ErrClosed) {
		t.Fatalf("Consume after Drain: %v, want ErrClosed", err)
	}
	checkFor(t, 10*time.Second, func() error {
		if g := runtime.NumGoroutine(); g > before {
			return fmt.Errorf("%d goroutines, %d before Open", g, before)
		}
		return nil
	})

	// Every chunk whose publish returned nil is stored, and nothing else
	// (a refused publish sends nothing).
	b = openEmbedded(t, dir, nil)
	if stored := streamMsgs(t, b); stored != uint64(ok*chunk) {
		t.Fatalf("%d positions stored, want the %d of the %d chunks acknowledged", stored, ok*chunk, ok)
	}
	t.Logf("%d chunks of %d published before Drain", ok, chunk)
}

// freeAddr returns a loopback address with a port free at the time of the
// call.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// externalServer starts Debian's nats-server with JetStream on a free
// loopback port and returns its URL.
func externalServer(t *testing.T) string {
	t.Helper()
	if !strings.Contains(os.Getenv("PATH"), "/usr/sbin") {
		t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+"/usr/sbin")
	}
	bin := testenv.Tool(t, "nats-server")
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	var out bytes.Buffer
	cmd := exec.Command(bin, "-js", "-sd", t.TempDir(), "-a", host, "-p", port)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	checkFor(t, 20*time.Second, func() error {
		select {
		case <-exited:
			t.Fatalf("nats-server exited:\n%s", out.String())
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	})
	return "nats://" + addr
}

// TestSharedDurableExternal runs two buses, as two vigia processes would,
// against Debian's nats-server and shows they share one durable consumer.
func TestSharedDurableExternal(t *testing.T) {
	testSharedDurable(t, externalServer(t))
}

// TestSharedDurableEmbeddedTCP is the same with the module's own server,
// embedded in a third bus that listens on loopback.
func TestSharedDurableEmbeddedTCP(t *testing.T) {
	host := openEmbedded(t, t.TempDir(), func(o *Options) { o.Listen = "127.0.0.1:0" })
	url := host.ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("ClientURL %q, want a loopback URL", url)
	}
	testSharedDurable(t, url)
}

// testSharedDurable shows that every message is processed exactly once
// across two buses consuming one durable, and that both take part.
func testSharedDurable(t *testing.T, url string) {
	ctx := context.Background()
	open := func() *Bus {
		o := DefaultOptions()
		o.URL = url
		o.Batch = 25
		b, err := Open(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { drain(t, b) })
		if err := b.Healthy(ctx); err != nil {
			t.Fatal(err)
		}
		return b
	}
	b1, b2 := open(), open()
	var mu sync.Mutex
	count := map[uint64]int{}
	per := [2]int{}
	handler := func(i int) Handler {
		return func(ctx context.Context, batch []Delivery) error {
			for _, d := range batch {
				if err := d.Ack(); err != nil {
					return err
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range batch {
				count[d.Seq]++
				per[i]++
			}
			return nil
		}
	}
	consume(t, b1, "store", handler(0))
	consume(t, b2, "store", handler(1))
	// Both processes are waiting for messages before any is published.
	checkFor(t, 10*time.Second, func() error {
		info, err := tryConsumerInfo(b1, "store")
		if err != nil {
			return err
		}
		if w := info.NumWaiting; w < 2 {
			return fmt.Errorf("%d pull requests waiting, want 2", w)
		}
		return nil
	})
	const n = 3000
	ps := positions(n, t0)
	for i := 0; i < n; i += 500 {
		pub := b1
		if i/500%2 == 1 {
			pub = b2
		}
		if err := pub.PublishPositions(ctx, ps[i:i+500]); err != nil {
			t.Fatal(err)
		}
	}
	checkFor(t, 20*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(count) < n {
			return fmt.Errorf("%d of %d messages processed", len(count), n)
		}
		return nil
	})
	checkFor(t, 10*time.Second, func() error {
		info := consumerInfo(t, b1, "store")
		if info.NumAckPending != 0 || info.NumPending != 0 {
			return fmt.Errorf("%d acks pending, %d pending", info.NumAckPending, info.NumPending)
		}
		if info.NumRedelivered != 0 {
			return fmt.Errorf("%d redelivered", info.NumRedelivered)
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for seq, k := range count {
		if k != 1 || seq < 1 || seq > n {
			t.Fatalf("message %d processed %d times", seq, k)
		}
	}
	if per[0] == 0 || per[1] == 0 || per[0]+per[1] != n {
		t.Fatalf("processed %d and %d messages, want both > 0 summing to %d", per[0], per[1], n)
	}
	t.Logf("two processes processed %d and %d of %d messages", per[0], per[1], n)
}
