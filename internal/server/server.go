package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/bus"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/postgres"
	"github.com/vigia/vigia/internal/store/sqlite"
	"github.com/vigia/vigia/internal/track"
)

// Shard is the part of the accounting a process takes: partitions p of
// the event log with p mod Count = Index − 1. The zero Shard (or 1/1)
// takes them all.
type Shard struct {
	Index, Count int
}

// ParseShard reads "I/N" (1 ≤ I ≤ N ≤ bus.Partitions).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.Index, &sh.Count); err != nil || sh.Count < 1 || sh.Count > bus.Partitions || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 1 ≤ I ≤ N ≤ %d", s, bus.Partitions)
	}
	return sh, nil
}

func (s Shard) all() bool { return s.Count <= 1 }

func (s Shard) partitions() []int {
	if s.all() {
		return nil
	}
	var ps []int
	for p := range bus.Partitions {
		if p%s.Count == s.Index-1 {
			ps = append(ps, p)
		}
	}
	return ps
}

func (s Shard) name() string {
	if s.all() {
		return "account"
	}
	return fmt.Sprintf("account-%dof%d", s.Index, s.Count)
}

// Config configures a Server.
type Config struct {
	// HTTP is the API's listening address ("127.0.0.1:8080"); empty
	// serves no HTTP.
	HTTP string
	// DataDir holds the state: the SQLite database (unless DB is set)
	// and the embedded NATS server's files (unless NATS is set).
	DataDir string
	// DB is a PostgreSQL URL to use instead of SQLite.
	DB string
	// NATS is an external NATS JetStream URL; empty runs NATS embedded.
	NATS string
	// NATSListen makes the embedded NATS server listen on this address
	// too, for other processes.
	NATSListen string
	// Feeds are the telemetry sources.
	Feeds []Feed
	// Shard is the part of the accounting this process does.
	Shard Shard
	// NoAccounting runs feeds and the API only (another process accounts).
	NoAccounting bool
	// Track and Compliance tune the tracker and the engine.
	Track      track.Options
	Compliance compliance.Options
	// Fleet names the operating state of aircraft.
	Fleet []compliance.FleetEntry
	// ProgrammeOnly accounts only the programme's aircraft (those with a
	// Fleet entry or named by an authorisation); other traffic the feeds
	// report (airliners on the same receivers) is counted and skipped.
	ProgrammeOnly bool
	// Airspace is the sovereign airspace set.
	Airspace *airspace.Set
	// Pack is the event log's packing (bus.Options.Pack); 0 means 32.
	Pack int
	// SnapshotEvery is how often the accounting state is saved with its
	// checkpoint and deliveries acknowledged; 0 means 1 s.
	SnapshotEvery time.Duration
	// FlushEvery is how long accounted fixes gather before they are stored
	// in one transaction; 0 means 200 ms.
	FlushEvery time.Duration
	// Logger receives the logs; nil discards them.
	Logger *slog.Logger
}

// Server is a running vigia: feeds, event log, accounting, store and API.
type Server struct {
	cfg   Config
	log   *slog.Logger
	st    store.Store
	bus   *bus.Bus
	m     *api.Metrics
	hub   *api.Hub
	acct  *accountant
	feeds *feeds
	lns   []net.Listener // per feed, nil when it binds nothing
	http  *http.Server
	hln   net.Listener
	unsub []func()

	reportQ    chan string   // flights whose reports are to be stored
	reportDone chan struct{} // closed when the reporter has stopped
}

// alertSubject carries alert states between processes: the process that
// stores an alert announces it, and every process's SSE clients get it.
const alertSubject = "vigia.alerts"

// authzSubject tells every process that an authorisation was added or
// revoked (its ID), so that each applies the stored state to its engine.
const authzSubject = "vigia.authz"

// New opens the store and the event log and binds the sockets; Run starts
// the work.
func New(ctx context.Context, cfg Config) (s *Server, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Airspace == nil {
		if cfg.Airspace, err = airspace.Embedded(); err != nil {
			return nil, err
		}
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = time.Second
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 200 * time.Millisecond
	}
	if cfg.Pack <= 0 {
		cfg.Pack = 32
	}
	if cfg.DataDir == "" && (cfg.DB == "" || cfg.NATS == "") {
		return nil, errors.New("server: a data directory is needed for the embedded store or NATS")
	}
	s = &Server{cfg: cfg, log: cfg.Logger, m: api.NewMetrics(), hub: api.NewHub(4096),
		reportQ: make(chan string, 4096), reportDone: make(chan struct{})}
	opened := s
	defer func() {
		if err != nil {
			opened.abort()
		}
	}()
	if cfg.DB != "" {
		s.st, err = postgres.Open(ctx, cfg.DB)
	} else {
		s.st, err = sqlite.OpenDir(ctx, cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	bo := bus.DefaultOptions()
	bo.URL, bo.Listen, bo.Logger, bo.Pack = cfg.NATS, cfg.NATSListen, cfg.Logger, cfg.Pack
	// Batches of up to 8,192 positions: 256 packed messages per pull.
	bo.Batch = 8192
	if cfg.NATS == "" {
		bo.DataDir = filepath.Join(cfg.DataDir, "nats")
	}
	if s.bus, err = bus.Open(ctx, bo); err != nil {
		return nil, err
	}
	unsub, err := s.bus.Subscribe(alertSubject, s.onAlert)
	if err != nil {
		return nil, err
	}
	s.unsub = append(s.unsub, unsub)
	s.feeds = &feeds{bus: s.bus, m: s.m, log: s.log, now: time.Now, addrs: make(map[string]string)}
	for _, f := range cfg.Feeds {
		ln, err := s.feeds.bind(f)
		if err != nil {
			return nil, err
		}
		s.lns = append(s.lns, ln)
	}
	if !cfg.NoAccounting {
		fleet := compliance.NewFleet(cfg.Fleet...)
		s.acct = &accountant{
			name: cfg.Shard.name(), parts: cfg.Shard.partitions(), bus: s.bus, st: s.st, as: cfg.Airspace, fleet: fleet,
			topts: cfg.Track, copts: cfg.Compliance, snapshotEvery: cfg.SnapshotEvery, flushEvery: cfg.FlushEvery, m: s.m,
			log: s.log.With("stage", "account"), announce: s.announce, programmeOnly: cfg.ProgrammeOnly, c: newCounters(s.m),
			reports: s.queueReports,
		}
		unsub, err := s.bus.Subscribe(authzSubject, s.onAuthz)
		if err != nil {
			return nil, err
		}
		s.unsub = append(s.unsub, unsub)
	}
	if cfg.HTTP != "" {
		if s.hln, err = net.Listen("tcp", cfg.HTTP); err != nil {
			return nil, fmt.Errorf("http: %w", err)
		}
		h := api.New(api.Config{Store: s.st, Airspace: cfg.Airspace, Authz: authz{s}, Hub: s.hub, Metrics: s.m, Ready: s.ready, Logger: s.log})
		s.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	}
	return s, nil
}

// abort releases what New opened.
func (s *Server) abort() {
	for _, ln := range s.lns {
		if ln != nil {
			ln.Close()
		}
	}
	if s.hln != nil {
		s.hln.Close()
	}
	if s.bus != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = s.bus.Drain(ctx)
		cancel()
	}
	if s.st != nil {
		s.st.Close()
	}
}

// HTTPAddr returns the API's bound address ("" without HTTP).
func (s *Server) HTTPAddr() string {
	if s.hln == nil {
		return ""
	}
	return s.hln.Addr().String()
}

// FeedAddr returns the bound address of a listening feed, by name.
func (s *Server) FeedAddr(name string) string {
	s.feeds.mu.Lock()
	defer s.feeds.mu.Unlock()
	return s.feeds.addrs[name]
}

// NATSURL returns the URL other processes can reach the event log at ("" for
// an embedded server without a TCP port).
func (s *Server) NATSURL() string { return s.bus.ClientURL() }

// Store returns the server's store.
func (s *Server) Store() store.Store { return s.st }

// Published returns the number of positions the feeds stored in the event
// log.
func (s *Server) Published() uint64 { return s.feeds.published.Load() }

// Authorisations returns the server's authorisation service, as the API
// uses it: an authorisation is stored and applied to this process's engine
// before Add returns, and to the other processes' on notification.
func (s *Server) Authorisations() api.Authorisations { return authz{s} }

// WaitAccounted waits, while Run runs, until every position the event log
// holds now (of this process's shard) is accounted and stored, or ctx ends.
func (s *Server) WaitAccounted(ctx context.Context) error {
	if s.acct == nil {
		return nil
	}
	if err := s.catchUp(ctx, 0); err != nil {
		return err
	}
	target := s.acct.applied()
	for s.Accounted() < target {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// Accounted returns the last event-log sequence whose fixes, crossings and
// alerts are stored (its state may be saved later).
func (s *Server) Accounted() uint64 {
	if s.acct == nil {
		return 0
	}
	return s.acct.accounted.Load()
}

func (s *Server) ready(ctx context.Context) error {
	if err := s.bus.Healthy(ctx); err != nil {
		return err
	}
	_, err := s.st.SchemaVersion(ctx)
	return err
}

// Run runs the feeds, the accounting and the API until ctx is done, then
// shuts down in order: the feeds stop and publish what they decoded; the
// accounting takes what was published (for up to drainWait) and saves its
// state; the API stops (SSE streams end); the event log drains; the store
// closes. A file feed ends by itself; with once set, Run returns when every
// feed has ended and the accounting has taken and stored all it published
// (for vigia ingest).
func (s *Server) Run(ctx context.Context, once bool) error {
	defer s.close()
	feedCtx, stopFeeds := context.WithCancel(ctx)
	defer stopFeeds()
	var feedWG sync.WaitGroup
	feedErrs := make(chan error, len(s.cfg.Feeds))
	// Files are replayed together, merged in message-time order.
	var files []Feed
	for i, f := range s.cfg.Feeds {
		if f.Mode == "file" {
			files = append(files, f)
			continue
		}
		feedWG.Add(1)
		go func() {
			defer feedWG.Done()
			if err := s.feeds.run(feedCtx, f, s.lns[i]); err != nil {
				s.log.Error("feed failed", "feed", f.Name, "err", err)
				feedErrs <- err
			}
		}()
	}
	if len(files) > 0 {
		feedWG.Add(1)
		go func() {
			defer feedWG.Done()
			if err := s.feeds.files(feedCtx, files); err != nil {
				s.log.Error("replay failed", "err", err)
				feedErrs <- err
			}
		}()
	}
	feedsDone := make(chan struct{})
	go func() { feedWG.Wait(); close(feedsDone) }()

	go s.reporter()
	acctCtx, stopAcct := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAcct()
	acctDone := make(chan error, 1)
	if s.acct != nil {
		go func() { acctDone <- s.acct.run(acctCtx) }()
	} else {
		close(acctDone)
	}

	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	httpDone := make(chan error, 1)
	if s.http != nil {
		s.http.BaseContext = func(net.Listener) context.Context { return httpCtx }
		go func() { httpDone <- s.http.Serve(s.hln) }()
	}

	var runErr error
	if once {
		select {
		case <-feedsDone:
			close(feedErrs)
			for err := range feedErrs {
				runErr = errors.Join(runErr, err)
			}
			if s.acct != nil {
				if err := s.catchUp(ctx, 0); err != nil {
					runErr = errors.Join(runErr, err)
				} else if err := s.acct.flush(ctx); err != nil {
					runErr = errors.Join(runErr, err)
				}
			}
		case <-ctx.Done():
		}
	} else {
		<-ctx.Done()
	}
	s.log.Info("shutting down")
	stopFeeds()
	<-feedsDone
	if s.acct != nil && ctx.Err() != nil {
		// What the feeds published is taken before the state is saved.
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.catchUp(wctx, 10*time.Second); err != nil {
			s.log.Warn("shutdown: accounting did not catch up; the rest is taken on the next start", "err", err)
		}
		cancel()
	}
	stopAcct()
	if err := <-acctDone; err != nil {
		runErr = errors.Join(runErr, err)
	}
	close(s.reportQ)
	<-s.reportDone
	if s.http != nil {
		stopHTTP()
		s.hub.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.http.Shutdown(sctx); err != nil {
			s.log.Warn("http shutdown", "err", err)
		}
		cancel()
		if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
			runErr = errors.Join(runErr, err)
		}
	}
	return runErr
}

// catchUp waits until the accounting has applied every message of its
// partitions in the event log's stream (as it stood when called), for at
// most limit (0: until ctx ends).
func (s *Server) catchUp(ctx context.Context, limit time.Duration) error {
	last, err := s.bus.LastSeq(ctx)
	if err != nil {
		return err
	}
	var deadline <-chan time.Time
	if limit > 0 {
		deadline = time.After(limit)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		applied := s.acct.applied()
		if applied >= last {
			return nil
		}
		if !s.cfg.Shard.all() {
			// The stream's last messages may be other shards': caught up
			// when the consumer has nothing left to deliver and all it
			// delivered is applied.
			pending, delivered, err := s.bus.ConsumerProgress(ctx, s.acct.name)
			if err == nil && pending == 0 && applied >= delivered {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("accounting at %d of %d", applied, last)
		case <-tick.C:
		}
	}
}

func (s *Server) close() {
	for _, u := range s.unsub {
		u()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.bus.Drain(ctx); err != nil {
		s.log.Warn("event log drain", "err", err)
	}
	if err := s.st.Close(); err != nil {
		s.log.Warn("store close", "err", err)
	}
}

// queueReports hands ended flights to the reporter; it never blocks the
// writer (a report not queued is still built on request by the API).
func (s *Server) queueReports(ended []string) {
	for _, id := range ended {
		select {
		case s.reportQ <- id:
		default:
			s.log.Warn("report queue full; report not stored", "flight", id)
		}
	}
}

// reporter stores the report of each ended flight in every format the API
// serves (JSON, GeoJSON, HTML), so that the account of a finished flight is
// kept as it was when the flight ended.
func (s *Server) reporter() {
	defer close(s.reportDone)
	for id := range s.reportQ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := s.storeReport(ctx, id); err != nil {
			s.log.Warn("report not stored", "flight", id, "err", err)
		}
		cancel()
	}
}

func (s *Server) storeReport(ctx context.Context, id string) error {
	r, err := api.FlightReport(ctx, s.st, s.cfg.Airspace, id)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		format string
		write  func(io.Writer) error
	}{
		{"json", func(w io.Writer) error { return compliance.WriteJSON(w, &r) }},
		{"geojson", func(w io.Writer) error { return compliance.WriteGeoJSON(w, &r) }},
		{"html", func(w io.Writer) error { return compliance.WriteHTML(w, &r, s.cfg.Airspace) }},
	} {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return err
		}
		if err := s.st.SaveReport(ctx, id, f.format, buf.Bytes()); err != nil {
			return err
		}
	}
	s.m.ReportsStored.Inc()
	return nil
}

// announce tells every process's SSE clients of alert states just stored.
func (s *Server) announce(alerts []compliance.Alert) {
	for i := range alerts {
		b, err := json.Marshal(alerts[i])
		if err != nil {
			s.log.Error("alert not announced", "id", alerts[i].ID, "err", err)
			continue
		}
		if err := s.bus.Notify(alertSubject, b); err != nil {
			s.log.Warn("alert not announced", "id", alerts[i].ID, "err", err)
		}
	}
}

func (s *Server) onAlert(data []byte) {
	var a compliance.Alert
	if err := json.Unmarshal(data, &a); err != nil {
		s.log.Warn("bad alert notification", "err", err)
		return
	}
	s.hub.Publish(a)
}

// onAuthz applies a stored authorisation (added or revoked by any process)
// to this process's engine.
func (s *Server) onAuthz(data []byte) {
	if s.acct == nil {
		return
	}
	id := string(data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all, err := s.st.Authorisations(ctx, true)
	if err != nil {
		s.log.Warn("authorisation not applied", "id", id, "err", err)
		return
	}
	i := slices.IndexFunc(all, func(a *compliance.Authorisation) bool { return a.ID == id })
	if i < 0 {
		return
	}
	a := all[i]
	if err := s.acct.addAuthorisation(a); err != nil {
		s.log.Warn("authorisation not applied", "id", id, "err", err)
		return
	}
	if a.Revoked != nil {
		if err := s.acct.revokeAuthorisation(id, *a.Revoked); err != nil {
			s.log.Warn("revocation not applied", "id", id, "err", err)
		}
	}
}

// authz stores authorisations for the API and tells every process.
type authz struct{ s *Server }

func (z authz) Add(ctx context.Context, a *compliance.Authorisation) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if codes := z.s.cfg.Airspace.Codes(); !slices.Contains(codes, a.Airspace) {
		return fmt.Errorf("%w: airspace: %q is not in the airspace set (%s)", compliance.ErrBadAuthorisation, a.Airspace, strings.Join(codes, ", "))
	}
	if err := z.s.st.AddAuthorisation(ctx, a); err != nil {
		return err
	}
	// This process's engine has it before the request returns; the others
	// learn of it from the notification.
	z.s.onAuthz([]byte(a.ID))
	return z.s.bus.Notify(authzSubject, []byte(a.ID))
}

func (z authz) Revoke(ctx context.Context, id string, at time.Time) error {
	if err := z.s.st.RevokeAuthorisation(ctx, id, at); err != nil {
		return err
	}
	z.s.onAuthz([]byte(id))
	return z.s.bus.Notify(authzSubject, []byte(id))
}

var _ api.Authorisations = authz{}
