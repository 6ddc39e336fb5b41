package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/bus"
	"github.com/vigia/vigia/internal/feed/adsb"
	"github.com/vigia/vigia/internal/feed/klv"
	"github.com/vigia/vigia/internal/feed/mpegts"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// Feed is one source of telemetry.
type Feed struct {
	// Name labels the feed in logs and metrics; default the spec.
	Name string
	// Format is "adsb" (AVR, Beast or SBS, detected), "avr", "beast",
	// "sbs", or "klv" (MPEG-TS carrying ST 0601, or raw KLV).
	Format string
	// Mode is "connect" (dial Addr, reconnecting), "listen" (accept TCP
	// connections on Addr), "udp" (receive datagrams on Addr, unicast or
	// multicast; KLV in TS only) or "file" (read the file Addr once).
	Mode string
	Addr string
	// Receiver is the ADS-B receiver's position, when known: it allows
	// local CPR decoding and surface positions.
	Receiver *geo.LatLon
	// Start is the UTC time of the receiver's 12 MHz clock zero. When zero,
	// a live feed's clock reads as the arrival time of its first frame, and
	// a file's positions without time of their own are dropped (counted).
	Start time.Time
	// Reader, for a file feed, is read instead of opening Addr (for
	// standard input, or a reader that shows progress). It is not closed.
	Reader io.Reader
}

// ParseFeed reads a feed spec: FORMAT+SCHEME://ADDR, with FORMAT one of
// adsb, avr, beast, sbs, klv (default adsb, or klv for udp) and SCHEME tcp
// (connect to a receiver), listen (receivers connect to us), udp or file;
// a spec without "://" is a file. Query parameters: receiver=LAT,LON,
// start=RFC3339, name=NAME. Examples: "beast+tcp://127.0.0.1:30005",
// "avr+listen://127.0.0.1:30002", "klv+udp://239.10.10.10:5000",
// "recording.bin".
func ParseFeed(spec string) (Feed, error) {
	f := Feed{Name: spec}
	rest := spec
	i := strings.Index(spec, "://")
	if i < 0 {
		f.Mode, f.Addr = "file", spec
		if p := strings.IndexByte(spec, '+'); p > 0 && validFormat(spec[:p]) {
			f.Format, f.Addr = spec[:p], spec[p+1:]
		}
		if f.Format == "" {
			f.Format = "auto"
		}
		return f, nil
	}
	scheme := spec[:i]
	if p := strings.IndexByte(scheme, '+'); p >= 0 {
		f.Format, scheme = scheme[:p], scheme[p+1:]
	}
	rest = spec[i+3:]
	u, err := url.Parse("x://" + rest)
	if err != nil {
		return f, fmt.Errorf("feed %q: %w", spec, err)
	}
	switch scheme {
	case "tcp":
		f.Mode = "connect"
	case "listen", "udp", "file":
		f.Mode = scheme
	default:
		return f, fmt.Errorf("feed %q: scheme %q: want tcp, listen, udp or file", spec, scheme)
	}
	if f.Mode == "file" {
		f.Addr = rest
	} else {
		f.Addr = u.Host
		if _, _, err := net.SplitHostPort(f.Addr); err != nil {
			return f, fmt.Errorf("feed %q: address %q: %v", spec, f.Addr, err)
		}
	}
	if f.Format == "" {
		f.Format = "adsb"
		if f.Mode == "udp" {
			f.Format = "klv"
		}
	}
	if !validFormat(f.Format) {
		return f, fmt.Errorf("feed %q: format %q: want adsb, avr, beast, sbs or klv", spec, f.Format)
	}
	if f.Mode == "udp" && f.Format != "klv" {
		return f, fmt.Errorf("feed %q: udp carries KLV in MPEG-TS only", spec)
	}
	q := u.Query()
	if n := q.Get("name"); n != "" {
		f.Name = n
	}
	if s := q.Get("receiver"); s != "" {
		var lat, lon float64
		if _, err := fmt.Sscanf(s, "%g,%g", &lat, &lon); err != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return f, fmt.Errorf("feed %q: receiver %q: want LAT,LON in degrees", spec, s)
		}
		f.Receiver = &geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
	}
	if s := q.Get("start"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return f, fmt.Errorf("feed %q: start %q: want an RFC 3339 time", spec, s)
		}
		f.Start = t.UTC()
	}
	return f, nil
}

func validFormat(s string) bool {
	switch s {
	case "adsb", "avr", "beast", "sbs", "klv", "auto":
		return true
	}
	return false
}

// feeds runs the feeds: each connection or file is read by a decoder whose
// positions a publisher batches into the event log.
type feeds struct {
	bus       *bus.Bus
	m         *api.Metrics
	log       *slog.Logger
	now       func() time.Time
	published atomic.Uint64 // positions stored in the event log

	mu    sync.Mutex
	addrs map[string]string // feed name → bound address (listen, udp)
}

// bind opens a listening feed's socket so that its address is known before
// Run; other feeds bind nothing.
func (fs *feeds) bind(f Feed) (net.Listener, error) {
	if f.Mode != "listen" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	fs.mu.Lock()
	fs.addrs[f.Name] = ln.Addr().String()
	fs.mu.Unlock()
	return ln, nil
}

// run runs one feed until ctx is done (or, for a file, until its end).
func (fs *feeds) run(ctx context.Context, f Feed, ln net.Listener) error {
	log := fs.log.With("feed", f.Name)
	switch f.Mode {
	case "file":
		return fs.files(ctx, []Feed{f})
	case "listen":
		log.Info("feed listening", "addr", ln.Addr().String(), "format", f.Format)
		var wg sync.WaitGroup
		go func() { <-ctx.Done(); ln.Close() }()
		for {
			c, err := ln.Accept()
			if err != nil {
				wg.Wait()
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("feed %s: accept: %w", f.Name, err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				fs.conn(ctx, f, c, log.With("remote", c.RemoteAddr().String()))
			}()
		}
	case "connect":
		backoff := time.Second
		for ctx.Err() == nil {
			c, err := adsb.Dial(ctx, f.Addr)
			if err != nil {
				log.Warn("feed connect failed; retrying", "addr", f.Addr, "err", err, "in", backoff)
				select {
				case <-ctx.Done():
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 30*time.Second)
				continue
			}
			backoff = time.Second
			fs.conn(ctx, f, c, log.With("remote", f.Addr))
		}
		return nil
	case "udp":
		r, err := mpegts.NewUDPReader(ctx, f.Addr)
		if err != nil {
			return fmt.Errorf("feed %s: %w", f.Name, err)
		}
		defer r.Close()
		log.Info("feed receiving", "addr", f.Addr, "format", f.Format)
		fs.m.FeedConnections.WithLabelValues(f.Name).Inc()
		defer fs.m.FeedConnections.WithLabelValues(f.Name).Dec()
		go func() { <-ctx.Done(); r.Close() }()
		err = fs.stream(ctx, f, r, true, log)
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return fmt.Errorf("feed %s: unknown mode %q", f.Name, f.Mode)
}

// conn reads one TCP connection until it ends or ctx is done.
func (fs *feeds) conn(ctx context.Context, f Feed, c net.Conn, log *slog.Logger) {
	fs.m.FeedConnections.WithLabelValues(f.Name).Inc()
	defer fs.m.FeedConnections.WithLabelValues(f.Name).Dec()
	log.Info("feed connected")
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	err := fs.stream(ctx, f, c, true, log)
	if err != nil && ctx.Err() == nil {
		log.Warn("feed connection ended", "err", err)
		return
	}
	log.Info("feed disconnected")
}

// file decodes one recorded feed into pub.
func (fs *feeds) file(ctx context.Context, f Feed, pub sink, log *slog.Logger) error {
	if f.Reader != nil {
		return fs.decode(ctx, f, f.Reader, false, pub, log)
	}
	r, err := os.Open(f.Addr)
	if err != nil {
		return fmt.Errorf("feed %s: %w", f.Name, err)
	}
	defer r.Close()
	return fs.decode(ctx, f, r, false, pub, log)
}

// files replays several recorded feeds merged in message-time order, as
// they were received together: each file is decoded on its own, and the
// position with the earliest time among the heads of the files goes first.
// (Each file is in time order, or nearly: the tracker's reorder window
// absorbs the rest.)
func (fs *feeds) files(ctx context.Context, files []Feed) error {
	pub := newPublisher(ctx, fs.bus, fs.m, &fs.published, fs.log)
	defer pub.close()
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srcs := make([]*chanSink, len(files))
	errs := make(chan error, len(files))
	for i, f := range files {
		srcs[i] = &chanSink{ch: make(chan position.Position, 1024), ctx: mctx}
		go func() {
			defer close(srcs[i].ch)
			if err := fs.file(mctx, f, srcs[i], fs.log.With("feed", f.Name)); err != nil {
				errs <- err
			}
		}()
	}
	heads := make([]position.Position, len(files))
	open := make([]bool, len(files))
	for i, s := range srcs {
		heads[i], open[i] = <-s.ch
	}
	for {
		k := -1
		for i := range heads {
			if open[i] && (k < 0 || heads[i].Time.Before(heads[k].Time)) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		if !pub.add(heads[k]) {
			break
		}
		heads[k], open[k] = <-srcs[k].ch
	}
	cancel()
	for _, s := range srcs {
		for range s.ch {
		}
	}
	close(errs)
	var err error
	for e := range errs {
		err = errors.Join(err, e)
	}
	return err
}

// chanSink hands positions to the merge of files.
type chanSink struct {
	ch  chan position.Position
	ctx context.Context
}

func (c *chanSink) add(p position.Position) bool {
	select {
	case c.ch <- p:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// counter counts the bytes read from a feed.
type counter struct {
	r   io.Reader
	n   int64
	add func(int)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 {
		c.add(n)
	}
	return n, err
}

// sink takes a stream's positions; add returns false once it takes no more.
type sink interface {
	add(position.Position) bool
}

// stream decodes one byte stream and publishes its positions.
func (fs *feeds) stream(ctx context.Context, f Feed, r io.Reader, live bool, log *slog.Logger) error {
	pub := newPublisher(ctx, fs.bus, fs.m, &fs.published, log)
	defer pub.close()
	return fs.decode(ctx, f, r, live, pub, log)
}

// decode decodes one byte stream into pub.
func (fs *feeds) decode(ctx context.Context, f Feed, r io.Reader, live bool, pub sink, log *slog.Logger) error {
	bytesC := fs.m.FeedBytes.WithLabelValues(f.Name)
	cr := &counter{r: r, add: func(n int) { bytesC.Add(float64(n)) }}
	br := bufio.NewReaderSize(cr, 64<<10)
	format := f.Format
	if format == "auto" || format == "adsb" && f.Mode == "file" {
		prefix, _ := br.Peek(2*mpegts.PacketSize + 1)
		if mpegts.IsTS(prefix) {
			format = "klv"
		} else if format == "auto" {
			format = "adsb"
		}
	}
	if format == "klv" {
		return fs.klv(ctx, f, br, live, pub, log)
	}
	return fs.adsb(ctx, f, format, br, live, pub, log)
}

func (fs *feeds) adsb(ctx context.Context, f Feed, format string, r io.Reader, live bool, pub sink, log *slog.Logger) error {
	opts := adsb.DefaultOptions()
	opts.FixErrors = true
	if f.Receiver != nil {
		opts.Receiver, opts.HasReceiver = *f.Receiver, true
	}
	opts.Start = f.Start
	if live && f.Start.IsZero() {
		opts.Anchor = fs.now
	}
	dec := adsb.NewDecoder(opts)
	fmtc := adsb.FormatAuto
	if format != "adsb" {
		var err error
		if fmtc, err = adsb.ParseFormat(format); err != nil {
			return fmt.Errorf("feed %s: %w", f.Name, err)
		}
	}
	rd := adsb.NewReader(r, fmtc, dec)
	errs := fs.m.FeedErrors
	rd.OnJunk = func(off, n int64) {
		log.Warn("feed: skipped bytes that are not frames", "offset", off, "bytes", n)
		errs.WithLabelValues(f.Name, "junk").Inc()
	}
	msgs := fs.m.FeedMessages.WithLabelValues(f.Name)
	decoded := fs.m.DecodedPositions.WithLabelValues(f.Name, "adsb")
	untimed := errs.WithLabelValues(f.Name, "untimed")
	var last adsb.Stats
	report := func() {
		st := dec.Stats()
		msgs.Add(float64(st.Frames - last.Frames))
		errs.WithLabelValues(f.Name, "crc").Add(float64(st.BadCRC - last.BadCRC))
		errs.WithLabelValues(f.Name, "malformed").Add(float64(st.MalformedAVR + st.BadSBS + st.BadLength - last.MalformedAVR - last.BadSBS - last.BadLength))
		last = st
	}
	defer report()
	var m adsb.Message
	for n := 0; ; n++ {
		err := rd.Next(&m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("feed %s: offset %d: %w", f.Name, rd.Offset(), err)
		}
		if n%256 == 0 {
			report()
		}
		p, ok := m.Position()
		if !ok {
			continue
		}
		if p.Time.IsZero() {
			if !live {
				untimed.Inc()
				continue
			}
			p.Time = fs.now().UTC()
		}
		decoded.Inc()
		if !pub.add(p) {
			return nil
		}
	}
}

func (fs *feeds) klv(ctx context.Context, f Feed, br *bufio.Reader, live bool, pub sink, log *slog.Logger) error {
	var pkt klv.Packet
	msgs := fs.m.FeedMessages.WithLabelValues(f.Name)
	decoded := fs.m.DecodedPositions.WithLabelValues(f.Name, "klv")
	bad := fs.m.FeedErrors.WithLabelValues(f.Name, "malformed")
	badSum := fs.m.FeedErrors.WithLabelValues(f.Name, "checksum")
	reports := 0
	emit := func(b []byte, off int64) bool {
		msgs.Inc()
		if err := pkt.DecodeFrom(b); err != nil {
			bad.Inc()
			if reports++; reports <= 20 {
				log.Warn("feed: bad KLV packet", "offset", off, "err", err)
			}
			return true
		}
		if !pkt.ChecksumOK {
			badSum.Inc()
			if reports++; reports <= 20 {
				log.Warn("feed: KLV packet with a wrong checksum dropped", "offset", off)
			}
			return true
		}
		p, ok := pkt.Position()
		if !ok {
			return true
		}
		if p.Time.IsZero() {
			if !live {
				return true
			}
			p.Time = fs.now().UTC()
		}
		decoded.Inc()
		return pub.add(p)
	}
	prefix, _ := br.Peek(2*mpegts.PacketSize + 1)
	if !mpegts.IsTS(prefix) {
		s := klv.NewScanner(br)
		for {
			b, off, err := s.Next()
			if err != nil {
				return readEnd(ctx, f.Name, err)
			}
			if !emit(b, off) {
				return nil
			}
		}
	}
	d := mpegts.NewDemuxer(br)
	var last mpegts.Stats
	defer func() {
		st := d.Stats()
		if st.SkippedBytes > last.SkippedBytes {
			log.Warn("feed: skipped bytes to regain TS sync", "bytes", st.SkippedBytes-last.SkippedBytes)
		}
	}()
	for {
		u, err := d.Next()
		if err != nil {
			return readEnd(ctx, f.Name, err)
		}
		if st := d.Stats(); st.SkippedBytes > last.SkippedBytes {
			log.Warn("feed: skipped bytes to regain TS sync", "offset", u.Offset, "bytes", st.SkippedBytes-last.SkippedBytes)
			fs.m.FeedErrors.WithLabelValues(f.Name, "junk").Inc()
			last = st
		}
		for data := u.Data; len(data) > 0; {
			b, _, next := klv.Find(data)
			if b == nil {
				break
			}
			if !emit(b, u.Offset) {
				return nil
			}
			data = data[next:]
		}
	}
}

// readEnd turns a reader's error into the feed's: nil at the end of the
// input or once ctx is done (the connection was closed under it).
func readEnd(ctx context.Context, name string, err error) error {
	if errors.Is(err, io.EOF) || ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("feed %s: %w", name, err)
}

// publisher batches a stream's positions into the event log: the decoder
// hands positions over a channel and a goroutine publishes whatever has
// accumulated, so that batches grow with the rate and a lone position
// waits for nothing.
type publisher struct {
	ch   chan position.Position
	done chan struct{}
	ctx  context.Context
}

func newPublisher(ctx context.Context, b *bus.Bus, m *api.Metrics, n *atomic.Uint64, log *slog.Logger) *publisher {
	p := &publisher{ch: make(chan position.Position, 8192), done: make(chan struct{}), ctx: ctx}
	go func() {
		defer close(p.done)
		batch := make([]position.Position, 0, 4096)
		// A batch spans at most maxBatchSpan of message time: packing
		// reorders positions between subjects within a batch, and the
		// tracker takes a position as late once the shard's newest message
		// time is expireLag past it.
		var carry *position.Position
		for {
			var first position.Position
			if carry != nil {
				first, carry = *carry, nil
			} else {
				q, ok := <-p.ch
				if !ok {
					return
				}
				first = q
			}
			batch = append(batch[:0], first)
			lo, hi := first.Time, first.Time
		more:
			for len(batch) < cap(batch) {
				select {
				case q, ok := <-p.ch:
					if !ok {
						break more
					}
					if q.Time.Before(lo) {
						lo = q.Time
					}
					if q.Time.After(hi) {
						hi = q.Time
					}
					if hi.Sub(lo) > maxBatchSpan {
						carry = &q
						break more
					}
					batch = append(batch, q)
				default:
					break more
				}
			}
			for attempt := 0; ; attempt++ {
				// A shutdown lets the batch in hand finish.
				pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				err := b.PublishPositions(pctx, batch)
				cancel()
				if err == nil {
					m.Published.Add(float64(len(batch)))
					n.Add(uint64(len(batch)))
					break
				}
				m.PublishErrors.Inc()
				if errors.Is(err, bus.ErrClosed) || attempt == 4 {
					log.Error("positions not published; dropped", "n", len(batch), "err", err)
					break
				}
				log.Warn("publish failed; retrying", "n", len(batch), "err", err)
				time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
			}
		}
	}()
	return p
}

// maxBatchSpan bounds the message time one published batch spans (see
// newPublisher); well under expireLag.
const maxBatchSpan = 5 * time.Second

// add queues one position; it returns false once ctx is done.
func (p *publisher) add(q position.Position) bool {
	select {
	case p.ch <- q:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// close publishes what is queued and waits.
func (p *publisher) close() {
	close(p.ch)
	<-p.done
}
