package sim

import (
	"container/heap"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

// Sim is a scenario with the trajectories of its aircraft.
type Sim struct {
	Scenario *Scenario
	Flights  []*Flight // in the order of Scenario.Aircraft
}

// New integrates the trajectory of every aircraft of sc over its duration.
// sc must not be changed afterwards.
func New(sc *Scenario) (*Sim, error) {
	s := &Sim{Scenario: sc}
	for i := range sc.Aircraft {
		f, err := NewFlight(&sc.Aircraft[i], sc.Duration)
		if err != nil {
			return nil, fmt.Errorf("aircraft %q: %w", sc.Aircraft[i].ID, err)
		}
		s.Flights = append(s.Flights, f)
	}
	return s, nil
}

// Output says where a run writes. Nil writers are skipped. Run writes to
// each writer in order and never closes one; Write calls are as small as
// one message, so give buffered writers for files.
type Output struct {
	AVR   io.Writer // AVR records, "@" + 12 MHz timestamp (or "*" with PlainAVR)
	Beast io.Writer // Beast type '3' records
	// PlainAVR writes AVR records without timestamps ("*...;").
	PlainAVR bool
	// TS maps an aircraft ID to the writer of its transport stream.
	TS map[string]io.Writer
	// Truth receives the NDJSON ground truth.
	Truth io.Writer
	// Pace, if set, is called before each message with its scenario time
	// and may wait (live output); an error stops the run.
	Pace func(ctx context.Context, t time.Duration) error
	// Progress, if set, is called each time the scenario clock passes a
	// whole second, with the time done.
	Progress func(t time.Duration)
}

// Stats counts what a run emitted.
type Stats struct {
	ADSB        int // Mode S messages received (written): extended squitters and surveillance replies
	ADSBLost    int // Mode S messages transmitted but not received (adsb_loss)
	KLV         int // KLV packets
	VideoFrames int
	Truth       int // truth records, header excluded
}

// event kinds of the run loop
type evKind uint8

const (
	evPosition evKind = iota
	evVelocity
	evIdent
	evStatus
	evKLV
	evVideo
	evAltReply
	evIDReply
)

type event struct {
	t    time.Duration
	seq  uint64 // tie-break, for a deterministic order
	ac   int
	kind evKind
	n    int64 // frame or packet number (KLV, video)
}

type queue []event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].t != q[j].t {
		return q[i].t < q[j].t
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// uniform returns a duration uniformly distributed in [lo, hi] seconds.
func uniform(r *rand.Rand, lo, hi float64) time.Duration {
	return time.Duration((lo + (hi-lo)*r.Float64()) * float64(time.Second))
}

// Transmission intervals of DO-260B §2.2.3.3.1.4 (airborne), seconds.
var intervals = [...][2]float64{
	evPosition: {0.4, 0.6},
	evVelocity: {0.4, 0.6},
	evIdent:    {4.8, 5.2},
	evStatus:   {2.4, 2.6},
	evKLV:      {},
	evVideo:    {},
	evAltReply: {4.8, 5.2}, // one secondary-radar sweep
	evIDReply:  {4.8, 5.2},
}

// Run emits the scenario's messages in time order to out. The same Sim
// and Output content give the same bytes. It stops early when ctx is done
// or a write fails.
func (s *Sim) Run(ctx context.Context, out *Output) (Stats, error) {
	sc := s.Scenario
	var st Stats
	rng := rand.New(rand.NewPCG(sc.Seed, 0x5EED_0F_F11647))
	var q queue
	var seq uint64
	push := func(e event) {
		seq++
		e.seq = seq
		heap.Push(&q, e)
	}
	ts := make([]*tsWriter, len(s.Flights))
	odd := make([]int, len(s.Flights))
	for i, f := range s.Flights {
		a := f.Aircraft
		if a.ADSB {
			for k := evPosition; k <= evStatus; k++ {
				push(event{t: uniform(rng, 0, intervals[k][1]), ac: i, kind: k})
			}
			odd[i] = rng.IntN(2)
			if a.ModeSReplies {
				sweep := uniform(rng, 0, 5)
				push(event{t: sweep, ac: i, kind: evAltReply})
				push(event{t: sweep + uniform(rng, 0.01, 0.05), ac: i, kind: evIDReply})
			}
		}
		if w := out.TS[a.ID]; a.KLV && w != nil {
			tw, err := newTSWriter(w, a)
			if err != nil {
				return st, fmt.Errorf("aircraft %q: %w", a.ID, err)
			}
			ts[i] = tw
			push(event{t: 0, ac: i, kind: evVideo})
			push(event{t: 0, ac: i, kind: evKLV})
		}
	}
	tr := newTruthWriter(out.Truth)
	if err := tr.header(s); err != nil {
		return st, err
	}
	var buf []byte
	nextSecond := time.Second
	for q.Len() > 0 {
		e := heap.Pop(&q).(event)
		if e.t > sc.Duration {
			continue
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		for out.Progress != nil && e.t >= nextSecond {
			out.Progress(nextSecond)
			nextSecond += time.Second
		}
		if out.Pace != nil {
			if err := out.Pace(ctx, e.t); err != nil {
				return st, err
			}
		}
		f := s.Flights[e.ac]
		a := f.Aircraft
		switch e.kind {
		case evVideo:
			e.n++
			push(event{t: frameTime(e.n, a.FrameRate), ac: e.ac, kind: evVideo, n: e.n})
			if err := ts[e.ac].mux.WriteVideoFrame(PTS(e.t)); err != nil {
				return st, fmt.Errorf("aircraft %q: %w", a.ID, err)
			}
			st.VideoFrames++
			continue
		case evKLV:
			e.n++
			push(event{t: frameTime(e.n, a.KLVRate), ac: e.ac, kind: evKLV, n: e.n})
			state := f.At(e.t)
			if _, err := ts[e.ac].klv(a, &state, sc.Start.Add(e.t), sc.GeoidUndulation, e.t); err != nil {
				return st, fmt.Errorf("aircraft %q: %w", a.ID, err)
			}
			st.KLV++
			if err := tr.state(sc, a, MsgKLV, &state, -1, PTS(e.t)); err != nil {
				return st, err
			}
			st.Truth++
			continue
		}
		push(event{t: e.t + uniform(rng, intervals[e.kind][0], intervals[e.kind][1]), ac: e.ac, kind: e.kind})
		state := f.At(e.t)
		var frame [14]byte
		n := 14
		kind := MsgKind(0)
		switch e.kind {
		case evAltReply:
			r := encodeReply(a.ICAO, 4, ac13(float64(state.Alt/geo.Foot)))
			n, kind = copy(frame[:], r[:]), MsgAltitudeReply
		case evIDReply:
			r := encodeReply(a.ICAO, 5, id13(a.Squawk))
			n, kind = copy(frame[:], r[:]), MsgIdentityReply
		case evPosition:
			frame = encodePosition(a.ICAO, &state, odd[e.ac])
			kind = MsgPositionEven + MsgKind(odd[e.ac])
			odd[e.ac] ^= 1
		case evVelocity:
			frame, kind = encodeVelocity(a.ICAO, &state, sc.GeoidUndulation), MsgVelocity
		case evIdent:
			frame, kind = encodeIdent(a.ICAO, a.Callsign, a.Category), MsgIdent
		case evStatus:
			frame, kind = encodeStatus(a.ICAO), MsgStatus
		}
		sig := signal(rng, sc.Receiver, &state)
		if a.ADSBLoss > 0 && rng.Float64() < a.ADSBLoss {
			st.ADSBLost++
			continue
		}
		ticks := Ticks(math.Round(e.t.Seconds()*TicksPerSecond)) & (1<<48 - 1)
		if out.AVR != nil {
			if out.PlainAVR {
				buf = appendAVRPlain(buf[:0], frame[:n])
			} else {
				buf = appendAVR(buf[:0], ticks, frame[:n])
			}
			if _, err := out.AVR.Write(buf); err != nil {
				return st, fmt.Errorf("write AVR: %w", err)
			}
		}
		if out.Beast != nil {
			buf = appendBeast(buf[:0], ticks, sig, frame[:n])
			if _, err := out.Beast.Write(buf); err != nil {
				return st, fmt.Errorf("write Beast: %w", err)
			}
		}
		st.ADSB++
		if err := tr.state(sc, a, kind, &state, int64(ticks), -1); err != nil {
			return st, err
		}
		st.Truth++
	}
	for i, w := range ts {
		if w != nil {
			if err := w.mux.Close(); err != nil {
				return st, fmt.Errorf("aircraft %q: %w", s.Flights[i].Aircraft.ID, err)
			}
		}
	}
	if out.Progress != nil {
		out.Progress(sc.Duration)
	}
	return st, tr.err
}

// frameTime is the time of frame n at rate hz.
func frameTime(n int64, hz float64) time.Duration {
	return time.Duration(math.Round(float64(n) / hz * float64(time.Second)))
}

// signal returns a Beast signal level byte: the amplitude (relative to
// full scale, times 255) of free-space loss from the receiver, -10 dBFS at
// 50 km, with ±1.5 dB of fading; 100 km away when there is no receiver.
func signal(r *rand.Rand, rx *Receiver, s *State) byte {
	d := 100e3
	if rx != nil {
		d = math.Max(float64(geo.WGS84.Distance(rx.Pos, s.Pos)), 100)
	}
	db := -10 - 20*math.Log10(d/50e3) + 3*(r.Float64()-0.5)
	amp := math.Pow(10, db/20) * 255
	return byte(math.Max(1, math.Min(255, math.Round(amp))))
}
