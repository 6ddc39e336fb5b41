package rows

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

// ErrBadChunk is wrapped by every error about a fix chunk body that cannot
// be decoded; the message names the byte offset.
var ErrBadChunk = errors.New("bad fix chunk")

// chunkVersion is the first byte of every chunk body.
const chunkVersion = 1

// minFixBytes is the smallest encoding of one fix: seq, time, six strings,
// three small integers, the flag byte and eight doubles.
const minFixBytes = 1 + 1 + 6 + 3 + 1 + 8*8

// Flag bits of a fix in a chunk.
const (
	flagOnGround = 1 << iota
	flagMap
	flagFootprint
	flagCorners
	flagsKnown = flagOnGround | flagMap | flagFootprint | flagCorners
)

// ChunkFix is one fix decoded from a chunk, with its map flag.
type ChunkFix struct {
	compliance.AssessedFix
	Map bool
}

// ChunkEncoder encodes the fixes of one flight, in increasing Seq order,
// into a chunk body (the body column of fix_chunks). The body is: the
// version byte 1, the number of fixes (uvarint), then per fix the Seq
// (uvarint: the first absolute, then the increase, ≥ 1), the time (Unix
// ns, zigzag varint: the first absolute, then the difference), the strings
// aircraft, callsign, squawk, country, verdict and authorisation ID (each
// uvarint 0 for "as the previous fix", else length+1 and the UTF-8
// bytes), source, has and altitude reference (uvarint), a flag byte
// (on ground, map, footprint, corners), the doubles lat, lon, altitude,
// ground speed, track, vertical rate, accuracy and depth (IEEE 754, little
// endian), and with a footprint its centre, four corners (lat, lon each)
// and slant range (11 doubles). The zero value is ready to use; it is not
// safe for concurrent use.
type ChunkEncoder struct {
	body      []byte
	n         int
	first     int
	last      int
	lastNanos int64
	prev      [6]string
}

// Reset empties the encoder for the next chunk, keeping its buffer.
func (e *ChunkEncoder) Reset() {
	e.body, e.n, e.first, e.last, e.lastNanos = e.body[:0], 0, 0, 0, 0
	e.prev = [6]string{}
}

// Len returns the number of fixes added since the last Reset.
func (e *ChunkEncoder) Len() int { return e.n }

// Seqs returns the Seq of the first and of the last fix added.
func (e *ChunkEncoder) Seqs() (first, last int) { return e.first, e.last }

// Add appends one fix; its Seq must be above the previous one's (the
// caller sorts and dedupes).
func (e *ChunkEncoder) Add(f *track.Fix, v compliance.Verdict, authorisationID string, isMap bool) {
	p := &f.Position
	ns := Nanos(p.Time)
	b := e.body
	if e.n == 0 {
		e.first = f.Seq
		b = binary.AppendUvarint(b, uint64(f.Seq))
		b = binary.AppendVarint(b, ns)
	} else {
		b = binary.AppendUvarint(b, uint64(f.Seq-e.last))
		b = binary.AppendVarint(b, ns-e.lastNanos)
	}
	e.last, e.lastNanos = f.Seq, ns
	for i, s := range [6]string{p.ID, p.Callsign, p.Squawk, f.Country, v.String(), authorisationID} {
		if e.n > 0 && s == e.prev[i] {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(s))+1)
		b = append(b, s...)
		e.prev[i] = s
	}
	b = binary.AppendUvarint(b, uint64(p.Source))
	b = binary.AppendUvarint(b, uint64(p.Has))
	b = binary.AppendUvarint(b, uint64(p.AltitudeRef))
	var flags byte
	if p.OnGround {
		flags |= flagOnGround
	}
	if isMap {
		flags |= flagMap
	}
	if fp := p.Footprint; fp != nil {
		flags |= flagFootprint
		if fp.HasCorners {
			flags |= flagCorners
		}
	}
	b = append(b, flags)
	for _, x := range [8]float64{float64(p.Lat), float64(p.Lon), float64(p.Altitude), p.GroundSpeed,
		float64(p.Track), p.VerticalRate, float64(p.Accuracy), float64(f.Depth)} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	if fp := p.Footprint; fp != nil {
		b = appendLatLon(b, fp.Center)
		for _, c := range fp.Corners {
			b = appendLatLon(b, c)
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(fp.SlantRange)))
	}
	e.body = b
	e.n++
}

func appendLatLon(b []byte, ll geo.LatLon) []byte {
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(ll.Lat)))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(ll.Lon)))
}

// AppendTo appends the chunk body of the fixes added since the last Reset
// to dst and returns the extended slice.
func (e *ChunkEncoder) AppendTo(dst []byte) []byte {
	dst = append(dst, chunkVersion)
	dst = binary.AppendUvarint(dst, uint64(e.n))
	return append(dst, e.body...)
}

// chunkReader reads a chunk body with a sticky error.
type chunkReader struct {
	b   []byte
	off int
	err error
}

func (r *chunkReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: offset %d: %s", ErrBadChunk, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *chunkReader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad %s varint", what)
		return 0
	}
	r.off += n
	return v
}

func (r *chunkReader) varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad %s varint", what)
		return 0
	}
	r.off += n
	return v
}

func (r *chunkReader) byte(what string) byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail("%s: unexpected end", what)
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *chunkReader) float(what string) float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b)-r.off < 8 {
		r.fail("%s: unexpected end", what)
		return 0
	}
	x := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off:]))
	r.off += 8
	return x
}

func (r *chunkReader) latLon(what string) geo.LatLon {
	lat := r.float(what)
	return geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(r.float(what))}
}

// str reads a string field; 0 keeps prev.
func (r *chunkReader) str(what string, prev string) string {
	n := r.uvarint(what)
	if r.err != nil || n == 0 {
		return prev
	}
	if n-1 > uint64(len(r.b)-r.off) {
		r.fail("%s: length %d beyond the end", what, n-1)
		return prev
	}
	s := string(r.b[r.off : r.off+int(n-1)])
	r.off += int(n - 1)
	return s
}

func (r *chunkReader) small(what string, limit uint64) uint64 {
	at := r.off
	v := r.uvarint(what)
	if v > limit && r.err == nil {
		r.off = at
		r.fail("%s %d above %d", what, v, limit)
	}
	return v
}

var stringFields = [6]string{"aircraft", "callsign", "squawk", "country", "verdict", "authorisation_id"}

// DecodeChunk appends the fixes of a chunk body of flight flightID to out.
// It never panics and allocates in proportion to len(body); an error wraps
// ErrBadChunk and names the byte offset.
func DecodeChunk(body []byte, flightID string, out []ChunkFix) ([]ChunkFix, error) {
	r := &chunkReader{b: body}
	if v := r.byte("version"); r.err == nil && v != chunkVersion {
		r.off--
		r.fail("version %d, want %d", v, chunkVersion)
	}
	at := r.off
	n := r.uvarint("count")
	if r.err == nil && n > uint64(len(body)-r.off)/minFixBytes {
		r.off = at
		r.fail("count %d does not fit in %d bytes", n, len(body))
	}
	if r.err != nil {
		return out, r.err
	}
	out = append(out[:len(out):len(out)], make([]ChunkFix, 0, int(n))...)
	var seq, ns int64
	var prev [6]string
	for i := 0; i < int(n) && r.err == nil; i++ {
		at := r.off
		if i == 0 {
			s := r.uvarint("seq")
			if s > math.MaxInt32 {
				r.off = at
				r.fail("seq %d out of range", s)
			}
			seq = int64(s)
			ns = r.varint("time")
		} else {
			d := r.uvarint("seq")
			if d == 0 || d > math.MaxInt32 || seq+int64(d) > math.MaxInt32 {
				r.off = at
				r.fail("seq increase %d after %d", d, seq)
			}
			seq += int64(d)
			ns += r.varint("time")
		}
		var s [6]string
		for j := range s {
			s[j] = r.str(stringFields[j], prev[j])
		}
		prev = s
		var cf ChunkFix
		f := &cf.Fix
		p := &f.Position
		f.FlightID, f.Seq = flightID, int(seq)
		p.ID, p.Callsign, p.Squawk, f.Country, cf.AuthorisationID = s[0], s[1], s[2], s[3], s[5]
		p.Time = Time(ns)
		p.Source = position.Source(r.small("source", math.MaxUint8))
		p.Has = position.Has(r.small("has", math.MaxUint16))
		p.AltitudeRef = position.AltitudeRef(r.small("alt_ref", math.MaxUint8))
		flagsAt := r.off
		flags := r.byte("flags")
		if flags&^flagsKnown != 0 || (flags&flagCorners != 0 && flags&flagFootprint == 0) {
			r.off = flagsAt
			r.fail("flags 0x%02x", flags)
		}
		p.OnGround, cf.Map = flags&flagOnGround != 0, flags&flagMap != 0
		p.Lat, p.Lon = geo.Degrees(r.float("lat")), geo.Degrees(r.float("lon"))
		p.Altitude, p.GroundSpeed = geo.Meters(r.float("altitude")), r.float("ground_speed")
		p.Track, p.VerticalRate = geo.Degrees(r.float("track")), r.float("vertical_rate")
		p.Accuracy, f.Depth = geo.Meters(r.float("accuracy")), geo.Meters(r.float("depth"))
		if flags&flagFootprint != 0 {
			fp := &position.Footprint{HasCorners: flags&flagCorners != 0}
			fp.Center = r.latLon("footprint")
			for k := range fp.Corners {
				fp.Corners[k] = r.latLon("footprint")
			}
			fp.SlantRange = geo.Meters(r.float("footprint"))
			p.Footprint = fp
		}
		if r.err == nil && ns == 0 {
			r.off = at
			r.fail("fix %d: zero time", i)
		}
		v, ok := compliance.ParseVerdict(s[4])
		if r.err == nil && !ok {
			r.off = at
			r.fail("fix %d: unknown verdict %q", i, s[4])
		}
		cf.Verdict = v
		if r.err == nil {
			out = append(out, cf)
		}
	}
	if r.err == nil && r.off != len(body) {
		r.fail("%d bytes after the last fix", len(body)-r.off)
	}
	if r.err != nil {
		return out, r.err
	}
	return out, nil
}

// FlightFixes are the indices into a batch of the fixes of one flight
// that are to be stored, in increasing Seq order.
type FlightFixes struct {
	FlightID string
	Idx      []int
}

// NewFixes groups the fixes of batch that are not stored yet by flight,
// in the order flights first appear: for each flight, the fixes whose Seq
// is above stored[flight] (−1 when the flight is not in the map), in Seq
// order, each Seq once (its first occurrence in batch). stored holds the
// watermark of each flight, the Seq up to which every fix is stored; NewFixes
// advances it over the contiguous run of Seqs the groups add. Flights
// without a new fix are left out.
func NewFixes(batch []store.Applied, stored map[string]int) []FlightFixes {
	gi := make([]int32, len(batch))
	index := map[string]int32{}
	var groups []FlightFixes
	var counts []int
	for i := range batch {
		f := &batch[i].Fix
		g, ok := index[f.FlightID]
		if !ok {
			g = int32(len(groups))
			index[f.FlightID] = g
			groups = append(groups, FlightFixes{FlightID: f.FlightID})
			counts = append(counts, 0)
		}
		w, known := stored[f.FlightID]
		if !known {
			w = -1
		}
		if f.Seq <= w {
			gi[i] = -1
			continue
		}
		gi[i] = g
		counts[g]++
	}
	all := make([]int, 0, len(batch))
	for g := range groups {
		groups[g].Idx = all[len(all) : len(all) : len(all)+counts[g]]
		all = all[:len(all)+counts[g]]
	}
	for i, g := range gi {
		if g >= 0 {
			groups[g].Idx = append(groups[g].Idx, i)
		}
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Idx) == 0 {
			continue
		}
		seq := func(k int) int { return batch[g.Idx[k]].Fix.Seq }
		sorted := true
		for k := 1; k < len(g.Idx); k++ {
			if seq(k) <= seq(k-1) {
				sorted = false
				break
			}
		}
		if !sorted {
			slices.SortStableFunc(g.Idx, func(a, b int) int { return batch[a].Fix.Seq - batch[b].Fix.Seq })
			g.Idx = slices.CompactFunc(g.Idx, func(a, b int) bool { return batch[a].Fix.Seq == batch[b].Fix.Seq })
		}
		w, known := stored[g.FlightID]
		if !known {
			w = -1
		}
		for k := range g.Idx {
			if seq(k) != w+1 {
				break
			}
			w++
		}
		stored[g.FlightID] = w
		out = append(out, g)
	}
	return out
}
