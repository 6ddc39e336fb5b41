package bus

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// codecCases are positions that exercise every field of the binary form.
func codecCases() []position.Position {
	full := position.Position{
		ID: "klv:MQ9-REAPER/M42", Source: position.KLV,
		Time: time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC),
		Lat:  32.7157, Lon: -117.1611,
		Has: position.HasAltitude | position.HasGroundSpeed | position.HasTrack | position.HasVerticalRate |
			position.HasAccuracy | position.HasOnGround,
		Altitude: 4572, AltitudeRef: position.MSL, GroundSpeed: 61.7, Track: 359.9, VerticalRate: -2.5,
		OnGround: false, Accuracy: 10, Callsign: "REAPER1", Squawk: "7000",
		Footprint: &position.Footprint{
			Center:     geo.LatLon{Lat: 32.70, Lon: -117.15},
			Corners:    [4]geo.LatLon{{Lat: 32.71, Lon: -117.16}, {Lat: 32.71, Lon: -117.14}, {Lat: 32.69, Lon: -117.14}, {Lat: 32.69, Lon: -117.16}},
			HasCorners: true, SlantRange: 5200,
		},
	}
	centreOnly := full
	centreOnly.Footprint = &position.Footprint{Center: geo.LatLon{Lat: -90, Lon: 180}}
	return []position.Position{
		full,
		centreOnly,
		{ID: "icao:ABC123", Source: position.ADSB, Time: time.Unix(0, 0).UTC(), Lat: 0, Lon: 0},
		{ID: "icao:ABC123", Source: position.ADSB, Time: time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC), Lat: -33.9, Lon: 151.2,
			Has: position.HasOnGround | position.HasAltitude, OnGround: true, AltitudeRef: position.Geometric, Altitude: -12.5},
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, p := range codecCases() {
		b := AppendPosition(nil, &p)
		var q position.Position
		if err := DecodePosition(b, &q); err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", q, p)
		}
		// The JSON form is accepted too.
		j, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var r position.Position
		if err := DecodePosition(j, &r); err != nil {
			t.Fatalf("%s: JSON: %v", p.ID, err)
		}
		if !reflect.DeepEqual(p, r) {
			t.Fatalf("JSON:\n got %+v\nwant %+v", r, p)
		}
		// Every truncation is an error, never a panic.
		for n := range len(b) {
			if err := DecodePosition(b[:n], &r); !errors.Is(err, ErrBadMessage) {
				t.Fatalf("%s truncated to %d bytes: %v, want ErrBadMessage", p.ID, n, err)
			}
		}
	}
}

func TestCodecErrors(t *testing.T) {
	good := codecCases()[2]
	enc := func(mod func(*position.Position)) []byte {
		p := good
		mod(&p)
		return AppendPosition(nil, &p)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "offset 0: field version: truncated"},
		{"version", []byte{2}, "offset 0: field version: unknown version 2"},
		{"empty id", enc(func(p *position.Position) { p.ID = "" }), "field id: empty"},
		{"source", enc(func(p *position.Position) { p.Source = 99 }), "offset 13: field source: unknown source 99"},
		{"latitude", enc(func(p *position.Position) { p.Lat = 91 }), "field lat/lon: 91, 0 out of range"},
		{"nan", enc(func(p *position.Position) { p.Lon = geo.Degrees(nan()) }), "field lat/lon: not a finite number"},
		{"has bits", enc(func(p *position.Position) { p.Has = 1 << 9 }), "field has: unknown bits 0x200"},
		{"trailing", append(enc(func(*position.Position) {}), 0), "field end: 1 bytes after the position"},
		{"json", []byte(`{"id":"x","source":"nope"}`), "unknown source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p position.Position
			err := DecodePosition(tc.data, &p)
			if !errors.Is(err, ErrBadMessage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrBadMessage containing %q", err, tc.want)
			}
		})
	}
}

func nan() float64 {
	var z float64
	return z / z
}

// FuzzDecodePosition checks that no input makes DecodePosition or
// DecodePositions panic, and that whatever they accept in a binary form
// encodes back to a message that decodes to the same positions.
func FuzzDecodePosition(f *testing.F) {
	for _, p := range codecCases() {
		f.Add(AppendPosition(nil, &p))
	}
	f.Add(appendPack(nil, codecCases()))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := DecodePositions(data, nil)
		if err != nil && (!errors.Is(err, ErrBadMessage) || len(ps) != 0) {
			t.Fatalf("DecodePositions: %v with %d positions", err, len(ps))
		}
		if err == nil && len(data) > 0 && data[0] == packVersion {
			again, err := DecodePositions(appendPack(nil, ps), nil)
			if err != nil || !reflect.DeepEqual(again, ps) {
				t.Fatalf("re-packed %d positions: %v", len(ps), err)
			}
		}
		var p position.Position
		if err := DecodePosition(data, &p); err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error %v does not wrap ErrBadMessage", err)
			}
			return
		}
		if len(data) > 0 && data[0] == '{' {
			return
		}
		var q position.Position
		if err := DecodePosition(AppendPosition(nil, &p), &q); err != nil {
			t.Fatalf("re-encoded %+v: %v", p, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("re-encoded:\n got %+v\nwant %+v", q, p)
		}
	})
}

func BenchmarkPositionBinary(b *testing.B) {
	p := codecCases()[0]
	buf := AppendPosition(nil, &p)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var q position.Position
	for b.Loop() {
		buf = AppendPosition(buf[:0], &p)
		if err := DecodePosition(buf, &q); err != nil {
			b.Fatal(err)
		}
	}
}
