package rows

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

const flightID = "icao:AE1F01@2026-03-02T15:00:00.000Z"

// sampleFixes returns fixes with the values a chunk must keep bit for bit:
// Seq gaps, times going back and far apart, strings that change and
// repeat, floats of every kind, footprints with and without corners.
func sampleFixes() []ChunkFix {
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 500_000_001, time.UTC)
	floats := []float64{0.1 + 0.2, math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64, -1.25e-7, 179.99999999999997, 1.0 / 3}
	var out []ChunkFix
	seq := 3
	for i := 0; i < 40; i++ {
		x := floats[i%len(floats)]
		p := position.Position{
			ID: "icao:AE1F01", Source: position.Source(i % 5), Time: t0.Add(time.Duration(i*i-20*i) * time.Second),
			Lat: geo.Degrees(31.1 + float64(i)*1e-4 + 1.0/3e9), Lon: geo.Degrees(-110.3 - math.Pi*1e-12),
			Has: position.Has(i * 4099 % 65536), Altitude: geo.Meters(x), AltitudeRef: position.AltitudeRef(i % 3),
			GroundSpeed: -x, Track: geo.Degrees(x / 3), VerticalRate: x * 7, OnGround: i%4 == 1, Accuracy: geo.Meters(i),
			Callsign: []string{"VIGÍA01", "VIGÍA01", "", "N123\x00"}[i%4], Squawk: []string{"7001", "7001", "7001", "7700"}[i%4],
		}
		if i%3 == 0 {
			p.Footprint = &position.Footprint{Center: geo.LatLon{Lat: 31.2, Lon: -110.2 + 1e-15}, HasCorners: i%2 == 0, SlantRange: 12345.678901234567}
			if p.Footprint.HasCorners {
				p.Footprint.Corners = [4]geo.LatLon{{Lat: 31.3, Lon: -110.1}, {Lat: 31.3, Lon: -110.3}, {Lat: 31.1, Lon: -110.3}, {Lat: 31.1, Lon: -110.1}}
			}
		}
		v := compliance.Verdict(i % 5)
		auth := ""
		if v == compliance.Authorised {
			auth = "AUT-1"
		}
		out = append(out, ChunkFix{
			AssessedFix: compliance.AssessedFix{
				Fix:     track.Fix{FlightID: flightID, Seq: seq, Position: p, Country: []string{"USA", "MEX", ""}[i%3], Depth: geo.Meters(x)},
				Verdict: v, AuthorisationID: auth,
			},
			Map: i%7 == 0,
		})
		seq += 1 + i%3*1000
	}
	return out
}

func encode(fixes []ChunkFix) []byte {
	var e ChunkEncoder
	for i := range fixes {
		e.Add(&fixes[i].Fix, fixes[i].Verdict, fixes[i].AuthorisationID, fixes[i].Map)
	}
	return e.AppendTo(nil)
}

func TestChunkRoundTrip(t *testing.T) {
	want := sampleFixes()
	body := encode(want)
	got, err := DecodeChunk(body, flightID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d fixes, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("fix %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
		if math.Float64bits(float64(got[i].Fix.Position.Altitude)) != math.Float64bits(float64(want[i].Fix.Position.Altitude)) {
			t.Fatalf("fix %d: altitude bits changed", i)
		}
	}
	// Ten fixes of a steady flight (strings repeated, consecutive Seqs, a
	// second apart, no footprint) take at most 82 bytes each after the
	// first one's strings.
	steady := sampleFixes()[1:2]
	for i := 1; i < 10; i++ {
		f := steady[0]
		f.Fix.Seq += i
		f.Fix.Position.Time = f.Fix.Position.Time.Add(time.Duration(i) * time.Second)
		steady = append(steady, f)
	}
	if n, limit := len(encode(steady)), 2+10*82+len("icao:AE1F01VIGÍA017001MEXdomestic"); n > limit {
		t.Errorf("chunk of 10 steady fixes is %d bytes, want at most %d", n, limit)
	}
	// Appending to a slice keeps what was there.
	prefix := []ChunkFix{{Map: true}}
	got, err = DecodeChunk(body, flightID, prefix)
	if err != nil || len(got) != len(want)+1 || !got[0].Map || got[1].Fix.Seq != want[0].Fix.Seq {
		t.Errorf("appending decode: %d fixes, %v", len(got), err)
	}
	// An encoder is reusable after Reset.
	var e ChunkEncoder
	e.Add(&want[5].Fix, want[5].Verdict, want[5].AuthorisationID, want[5].Map)
	e.Reset()
	for i := range want {
		e.Add(&want[i].Fix, want[i].Verdict, want[i].AuthorisationID, want[i].Map)
	}
	if !bytes.Equal(e.AppendTo(nil), body) {
		t.Errorf("encoding after Reset differs")
	}
	if first, last := e.Seqs(); first != want[0].Fix.Seq || last != want[len(want)-1].Fix.Seq || e.Len() != len(want) {
		t.Errorf("Seqs = %d, %d, Len %d", first, last, e.Len())
	}
}

func TestDecodeChunkErrors(t *testing.T) {
	good := encode(sampleFixes()[:3])
	// Every truncation fails, none panics.
	for n := 0; n < len(good); n++ {
		if _, err := DecodeChunk(good[:n], flightID, nil); !errors.Is(err, ErrBadChunk) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	one := encode(sampleFixes()[1:2]) // no footprint
	cases := []struct {
		name string
		body []byte
		want string
	}{
		{"version", mod(func(b []byte) []byte { b[0] = 2; return b }), "offset 0: version 2"},
		{"count", mod(func(b []byte) []byte { b[1] = 100; return b }), "offset 1: count 100 does not fit"},
		{"trailing", append(append([]byte(nil), good...), 0), "1 bytes after the last fix"},
		{"flags", func() []byte {
			b := append([]byte(nil), one...)
			b[len(b)-8*8-1] = 0x40 // the flag byte of a fix without footprint
			return b
		}(), "flags 0x40"},
		{"verdict", bytes.Replace(one, []byte("domestic"), []byte("domestiX"), 1), `unknown verdict "domestiX"`},
		{"seq", func() []byte {
			f := sampleFixes()[:2]
			f[1].Fix.Seq = f[0].Fix.Seq
			return encode(f)
		}(), "seq increase 0"},
		{"zero time", func() []byte {
			f := sampleFixes()[:1]
			f[0].Fix.Position.Time = time.Time{}
			return encode(f)
		}(), "zero time"},
	}
	for _, c := range cases {
		_, err := DecodeChunk(c.body, flightID, nil)
		if !errors.Is(err, ErrBadChunk) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// FuzzDecodeChunk decodes arbitrary bytes, and every prefix of them (a
// body cut at any point): no panic, an error wrapping ErrBadChunk or
// fixes that encode and decode to themselves.
func FuzzDecodeChunk(f *testing.F) {
	f.Add(encode(sampleFixes()))
	f.Add(encode(sampleFixes()[:1]))
	f.Add([]byte{1, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, n := range []int{len(body), len(body) / 2, len(body) / 3} {
			got, err := DecodeChunk(body[:n], flightID, nil)
			if err != nil {
				if !errors.Is(err, ErrBadChunk) {
					t.Fatalf("error %v does not wrap ErrBadChunk", err)
				}
				continue
			}
			if len(got) > n {
				t.Fatalf("%d fixes from %d bytes", len(got), n)
			}
			again, err := DecodeChunk(encode(got), flightID, nil)
			if err != nil {
				t.Fatalf("re-encoded chunk: %v", err)
			}
			if !reflect.DeepEqual(floatBits(again), floatBits(got)) {
				t.Fatalf("re-encoded chunk decodes differently")
			}
		}
	})
}

// floatBits makes NaNs comparable: it gives the fixes as JSON with every
// float replaced by its bits.
func floatBits(fs []ChunkFix) string {
	var b strings.Builder
	for _, f := range fs {
		p := f.Fix.Position
		bits := []uint64{math.Float64bits(float64(p.Lat)), math.Float64bits(float64(p.Lon)), math.Float64bits(float64(p.Altitude)),
			math.Float64bits(p.GroundSpeed), math.Float64bits(float64(p.Track)), math.Float64bits(p.VerticalRate),
			math.Float64bits(float64(p.Accuracy)), math.Float64bits(float64(f.Fix.Depth))}
		if fp := p.Footprint; fp != nil {
			bits = append(bits, math.Float64bits(float64(fp.Center.Lat)), math.Float64bits(float64(fp.SlantRange)))
			for _, c := range fp.Corners {
				bits = append(bits, math.Float64bits(float64(c.Lat)), math.Float64bits(float64(c.Lon)))
			}
		}
		p.Lat, p.Lon, p.Altitude, p.GroundSpeed, p.Track, p.VerticalRate, p.Accuracy, p.Footprint = 0, 0, 0, 0, 0, 0, 0, nil
		j, _ := json.Marshal(struct {
			P     position.Position
			S     int
			C, A  string
			V     compliance.Verdict
			M     bool
			Bits  []uint64
			HasFP bool
		}{p, f.Fix.Seq, f.Fix.Country, f.AuthorisationID, f.Verdict, f.Map, bits, f.Fix.Position.Footprint != nil})
		b.Write(j)
	}
	return b.String()
}

func applied(flight string, seq int) store.Applied {
	var a store.Applied
	a.Flight.ID = flight
	a.Fix = track.Fix{FlightID: flight, Seq: seq}
	return a
}

func TestNewFixes(t *testing.T) {
	type want struct {
		flight string
		seqs   []int
	}
	cases := []struct {
		name   string
		batch  [][2]any // flight, seq
		stored map[string]int
		want   []want
		after  map[string]int
	}{
		{"new flights interleaved", [][2]any{{"a", 0}, {"b", 0}, {"a", 1}, {"b", 1}, {"a", 2}},
			map[string]int{}, []want{{"a", []int{0, 1, 2}}, {"b", []int{0, 1}}}, map[string]int{"a": 2, "b": 1}},
		{"partly stored", [][2]any{{"a", 3}, {"a", 4}, {"a", 5}, {"a", 6}},
			map[string]int{"a": 4}, []want{{"a", []int{5, 6}}}, map[string]int{"a": 6}},
		{"all stored", [][2]any{{"a", 3}, {"a", 4}, {"b", 0}},
			map[string]int{"a": 4}, []want{{"b", []int{0}}}, map[string]int{"a": 4, "b": 0}},
		{"duplicates out of order", [][2]any{{"a", 7}, {"a", 8}, {"a", 5}, {"a", 6}, {"a", 7}, {"a", 8}, {"a", 9}},
			map[string]int{"a": 4}, []want{{"a", []int{5, 6, 7, 8, 9}}}, map[string]int{"a": 9}},
		{"gap", [][2]any{{"a", 5}, {"a", 6}, {"a", 9}},
			map[string]int{"a": 4}, []want{{"a", []int{5, 6, 9}}}, map[string]int{"a": 6}},
		{"first fixes missing", [][2]any{{"a", 10}, {"a", 11}},
			map[string]int{}, []want{{"a", []int{10, 11}}}, map[string]int{"a": -1}},
	}
	for _, c := range cases {
		var batch []store.Applied
		for _, it := range c.batch {
			batch = append(batch, applied(it[0].(string), it[1].(int)))
		}
		groups := NewFixes(batch, c.stored)
		var got []want
		for _, g := range groups {
			w := want{flight: g.FlightID}
			for k, i := range g.Idx {
				if k > 0 && batch[i].Fix.Seq <= batch[g.Idx[k-1]].Fix.Seq {
					t.Errorf("%s: indices not in Seq order", c.name)
				}
				if batch[i].Fix.FlightID != g.FlightID {
					t.Errorf("%s: index %d of flight %s in group %s", c.name, i, batch[i].Fix.FlightID, g.FlightID)
				}
				w.seqs = append(w.seqs, batch[i].Fix.Seq)
			}
			got = append(got, w)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: groups %+v, want %+v", c.name, got, c.want)
		}
		if !reflect.DeepEqual(c.stored, c.after) {
			t.Errorf("%s: watermarks %v, want %v", c.name, c.stored, c.after)
		}
	}
	// The first occurrence of a Seq is the one kept.
	batch := []store.Applied{applied("a", 0), applied("a", 0)}
	batch[1].Fix.Country = "MEX"
	if g := NewFixes(batch, map[string]int{}); len(g) != 1 || !reflect.DeepEqual(g[0].Idx, []int{0}) {
		t.Errorf("duplicate kept: %+v", g)
	}
}

func TestEncodeStay(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 1, time.UTC)
	for _, s := range []track.Stay{
		{},
		{Country: "MEX", Start: t0, End: t0.Add(time.Hour), Fixes: 3600, MaxDepth: 12345.678901234567, MaxDepthSeq: -1},
		{Country: "USA", Start: t0, MaxDepth: 1e-300, MaxDepthSeq: 7},
		{Country: "A\"<b>\\ñ", MaxDepth: 5e21},
	} {
		enc := EncodeStay(s)
		slow, _ := json.Marshal(stay{s.Country, Nanos(s.Start), Nanos(s.End), s.Fixes, float64(s.MaxDepth), s.MaxDepthSeq})
		var a, b stay
		if err := json.Unmarshal([]byte(enc), &a); err != nil {
			t.Fatalf("%q: %v", enc, err)
		}
		if err := json.Unmarshal(slow, &b); err != nil || a != b {
			t.Errorf("EncodeStay %s decodes to %+v, json.Marshal's %s to %+v", enc, a, slow, b)
		}
		got, err := DecodeStay("stay", enc)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("round trip of %+v: %+v, %v", s, got, err)
		}
	}
}
