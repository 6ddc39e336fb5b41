package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigia/vigia/internal/position"
)

// PositionsStream is the name of the stream that holds every published
// position, on subjects "positions.<source>.<partition>" (source as in
// position.Source.String: "adsb", "klv", …).
const PositionsStream = "POSITIONS"

// Errors returned by the bus, for errors.Is.
var (
	// ErrClosed is returned by publishes and Consume once Drain has begun.
	ErrClosed = errors.New("bus: closed")
)

// Stream declares one JetStream stream: its name and the subjects it
// captures (wildcards allowed). Storage, retention, replicas and the
// duplicate window come from Options.
type Stream struct {
	Name     string
	Subjects []string
}

// DefaultStreams returns the streams the bus creates when Options.Streams is
// nil: POSITIONS on "positions.>". Callers adding a stream append to it.
func DefaultStreams() []Stream {
	return []Stream{{Name: PositionsStream, Subjects: []string{"positions.>"}}}
}

// Options configures Open. Start from DefaultOptions.
type Options struct {
	// URL is the NATS server to connect to ("nats://host:4222", or several
	// separated by commas). Empty means run an embedded server.
	URL string
	// DataDir is where the embedded server keeps JetStream's files (it
	// creates a "jetstream" directory inside). Required when URL is empty.
	DataDir string
	// Listen is the TCP address the embedded server also listens on, e.g.
	// "127.0.0.1:4222" ("127.0.0.1:0" picks a free port; see ClientURL).
	// Empty means no TCP port: only this process connects, in-process.
	Listen string
	// Logger receives the bus's and the embedded server's logs; nil
	// discards them.
	Logger *slog.Logger
	// Replicas is the stream replication factor on an external cluster
	// (1, 3 or 5); the embedded server always uses 1.
	Replicas int
	// MaxAge is how long the streams keep a message; 0 keeps it until
	// MaxBytes forces it out.
	MaxAge time.Duration
	// MaxBytes bounds each stream's storage in bytes; the oldest messages
	// are discarded beyond it. 0 or negative means no bound of our own
	// (JetStream's account and server store limits still apply).
	MaxBytes int64
	// DuplicateWindow is how long JetStream remembers a Nats-Msg-Id: a
	// position published twice within it is stored once.
	DuplicateWindow time.Duration
	// Streams are the streams created (or updated) on Open; nil means
	// DefaultStreams(). It must contain PositionsStream capturing
	// "positions.>" for PublishPosition and Consume to work.
	Streams []Stream

	// Pack is the largest number of positions PublishPositions puts in one
	// message: positions of one subject (source and partition) travel together, which
	// divides JetStream's per-message cost (see docs/BENCHMARKS.md). 0 or 1
	// publishes every position as a message of its own, with its own
	// Nats-Msg-Id. With packing, a message's id names its first and last
	// positions and its count, so a replay is deduplicated only if it packs
	// the same runs; consumers must be idempotent either way.
	Pack int

	// MaxPending bounds the publishes PublishPositions keeps in flight
	// (sent, acknowledgement not yet received).
	MaxPending int
	// Batch is the largest number of deliveries Consume hands its handler
	// at once.
	Batch int
	// MaxAckPending bounds the messages a durable consumer has delivered
	// and not yet seen acknowledged, across every process sharing it.
	MaxAckPending int
	// AckWait is how long JetStream waits for an acknowledgement before it
	// delivers a message again.
	AckWait time.Duration
	// RetryDelay is how long Consume asks JetStream to wait before it
	// delivers again the messages of a batch whose handler failed.
	RetryDelay time.Duration
	// Timeout bounds each request to the server (stream and consumer
	// management, synchronous publish) when the context has no earlier
	// deadline.
	Timeout time.Duration
}

// DefaultOptions returns the options of a single-process deployment: an
// embedded server without a TCP port (DataDir still to be set), streams
// kept 72 h, a 2 min duplicate window, batches of up to 1,000 deliveries
// and 8,192 publishes in flight.
func DefaultOptions() Options {
	return Options{
		Replicas:        1,
		MaxAge:          72 * time.Hour,
		DuplicateWindow: 2 * time.Minute,
		MaxPending:      8192,
		Batch:           1000,
		MaxAckPending:   20000,
		AckWait:         30 * time.Second,
		RetryDelay:      time.Second,
		Timeout:         10 * time.Second,
	}
}

// Bus is a connection to the event log, with the embedded server it owns
// if Options.URL was empty. Its methods are safe for concurrent use. Call
// Drain to release it.
type Bus struct {
	opts Options
	log  *slog.Logger
	srv  *server.Server // nil when external
	nc   *nats.Conn
	js   jetstream.JetStream

	closedCh chan struct{} // closed by the connection's ClosedHandler

	mu        sync.Mutex
	draining  bool
	consumers map[*consumer]struct{}
	wg        sync.WaitGroup // running Consume calls
	pubs      sync.WaitGroup // running publishes
}

// Open starts the embedded server or connects to Options.URL, and creates
// or updates the streams. The context bounds the start-up only.
func Open(ctx context.Context, opts Options) (*Bus, error) {
	d := DefaultOptions()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Replicas <= 0 {
		opts.Replicas = d.Replicas
	}
	if opts.DuplicateWindow <= 0 {
		opts.DuplicateWindow = d.DuplicateWindow
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = d.MaxPending
	}
	if opts.Pack <= 0 {
		opts.Pack = 1
	}
	if opts.Pack > maxPack {
		return nil, fmt.Errorf("bus: field Pack: %d above %d", opts.Pack, maxPack)
	}
	if opts.Batch <= 0 {
		opts.Batch = d.Batch
	}
	if opts.MaxAckPending <= 0 {
		opts.MaxAckPending = d.MaxAckPending
	}
	if opts.AckWait <= 0 {
		opts.AckWait = d.AckWait
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = d.RetryDelay
	}
	if opts.Timeout <= 0 {
		opts.Timeout = d.Timeout
	}
	if opts.Streams == nil {
		opts.Streams = DefaultStreams()
	}
	if opts.MaxAge > 0 && opts.DuplicateWindow > opts.MaxAge {
		opts.DuplicateWindow = opts.MaxAge
	}
	b := &Bus{
		opts:      opts,
		log:       opts.Logger.With("component", "bus"),
		closedCh:  make(chan struct{}),
		consumers: make(map[*consumer]struct{}),
	}
	copts := []nats.Option{
		nats.Name("vigia"),
		nats.ClosedHandler(func(*nats.Conn) { close(b.closedCh) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { b.log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted()) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			b.log.Warn("nats async error", "subject", subj, "err", err)
		}),
	}
	url := opts.URL
	if url == "" {
		s, err := startEmbedded(ctx, &opts)
		if err != nil {
			return nil, err
		}
		b.srv = s
		copts = append(copts, nats.InProcessServer(s))
	} else {
		copts = append(copts, nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))
	}
	nc, err := nats.Connect(url, copts...)
	if err != nil {
		b.stopServer()
		return nil, fmt.Errorf("bus: connect %s: %w", redact(url), err)
	}
	b.nc = nc
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(opts.MaxPending),
		jetstream.WithDefaultTimeout(opts.Timeout),
		// An acknowledgement lost, e.g. across a reconnection, fails the
		// publish instead of leaving it waiting for ever.
		jetstream.WithPublishAsyncTimeout(opts.Timeout),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, m *nats.Msg, err error) {
			b.log.Debug("async publish failed", "subject", m.Subject, "err", err)
		}))
	if err != nil {
		b.abort()
		return nil, fmt.Errorf("bus: jetstream: %w", err)
	}
	b.js = js
	if err := b.createStreams(ctx); err != nil {
		b.abort()
		return nil, err
	}
	if b.srv != nil {
		b.log.Info("bus open", "mode", "embedded", "store_dir", opts.DataDir, "client_url", b.ClientURL())
	} else {
		b.log.Info("bus open", "mode", "external", "url", nc.ConnectedUrlRedacted())
	}
	return b, nil
}

// createStreams creates each stream of the table, or updates it when it
// exists with another configuration.
func (b *Bus) createStreams(ctx context.Context) error {
	replicas := b.opts.Replicas
	if b.srv != nil {
		replicas = 1
	}
	for _, st := range b.opts.Streams {
		if st.Name == "" || len(st.Subjects) == 0 {
			return fmt.Errorf("bus: field Streams: stream %q needs a name and subjects", st.Name)
		}
		cfg := jetstream.StreamConfig{
			Name:       st.Name,
			Subjects:   st.Subjects,
			Retention:  jetstream.LimitsPolicy,
			Storage:    jetstream.FileStorage,
			Discard:    jetstream.DiscardOld,
			MaxAge:     b.opts.MaxAge,
			MaxBytes:   -1,
			MaxMsgs:    -1,
			Replicas:   replicas,
			Duplicates: b.opts.DuplicateWindow,
		}
		if b.opts.MaxBytes > 0 {
			cfg.MaxBytes = b.opts.MaxBytes
		}
		cctx, cancel := b.requestContext(ctx)
		_, err := b.js.CreateOrUpdateStream(cctx, cfg)
		cancel()
		if err != nil {
			return fmt.Errorf("bus: stream %s: create or update: %w", st.Name, err)
		}
	}
	return nil
}

// requestContext bounds ctx by Options.Timeout.
func (b *Bus) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.opts.Timeout)
}

// Partitions is the number of partitions the positions are spread over:
// every aircraft's positions go to one partition (Partition), so a
// consumer that takes some partitions sees every position of the aircraft
// it sees, in order. Several processes share the accounting by taking
// disjoint sets of partitions (see PartitionSubjects).
const Partitions = 16

// Partition returns the partition of an aircraft: the FNV-1a hash of its
// position ID modulo Partitions.
func Partition(id string) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % Partitions)
}

// Subject returns the subject a position is published on:
// "positions.<source>.<partition>", the partition in two decimal digits
// ("positions.adsb.07").
func Subject(p *position.Position) string {
	n := Partition(p.ID)
	return "positions." + p.Source.String() + "." + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// PartitionSubjects returns the subjects of the given partitions, of every
// source ("positions.*.07"), to consume only them.
func PartitionSubjects(parts []int) []string {
	out := make([]string, 0, len(parts))
	for _, n := range parts {
		out = append(out, fmt.Sprintf("positions.*.%02d", n))
	}
	return out
}

// MsgID returns the Nats-Msg-Id of a position: its identity, its time in
// Unix nanoseconds and its latitude and longitude in shortest decimal form,
// separated by "|". Two publishes of the same fix carry the same id, so
// JetStream stores the second one only if it comes after the duplicate
// window.
func MsgID(p *position.Position) string {
	var sb strings.Builder
	sb.Grow(len(p.ID) + 60)
	sb.WriteString(p.ID)
	sb.WriteByte('|')
	sb.WriteString(strconv.FormatInt(p.Time.UnixNano(), 10))
	sb.WriteByte('|')
	sb.WriteString(strconv.FormatFloat(float64(p.Lat), 'g', -1, 64))
	sb.WriteByte('|')
	sb.WriteString(strconv.FormatFloat(float64(p.Lon), 'g', -1, 64))
	return sb.String()
}

// encode builds the message of one position: its binary form
// (AppendPosition) on Subject(p), with Nats-Msg-Id MsgID(p).
func encode(p *position.Position) (*nats.Msg, error) {
	if err := check(p); err != nil {
		return nil, err
	}
	m := nats.NewMsg(Subject(p))
	m.Data = AppendPosition(make([]byte, 0, 96+len(p.ID)), p)
	m.Header[jetstream.MsgIDHeader] = []string{MsgID(p)}
	return m, nil
}

// check rejects a position that consumers could not decode.
func check(p *position.Position) error {
	if p.ID == "" {
		return fmt.Errorf("bus: position: field id: empty")
	}
	if lat, lon := float64(p.Lat), float64(p.Lon); !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		return fmt.Errorf("bus: position %s: field lat/lon: %v, %v out of range", p.ID, lat, lon)
	}
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"altitude", float64(p.Altitude)}, {"ground speed", p.GroundSpeed}, {"track", float64(p.Track)},
		{"vertical rate", p.VerticalRate}, {"accuracy", float64(p.Accuracy)}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("bus: position %s: field %s: not a finite number", p.ID, f.name)
		}
	}
	if fp := p.Footprint; fp != nil {
		vs := []float64{float64(fp.Center.Lat), float64(fp.Center.Lon), float64(fp.SlantRange)}
		for _, c := range fp.Corners {
			vs = append(vs, float64(c.Lat), float64(c.Lon))
		}
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("bus: position %s: field footprint: not a finite number", p.ID)
			}
		}
	}
	return nil
}

// enter registers a publish; it fails once Drain has begun.
func (b *Bus) enter() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.draining {
		return ErrClosed
	}
	b.pubs.Add(1)
	return nil
}

// PublishPosition publishes one position and waits until JetStream has
// stored it (or recognised it as a duplicate). It is the slow, simple path;
// feeds should use PublishPositions.
func (b *Bus) PublishPosition(ctx context.Context, p position.Position) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.pubs.Done()
	m, err := encode(&p)
	if err != nil {
		return err
	}
	cctx, cancel := b.requestContext(ctx)
	defer cancel()
	if _, err := b.js.PublishMsg(cctx, m); err != nil {
		return fmt.Errorf("bus: publish %s: %w", m.Subject, err)
	}
	return nil
}

// PublishPositions publishes ps asynchronously — one message per position,
// or up to Options.Pack positions of one subject (source and partition) per
// message, in their order —
// keeping at most Options.MaxPending acknowledgements outstanding, and
// returns once JetStream has acknowledged every one of them. On error some
// positions may have been stored: the caller may publish the whole slice
// again, and the stored ones are recognised as duplicates. The first error
// is returned, naming the index of the (first) position of its message.
func (b *Bus) PublishPositions(ctx context.Context, ps []position.Position) error {
	if err := b.enter(); err != nil {
		return err
	}
	defer b.pubs.Done()
	type pending struct {
		f jetstream.PubAckFuture
		i int // index in ps of the message's first position
	}
	window := b.opts.MaxPending
	futs := make([]pending, 0, min(window, len(ps)))
	wait := func(p pending) error {
		select {
		case <-p.f.Ok():
			return nil
		case err := <-p.f.Err():
			return fmt.Errorf("bus: publish positions: index %d: %w", p.i, err)
		case <-ctx.Done():
			return fmt.Errorf("bus: publish positions: index %d: %w", p.i, ctx.Err())
		case <-b.closedCh:
			return fmt.Errorf("bus: publish positions: index %d: %w", p.i, nats.ErrConnectionClosed)
		}
	}
	stall := jetstream.WithStallWait(b.opts.Timeout)
	publish := func(run []position.Position, i int) error {
		if len(futs) == window {
			if err := wait(futs[0]); err != nil {
				return err
			}
			futs = futs[1:]
		}
		m, err := b.encodeRun(run)
		if err != nil {
			return fmt.Errorf("bus: publish positions: index %d: %w", i, err)
		}
		f, err := b.js.PublishMsgAsync(m, stall)
		if err != nil {
			return fmt.Errorf("bus: publish positions: index %d: %w", i, err)
		}
		futs = append(futs, pending{f, i})
		return nil
	}
	if b.opts.Pack <= 1 {
		for i := range ps {
			if err := publish(ps[i:i+1], i); err != nil {
				return err
			}
		}
	} else {
		// Positions of one subject (source and partition) are packed
		// together in their order; the order between subjects does not
		// matter to consumers, which see one aircraft in one partition.
		type run struct {
			first int
			ps    []position.Position
		}
		runs := make(map[string]*run)
		var order []string
		for i := range ps {
			subj := Subject(&ps[i])
			r := runs[subj]
			if r == nil {
				r = &run{first: i}
				runs[subj] = r
				order = append(order, subj)
			}
			if len(r.ps) == 0 {
				r.first = i
			}
			r.ps = append(r.ps, ps[i])
			if len(r.ps) == b.opts.Pack {
				if err := publish(r.ps, r.first); err != nil {
					return err
				}
				r.ps = r.ps[:0]
			}
		}
		for _, subj := range order {
			if r := runs[subj]; len(r.ps) > 0 {
				if err := publish(r.ps, r.first); err != nil {
					return err
				}
			}
		}
	}
	for _, p := range futs {
		if err := wait(p); err != nil {
			return err
		}
	}
	return nil
}

// encodeRun builds the message of a run of positions of one source: a
// single position's own message, or a pack.
func (b *Bus) encodeRun(ps []position.Position) (*nats.Msg, error) {
	if len(ps) == 1 {
		return encode(&ps[0])
	}
	for i := range ps {
		if err := check(&ps[i]); err != nil {
			return nil, fmt.Errorf("pack position %d: %w", i, err)
		}
	}
	m := nats.NewMsg(Subject(&ps[0]))
	m.Data = appendPack(make([]byte, 0, len(ps)*100), ps)
	m.Header[jetstream.MsgIDHeader] = []string{packMsgID(ps)}
	return m, nil
}

// LastSeq returns the sequence of the last message stored in the POSITIONS
// stream (0 when it is empty).
func (b *Bus) LastSeq(ctx context.Context) (uint64, error) {
	cctx, cancel := b.requestContext(ctx)
	defer cancel()
	st, err := b.js.Stream(cctx, PositionsStream)
	if err != nil {
		return 0, fmt.Errorf("bus: stream %s: %w", PositionsStream, err)
	}
	info, err := st.Info(cctx)
	if err != nil {
		return 0, fmt.Errorf("bus: stream %s: info: %w", PositionsStream, err)
	}
	return info.State.LastSeq, nil
}

// Notify publishes data on subject as a plain NATS message: not stored,
// delivered to the processes subscribed at that moment (Subscribe). It is
// for events whose record is kept elsewhere, such as alert updates whose
// state is in the store.
func (b *Bus) Notify(subject string, data []byte) error {
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("bus: notify %s: %w", subject, err)
	}
	return nil
}

// Subscribe calls fn with the data of every message published on subject
// (wildcards allowed) by Notify in any process connected to the same NATS
// server, until the returned function is called. fn runs on one goroutine,
// in order, and must not block for long; data is owned by fn.
func (b *Bus) Subscribe(subject string, fn func(data []byte)) (func(), error) {
	sub, err := b.nc.Subscribe(subject, func(m *nats.Msg) { fn(m.Data) })
	if err != nil {
		return nil, fmt.Errorf("bus: subscribe %s: %w", subject, err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

// Healthy reports whether the bus can serve: the connection is up and
// JetStream answers an account-info request within ctx (and
// Options.Timeout). For a readiness probe.
func (b *Bus) Healthy(ctx context.Context) error {
	if st := b.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("bus: connection %s", st)
	}
	if b.srv != nil && !b.srv.JetStreamEnabled() {
		return errors.New("bus: embedded server: JetStream not running")
	}
	cctx, cancel := b.requestContext(ctx)
	defer cancel()
	if _, err := b.js.AccountInfo(cctx); err != nil {
		return fmt.Errorf("bus: jetstream account info: %w", err)
	}
	return nil
}

// ClientURL returns a URL other processes can connect to: the embedded
// server's TCP address when Options.Listen is set, the connected server for
// an external cluster, and "" for an embedded server without a TCP port.
func (b *Bus) ClientURL() string {
	if b.srv != nil {
		if b.opts.Listen == "" {
			return ""
		}
		return b.srv.ClientURL()
	}
	return b.nc.ConnectedUrlRedacted()
}

// Drain shuts the bus down in order: new publishes and consumers are
// refused; running consumers stop fetching, finish the batch their handler
// holds and give back (nak) what they fetched but did not hand over; the
// running publishes finish; the connection drains (flushing acks); and the
// embedded server, if any, shuts down and is waited for. Give it a fresh
// context with a timeout of its own, not one already cancelled by the
// signal that started the shutdown. Drain may be called more than once.
func (b *Bus) Drain(ctx context.Context) error {
	b.mu.Lock()
	b.draining = true
	cs := make([]*consumer, 0, len(b.consumers))
	for c := range b.consumers {
		cs = append(cs, c)
	}
	b.mu.Unlock()
	for _, c := range cs {
		c.stop()
	}
	var errs []error
	if err := waitGroup(ctx, &b.wg); err != nil {
		errs = append(errs, fmt.Errorf("bus: drain: consumers: %w", err))
	}
	if err := waitGroup(ctx, &b.pubs); err != nil {
		errs = append(errs, fmt.Errorf("bus: drain: publishes: %w", err))
	}
	if !b.nc.IsClosed() {
		if err := b.nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			errs = append(errs, fmt.Errorf("bus: drain: connection: %w", err))
		}
	}
	select {
	case <-b.closedCh:
	case <-ctx.Done():
		b.nc.Close()
		errs = append(errs, fmt.Errorf("bus: drain: connection: %w", ctx.Err()))
		<-b.closedCh
	}
	if err := b.stopServerCtx(ctx); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		b.log.Info("bus drained")
	}
	return errors.Join(errs...)
}

// abort closes the connection and the embedded server without draining.
func (b *Bus) abort() {
	if b.nc != nil {
		b.nc.Close()
		<-b.closedCh
	}
	b.stopServer()
}

func (b *Bus) stopServer() {
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}

// stopServerCtx shuts the embedded server down and waits for it, up to
// ctx's end.
func (b *Bus) stopServerCtx(ctx context.Context) error {
	if b.srv == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bus: drain: embedded server shutdown: %w", ctx.Err())
	}
}

// waitGroup waits for wg up to ctx's end.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redact hides a password in a URL list for error messages.
func redact(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "***" + url[i:]
		}
	}
	return url
}
