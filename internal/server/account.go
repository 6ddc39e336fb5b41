package server

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/bus"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

// accountant is the accounting stage of one shard: it reads the positions
// of its partitions from the event log in stream order, tracks flights,
// judges every fix, stores the result, and announces alerts.
//
// Exactly once. Work is stored by a writer goroutine in transactions of
// about flushEvery (so that SQLite writes each page once for many fixes),
// while tracking goes on. Every snapshotEvery, the tracker's and the
// engine's state goes with a checkpoint (the stream sequence it reflects)
// into the same transaction as the fixes up to there; deliveries are
// acknowledged only after such a save. On start (and after any failure) the
// state is restored from the checkpoint and the consumer restarts at the
// sequence after it, in stream order: the positions applied since are
// applied again to the same state, giving the same fixes, crossings and
// alerts, which the store keeps once (its writes are idempotent).
//
// Alerts are announced as soon as the fix that opens or updates them is
// judged, before they are stored (a restart may announce an alert state
// again; clients key on its id and sequence).
type accountant struct {
	name          string // checkpoint stream and durable consumer name
	parts         []int  // partitions; nil means all
	bus           *bus.Bus
	st            store.Store
	as            *airspace.Set
	fleet         *compliance.Fleet
	topts         track.Options
	copts         compliance.Options
	snapshotEvery time.Duration
	flushEvery    time.Duration
	m             *api.Metrics
	log           *slog.Logger
	announce      func(alerts []compliance.Alert)
	// reports, when set, is given the flights that ended, once their last
	// fixes are stored.
	reports       func(ended []string)
	programmeOnly bool
	c             counters // a.m's labelled counters, looked up once

	mu        sync.Mutex // guards everything below; the handler holds it per batch
	trk       *track.Tracker
	eng       *compliance.Engine
	seq       uint64    // last stream sequence applied
	newest    time.Time // newest message time applied
	clock     time.Time // last time given to Expire (whole seconds)
	pending   []store.Applied
	closed    []compliance.Alert
	ended     []string       // flights ended since the last flush
	held      []bus.Delivery // applied, not yet acknowledged
	lastFlush time.Time
	lastSave  time.Time // last flush with the state
	writes    chan *flush
	fail      error              // set by the handler or writer on a failure
	stop      context.CancelFunc // stops the running consume

	accounted atomic.Uint64 // last sequence whose fixes are stored
	// writeErr is the writer's failure; the writer never takes mu (the
	// handler may hold it while waiting to hand the writer a flush).
	writeErr atomic.Pointer[error]
}

// counters are the accounting's labelled metrics, resolved once so that
// the per-fix path does not hash label values.
type counters struct {
	applied, implausible, duplicate, late, notProgramme prometheus.Counter
	verdicts                                            map[compliance.Verdict]prometheus.Counter
}

func newCounters(m *api.Metrics) counters {
	c := counters{
		applied:      m.TrackPositions.WithLabelValues("applied"),
		implausible:  m.TrackPositions.WithLabelValues("implausible"),
		duplicate:    m.TrackPositions.WithLabelValues("duplicate"),
		late:         m.TrackPositions.WithLabelValues("late"),
		notProgramme: m.TrackPositions.WithLabelValues("not_programme"),
		verdicts:     map[compliance.Verdict]prometheus.Counter{},
	}
	for _, v := range []compliance.Verdict{compliance.Domestic, compliance.International, compliance.Authorised, compliance.Unauthorised} {
		c.verdicts[v] = m.Verdicts.WithLabelValues(v.String())
	}
	return c
}

// flush is one transaction for the writer.
type flush struct {
	b     store.Batch
	seq   uint64
	ended []string       // flights whose last fixes this flush stores
	acks  []bus.Delivery // acknowledged after the commit (with a state only)
	done  chan error     // optional: told the outcome
}

// expireLag is how far the tracker's clock (Tracker.Expire) trails the
// newest message time of the shard: a position is late only when it is
// older than its own aircraft's newest (less the reorder window) or than
// this clock, so a feed may lag the others by up to this much.
const expireLag = time.Minute

// maxPending bounds the fixes held for one transaction.
const maxPending = 50_000

// snapshot is the state saved with a checkpoint.
type snapshot struct {
	Track      track.State
	Compliance compliance.State
	Newest     time.Time
	Clock      time.Time
}

// run consumes until ctx is done, restarting from the checkpoint after a
// failure; at the end it saves the state and acknowledges what it holds.
func (a *accountant) run(ctx context.Context) error {
	for {
		err := a.runOnce(ctx)
		if ctx.Err() != nil {
			return err
		}
		a.log.Error("accounting stopped; restarting from the checkpoint", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// restore loads the checkpoint and builds the tracker and engine from it.
func (a *accountant) restore(ctx context.Context) error {
	cp, err := a.st.CheckpointState(ctx, a.name)
	if err != nil {
		return err
	}
	trk := track.New(a.as, a.topts)
	eng := compliance.NewEngine(a.as, a.fleet, a.copts)
	var snap snapshot
	if cp.State != nil {
		if err := gob.NewDecoder(bytes.NewReader(cp.State)).Decode(&snap); err != nil {
			return fmt.Errorf("checkpoint %s at %d: state: %w", a.name, cp.Seq, err)
		}
		if err := trk.Restore(snap.Track); err != nil {
			return fmt.Errorf("checkpoint %s at %d: %w", a.name, cp.Seq, err)
		}
		if err := eng.Restore(snap.Compliance); err != nil {
			return fmt.Errorf("checkpoint %s at %d: %w", a.name, cp.Seq, err)
		}
	}
	auths, err := a.st.Authorisations(ctx, true)
	if err != nil {
		return err
	}
	for _, au := range auths {
		if err := eng.Add(au); err != nil {
			a.log.Warn("stored authorisation not applied", "id", au.ID, "err", err)
		}
	}
	a.mu.Lock()
	a.trk, a.eng = trk, eng
	a.seq, a.newest, a.clock = cp.Seq, snap.Newest, snap.Clock
	a.pending, a.closed, a.ended, a.held, a.fail = nil, nil, nil, nil, nil
	a.writeErr.Store(nil)
	a.lastFlush, a.lastSave = time.Now(), time.Now()
	a.mu.Unlock()
	a.accounted.Store(cp.Seq)
	a.m.AccountedSeq.Set(float64(cp.Seq))
	a.log.Info("accounting from checkpoint", "consumer", a.name, "seq", cp.Seq, "aircraft", trk.Aircraft(), "flights", eng.Flights())
	return nil
}

func (a *accountant) runOnce(ctx context.Context) error {
	if err := a.restore(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	writes := make(chan *flush, 2)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		a.writer(context.WithoutCancel(ctx), writes, cancel)
	}()
	a.mu.Lock()
	a.stop, a.writes = cancel, writes
	start := a.seq + 1
	a.mu.Unlock()

	tick := time.NewTicker(a.flushEvery)
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for {
			select {
			case <-cctx.Done():
				return
			case <-tick.C:
				a.mu.Lock()
				if a.fail == nil && time.Since(a.lastFlush) >= a.flushEvery && (len(a.pending) > 0 || len(a.closed) > 0 || len(a.held) > 0) {
					a.flushLocked(time.Since(a.lastSave) >= a.snapshotEvery, nil)
				}
				a.mu.Unlock()
			}
		}
	}()
	var subjects []string
	if a.parts != nil {
		subjects = bus.PartitionSubjects(a.parts)
	}
	err := a.bus.ConsumeWith(cctx, a.name, bus.ConsumeOptions{Subjects: subjects, StartSeq: start}, a.handle)
	if ctx.Err() != nil {
		err = nil // a stop, even one that came while the consumer was being set up
	}
	cancel()
	tick.Stop()
	<-tickDone
	a.mu.Lock()
	fail := a.fail
	if e := a.writeErr.Load(); fail == nil && e != nil {
		fail = *e
	}
	if fail == nil && ctx.Err() != nil {
		// A clean stop: save what is held, with the state.
		done := make(chan error, 1)
		a.flushLocked(true, done)
		a.mu.Unlock()
		fail = <-done
		a.mu.Lock()
	}
	a.writes = nil
	a.mu.Unlock()
	close(writes)
	<-writerDone
	if fail != nil {
		return fail
	}
	if err == nil && ctx.Err() == nil {
		err = errors.New("consumer ended")
	}
	return err
}

// writer stores flushes in order; after a failure it records the error,
// stops the consumer and discards the rest (run restarts from the
// checkpoint).
func (a *accountant) writer(ctx context.Context, writes <-chan *flush, stop context.CancelFunc) {
	var failed error
	for f := range writes {
		if failed != nil {
			if f.done != nil {
				f.done <- failed
			}
			continue
		}
		t0 := time.Now()
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := a.st.SaveApplied(sctx, f.b)
		cancel()
		a.m.StoreBatchSeconds.Observe(time.Since(t0).Seconds())
		if err != nil {
			failed = fmt.Errorf("store: %w", err)
			a.writeErr.CompareAndSwap(nil, &failed)
			stop()
		} else {
			a.accounted.Store(f.seq)
			if len(f.ended) > 0 && a.reports != nil {
				a.reports(f.ended)
			}
			if f.b.Checkpoint.Stream != "" {
				for _, d := range f.acks {
					if err := d.Ack(); err != nil {
						a.log.Debug("ack", "seq", d.Seq, "err", err)
					}
				}
				a.m.AccountedSeq.Set(float64(f.seq))
			}
		}
		if f.done != nil {
			f.done <- failed
		}
	}
}

// flushLocked hands what is pending to the writer; with snapshot set, the
// state at the current sequence goes with it and the held deliveries are
// acknowledged after the commit. It blocks while the writer is two
// transactions behind.
func (a *accountant) flushLocked(snapshot bool, done chan error) {
	f := &flush{b: store.Batch{Applied: a.pending, Alerts: a.closed}, seq: a.seq, ended: a.ended, done: done}
	a.pending, a.closed, a.ended = nil, nil, nil
	if snapshot {
		state, err := a.encodeLocked()
		if err != nil {
			a.failLocked(err)
			if done != nil {
				done <- err
			}
			return
		}
		f.b.Checkpoint = store.Checkpoint{Stream: a.name, Seq: a.seq, State: state}
		f.acks, a.held = a.held, nil
		a.lastSave = time.Now()
	}
	a.lastFlush = time.Now()
	if len(f.b.Applied) == 0 && len(f.b.Alerts) == 0 && f.b.Checkpoint.Stream == "" && len(f.ended) == 0 {
		if done != nil {
			done <- nil
		}
		return
	}
	if a.writes == nil {
		if done != nil {
			done <- errors.New("accounting is not running")
		}
		return
	}
	a.writes <- f
}

// failLocked records a failure and stops the consumer; run restarts from
// the checkpoint.
func (a *accountant) failLocked(err error) {
	if a.fail == nil {
		a.fail = err
		a.stop()
	}
}

// handle applies one batch of deliveries.
func (a *accountant) handle(ctx context.Context, batch []bus.Delivery) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	if e := a.writeErr.Load(); e != nil {
		return *e
	}
	first := len(a.pending)
	closedFrom := len(a.closed)
	collect := func(u track.Update) {
		for _, ap := range u.Applied {
			ap.Crossings = slices.Clone(ap.Crossings)
			as := a.eng.Assess(ap.Fix)
			a.pending = append(a.pending, store.Applied{Applied: ap, Assessment: as})
			if c, ok := a.c.verdicts[as.Verdict]; ok {
				c.Inc()
			}
			a.m.Crossings.Add(float64(len(ap.Crossings)))
			if as.Alert != nil && !as.Replay {
				if as.AlertNew {
					a.m.AlertsOpened.Inc()
				} else {
					a.m.AlertUpdates.Inc()
				}
			}
		}
		a.c.applied.Add(float64(len(u.Applied)))
		a.m.TrackPositions.WithLabelValues("implausible").Add(float64(len(u.Implausible)))
		for _, f := range u.Ended {
			if al := a.eng.EndFlight(f.ID); al != nil {
				a.closed = append(a.closed, *al)
			}
			a.ended = append(a.ended, f.ID)
			a.m.FlightsEnded.Inc()
		}
	}
	taken := 0
	for _, d := range batch {
		if d.Seq <= a.seq {
			// Applied before the checkpoint this consumer restarted
			// from (a delivery that was stored but not acknowledged).
			_ = d.Ack()
			continue
		}
		if a.programmeOnly && !a.eng.Programme(d.Position.ID) {
			a.c.notProgramme.Inc()
			batch[taken] = d
			taken++
			continue
		}
		u := a.trk.Add(d.Position)
		switch {
		case u.Duplicate:
			a.c.duplicate.Inc()
		case u.Late:
			a.c.late.Inc()
		}
		collect(u)
		if d.Position.Time.After(a.newest) {
			a.newest = d.Position.Time
			// The tracker's clock trails the newest message time by
			// expireLag, so that feeds a little behind the others (or
			// behind the second boundary) are not taken as late.
			if sec := a.newest.Add(-expireLag).Truncate(time.Second); sec.After(a.clock) {
				a.clock = sec
				collect(a.trk.Expire(sec))
			}
		}
		batch[taken] = d
		taken++
	}
	if taken > 0 {
		a.seq = batch[taken-1].Seq
	}
	a.held = append(a.held, batch[:taken]...)
	a.announceBatch(a.pending[first:], a.closed[closedFrom:])
	a.m.Aircraft.Set(float64(a.trk.Aircraft()))
	if len(a.pending) >= maxPending || time.Since(a.lastFlush) >= a.flushEvery {
		a.flushLocked(time.Since(a.lastSave) >= a.snapshotEvery || len(a.held) >= 20000, nil)
	}
	return nil
}

func (a *accountant) encodeLocked() ([]byte, error) {
	var buf bytes.Buffer
	snap := snapshot{Track: a.trk.Snapshot(), Compliance: a.eng.Snapshot(), Newest: a.newest, Clock: a.clock}
	if err := gob.NewEncoder(&buf).Encode(&snap); err != nil {
		return nil, fmt.Errorf("checkpoint %s: encode state: %w", a.name, err)
	}
	return buf.Bytes(), nil
}

// announceBatch hands the alert states a batch changed to announce.
func (a *accountant) announceBatch(applied []store.Applied, closed []compliance.Alert) {
	var alerts []compliance.Alert
	for i := range applied {
		as := &applied[i].Assessment
		if as.Replay {
			continue
		}
		if as.Closed != nil {
			alerts = append(alerts, *as.Closed)
		}
		if as.Alert != nil {
			alerts = append(alerts, *as.Alert)
		}
	}
	alerts = append(alerts, closed...)
	// Only the latest state of each alert in the batch is announced.
	latest := make(map[string]int, len(alerts))
	out := alerts[:0]
	for _, al := range alerts {
		if i, ok := latest[al.ID]; ok {
			out[i] = al
			continue
		}
		latest[al.ID] = len(out)
		out = append(out, al)
	}
	alerts = out
	if len(alerts) > 0 {
		a.m.AlertsOpen.Set(float64(len(a.eng.OpenAlerts())))
	}
	if len(alerts) > 0 && a.announce != nil {
		a.announce(alerts)
	}
}

// flush releases every fix still waiting in the tracker's reorder buffer
// (Expire at the newest message time plus the reorder window) and saves
// everything with the state: for the end of a replayed file, when no later
// position will come.
func (a *accountant) flush(ctx context.Context) error {
	a.mu.Lock()
	if a.trk == nil || a.newest.IsZero() {
		a.mu.Unlock()
		return nil
	}
	first := len(a.pending)
	u := a.trk.Expire(a.newest.Add(a.topts.Reorder))
	for _, ap := range u.Applied {
		ap.Crossings = slices.Clone(ap.Crossings)
		a.pending = append(a.pending, store.Applied{Applied: ap, Assessment: a.eng.Assess(ap.Fix)})
	}
	a.announceBatch(a.pending[first:], nil)
	done := make(chan error, 1)
	a.flushLocked(true, done)
	a.mu.Unlock()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// applied returns the last stream sequence applied (stored or not).
func (a *accountant) applied() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seq
}

// addAuthorisation applies an authorisation to the running engine.
func (a *accountant) addAuthorisation(au *compliance.Authorisation) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.eng == nil {
		return nil // applied from the store when the engine is built
	}
	return a.eng.Add(au)
}

// revokeAuthorisation applies a revocation to the running engine.
func (a *accountant) revokeAuthorisation(id string, at time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.eng == nil {
		return nil
	}
	if err := a.eng.Revoke(id, at); err != nil && !errors.Is(err, compliance.ErrUnknownAuthorisation) {
		return err
	}
	return nil
}
