package klv

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vigia/vigia/internal/position"
)

// randomValue returns a value of tag t drawn from its whole range.
func randomValue(r *rand.Rand, t Tag) Value {
	v := Value{Tag: t}
	lo, hi := t.Range()
	switch t.Kind() {
	case KindUint, KindIMAPB:
		v.Float = lo + r.Float64()*(hi-lo)
		if r.IntN(10) == 0 {
			v.Float = []float64{lo, hi}[r.IntN(2)]
		}
		if t.Kind() == KindIMAPB && r.IntN(3) == 0 {
			v.Size = 1 + r.IntN(8)
		}
	case KindInt:
		v.Float = (2*r.Float64() - 1) * hi
		if t.HasErrorIndicator() && r.IntN(8) == 0 {
			v.Float, v.Invalid = 0, true
		}
	case KindUintRaw, KindIntRaw:
		v.Float = math.Round(lo + r.Float64()*(hi-lo))
	case KindString:
		v.Str = strings.Repeat("MQ-9 Reaper ", r.IntN(12))
	case KindTime:
		v.Time = time.UnixMicro(1_500_000_000_000_000 + r.Int64N(1e15)).UTC()
	case KindFrameRate:
		v.Float = []float64{25, 30, 60, 30000.0 / 1001, 12.5}[r.IntN(5)]
	case KindSecurity:
		v.Security = &Security{Classification: 1, ClassifyingCountryCodingMethod: 14, ClassifyingCountry: "//USA",
			ReleasingInstructions: "MEX", ObjectCountryCodingMethod: 14, ObjectCountryCodes: "USA;MEX", Version: 12}
	case KindVMTI:
		m := &VMTI{SystemName: "vigia", Version: 6, TotalTargets: 3, ReportedTargets: 2, FrameNumber: uint64(r.IntN(1e6)),
			FrameWidth: 1920, FrameHeight: 1080, SourceSensor: "EO", HorizontalFOV: 12.5, VerticalFOV: 7}
		for i := range 2 {
			m.Targets = append(m.Targets, Target{ID: uint64(i + 1), Has: HasCentroid | HasBox | HasPriority | HasConfidence | HasHAE | HasLocation | HasRowColumn,
				Centroid: 1000, TopLeft: 10, BottomRight: 5000, Priority: 1, Confidence: 80, HAE: 312,
				Lat: 29.5 - r.Float64(), Lon: -110 - r.Float64(), LocationHAE: 250, Row: 540, Column: 960})
		}
		v.VMTI = m
	case KindCountryCodes:
		v.Countries = &CountryCodes{CodingMethod: 14, OverflightCountry: []string{"MEX", "USA"}[r.IntN(2)],
			OperatorCountry: []string{"", "USA"}[r.IntN(2)], CountryOfManufacture: []string{"", "USA", "ISR"}[r.IntN(3)]}
	case KindBytes:
		v.Bytes = make([]byte, r.IntN(300))
		for i := range v.Bytes {
			v.Bytes[i] = byte(r.IntN(256))
		}
	}
	return v
}

// tolerance returns how far a decoded value of v may be from v: half a
// step for rounded mappings, one step for IMAPB (floored, at the size it
// is written with), and a little for frame rates written to a thousandth.
func tolerance(v Value) float64 {
	in := v.Tag.info()
	switch in.kind {
	case KindUint, KindInt:
		return v.Tag.Resolution()/2 + 1e-9*math.Max(1, math.Abs(v.Float))
	case KindIMAPB:
		size := in.size
		if v.Size != 0 {
			size = v.Size
		}
		return newIMAPB(in.min, in.max, size).sR * (1 + 1e-9)
	case KindFrameRate:
		return 5e-4
	}
	return 0
}

// TestRoundTripEveryTag encodes random values of every tag of ST 0601, one
// packet per tag and one packet of all tags, and decodes them to the same
// values within each tag's resolution.
func TestRoundTripEveryTag(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	var buf []byte
	var p Packet
	for round := range rounds {
		var all []Value
		for tag := Tag(2); tag <= MaxTag; tag++ {
			all = append(all, randomValue(r, tag))
		}
		check := func(vals []Value) {
			var err error
			buf, err = Encode(buf[:0], vals)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if err := p.DecodeFrom(buf); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if !p.ChecksumOK || p.Length != len(buf) || p.Unknown != 0 || p.Malformed != 0 || len(p.Values) != len(vals) {
				t.Fatalf("round %d: checksum %v length %d/%d unknown %d malformed %d values %d/%d",
					round, p.ChecksumOK, p.Length, len(buf), p.Unknown, p.Malformed, len(p.Values), len(vals))
			}
			for i, want := range vals {
				compareValue(t, p.Values[i], want)
			}
		}
		check(all)
		for i := range all {
			check(all[i : i+1])
		}
	}
}

func compareValue(t *testing.T, got, want Value) {
	t.Helper()
	name := want.Tag.Name()
	if got.Tag != want.Tag || got.Invalid != want.Invalid {
		t.Fatalf("%s: got tag %d invalid %v, want %d %v", name, got.Tag, got.Invalid, want.Tag, want.Invalid)
	}
	switch want.Tag.Kind() {
	case KindUint, KindInt, KindIMAPB, KindUintRaw, KindIntRaw, KindFrameRate:
		if d := math.Abs(got.Float - want.Float); d > tolerance(want) {
			t.Fatalf("%s: got %.17g, want %.17g (off by %g, tolerance %g)", name, got.Float, want.Float, d, tolerance(want))
		}
	case KindString:
		if got.Str != want.Str {
			t.Fatalf("%s: got %q, want %q", name, got.Str, want.Str)
		}
	case KindTime:
		if !got.Time.Equal(want.Time) {
			t.Fatalf("%s: got %v, want %v", name, got.Time, want.Time)
		}
	case KindBytes:
		if !bytes.Equal(got.Bytes, want.Bytes) {
			t.Fatalf("%s: bytes differ", name)
		}
	case KindCountryCodes:
		if *got.Countries != *want.Countries {
			t.Fatalf("%s: got %+v, want %+v", name, got.Countries, want.Countries)
		}
	case KindSecurity:
		if !reflect.DeepEqual(got.Security, want.Security) {
			t.Fatalf("%s: got %+v, want %+v", name, got.Security, want.Security)
		}
	case KindVMTI:
		g, w := *got.VMTI, *want.VMTI
		if len(g.Targets) != len(w.Targets) {
			t.Fatalf("%s: %d targets, want %d", name, len(g.Targets), len(w.Targets))
		}
		for i := range w.Targets {
			gt, wt := g.Targets[i], w.Targets[i]
			if !near(gt.Lat, wt.Lat, math.Exp2(-23)) || !near(gt.Lon, wt.Lon, math.Exp2(-22)) || !near(gt.HAE, wt.HAE, 1) ||
				!near(gt.LocationHAE, wt.LocationHAE, 1) {
				t.Fatalf("%s: target %d %+v, want %+v", name, i, gt, wt)
			}
			gt.Lat, gt.Lon, gt.HAE, gt.LocationHAE = wt.Lat, wt.Lon, wt.HAE, wt.LocationHAE
			if gt != wt {
				t.Fatalf("%s: target %d %+v, want %+v", name, i, gt, wt)
			}
		}
		if !near(g.HorizontalFOV, w.HorizontalFOV, 180.0/32768) || !near(g.VerticalFOV, w.VerticalFOV, 180.0/32768) {
			t.Fatalf("%s: FOV %v %v, want %v %v", name, g.HorizontalFOV, g.VerticalFOV, w.HorizontalFOV, w.VerticalFOV)
		}
		g.Targets, w.Targets, g.HorizontalFOV, g.VerticalFOV = nil, nil, w.HorizontalFOV, w.VerticalFOV
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: got %+v, want %+v", name, g, w)
		}
	}
}

// TestEncodeRejects checks that Encode refuses values it cannot write and
// leaves dst as it was.
func TestEncodeRejects(t *testing.T) {
	bad := []Value{
		{Tag: TagChecksum},
		{Tag: 200},
		{Tag: TagSensorLatitude, Float: 91},
		{Tag: TagPlatformHeading, Float: -1},
		{Tag: TagPlatformHeading, Invalid: true},
		{Tag: TagSensorTrueAltitude, Float: math.NaN()},
		{Tag: TagPlatformCourseAngle, Float: 400},
		{Tag: TagLSVersion, Float: 1.5},
		{Tag: TagPrecisionTimeStamp},
		{Tag: TagSecurityLocalSet},
	}
	for _, v := range bad {
		dst := []byte("prefix")
		out, err := Encode(dst, []Value{v})
		if err == nil || string(out) != "prefix" {
			t.Errorf("tag %d %+v: err %v, out %q", v.Tag, v, err, out)
		}
	}
}

// TestEncodeLongPacket checks the long-form BER lengths of the packet and
// of an item, and BER-OID tags above 127.
func TestEncodeLongPacket(t *testing.T) {
	vals := []Value{
		{Tag: TagPrecisionTimeStamp, Time: time.Date(2026, 11, 23, 21, 0, 0, 123456000, time.UTC)},
		{Tag: TagRVTLocalSet, Bytes: bytes.Repeat([]byte{0xAB}, 70000)},
		{Tag: TagCommunicationsMethod, Str: "SATCOM"},
	}
	b, err := Encode(nil, vals)
	if err != nil {
		t.Fatal(err)
	}
	if b[16] != 0x83 { // 3-byte long form
		t.Errorf("packet length byte %#x, want 0x83", b[16])
	}
	p, err := Decode(b)
	if err != nil || !p.ChecksumOK || len(p.Values) != 3 {
		t.Fatalf("%v %+v", err, p)
	}
	for i := range vals {
		compareValue(t, p.Values[i], vals[i])
	}
}

func encodeSample(t testing.TB, i int) []byte {
	t.Helper()
	b, err := Encode(nil, []Value{
		{Tag: TagPrecisionTimeStamp, Time: time.Date(2026, 11, 23, 21, 0, i, 0, time.UTC)},
		{Tag: TagMissionID, Str: "SONORA-1"},
		{Tag: TagPlatformDesignation, Str: "MQ-9"},
		{Tag: TagPlatformHeading, Float: 90},
		{Tag: TagSensorLatitude, Float: 30.5 + float64(i)*1e-3},
		{Tag: TagSensorLongitude, Float: -110.25},
		{Tag: TagSensorTrueAltitude, Float: 7000},
		{Tag: TagPlatformGroundSpeed, Float: 80},
		{Tag: TagFrameCenterLatitude, Float: 30.45},
		{Tag: TagFrameCenterLongitude, Float: -110.2},
		{Tag: TagSlantRange, Float: 9000},
		{Tag: TagLSVersion, Float: 19},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chunkReader returns its input in pieces cut at the given offsets.
type chunkReader struct {
	b    []byte
	cuts []int
	pos  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.pos >= len(c.b) {
		return 0, io.EOF
	}
	end := len(c.b)
	for _, x := range c.cuts {
		if x > c.pos && x < end {
			end = x
		}
	}
	n := copy(p, c.b[c.pos:end])
	c.pos += n
	return n, nil
}

func scanAll(t testing.TB, r io.Reader) (pkts [][]byte, offs []int64, skipped int64) {
	s := NewScanner(r)
	for {
		b, off, err := s.Next()
		if errors.Is(err, io.EOF) {
			return pkts, offs, s.Skipped()
		}
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, append([]byte(nil), b...))
		offs = append(offs, off)
	}
}

// TestScanner finds packets between noise (including a false start of the
// key) whatever the reads' sizes, and returns a packet cut by the end of
// the input as it is.
func TestScanner(t *testing.T) {
	var stream []byte
	var want []int64
	for i := range 5 {
		stream = append(stream, "noise"...)
		stream = append(stream, UniversalLabel[:7]...)
		want = append(want, int64(len(stream)))
		stream = append(stream, encodeSample(t, i)...)
	}
	// A packet cut short by the next one's key, as when a datagram is lost.
	cut := encodeSample(t, 7)
	want = append(want, int64(len(stream)))
	stream = append(stream, cut[:40]...)
	want = append(want, int64(len(stream)))
	stream = append(stream, cut...)
	last := encodeSample(t, 9)
	want = append(want, int64(len(stream)))
	stream = append(stream, last[:30]...)
	readers := map[string]func() io.Reader{
		"whole":   func() io.Reader { return bytes.NewReader(stream) },
		"onebyte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":    func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
		"cuts":    func() io.Reader { return &chunkReader{b: stream, cuts: []int{3, 17, 40, 41, 100, 333}} },
	}
	for name, mk := range readers {
		pkts, offs, skipped := scanAll(t, mk())
		if !reflect.DeepEqual(offs, want) {
			t.Fatalf("%s: offsets %v, want %v", name, offs, want)
		}
		if skipped != 5*(5+7) {
			t.Errorf("%s: skipped %d, want %d", name, skipped, 5*12)
		}
		for i, b := range pkts {
			p, err := Decode(b)
			switch i {
			case 5, 7:
				if !errors.Is(err, ErrTruncated) {
					t.Errorf("%s: packet %d: %v, want ErrTruncated", name, i, err)
				}
			default:
				if err != nil || !p.ChecksumOK {
					t.Errorf("%s: packet %d: %v", name, i, err)
				}
			}
		}
	}
}

// TestPositionFromKWIVER turns the published KWIVER packet into a Position.
func TestPositionFromKWIVER(t *testing.T) {
	p, err := Decode(readTestdata(t, "st0601_kwiver.bin"))
	if err != nil {
		t.Fatal(err)
	}
	pos, ok := p.Position()
	if !ok {
		t.Fatal("no position")
	}
	if pos.ID != "klv:MQ1-B/MISSION01" || pos.Source.String() != "klv" || pos.Time.UnixMicro() != 0x000459F4A6AA4AA8 {
		t.Errorf("id %q source %v time %v", pos.ID, pos.Source, pos.Time)
	}
	if !near(float64(pos.Lat), 60.176822966978335, 1e-12) || !near(float64(pos.Lon), 128.42675904204452, 1e-12) {
		t.Errorf("lat/lon %v %v", pos.Lat, pos.Lon)
	}
	if pos.AltitudeRef.String() != "geometric" || !near(float64(pos.Altitude), 14190.719462882427, 1e-9) {
		t.Errorf("altitude %v %v", pos.Altitude, pos.AltitudeRef)
	}
	if pos.Callsign != "TOP GUN" || pos.Has&position.HasVerticalRate == 0 || !near(pos.VerticalRate, -61.887874996185190, 1e-9) {
		t.Errorf("callsign %q vertical rate %v", pos.Callsign, pos.VerticalRate)
	}
	if pos.GroundSpeed != 140 || float64(pos.Track) != 125 {
		t.Errorf("gs %v track %v", pos.GroundSpeed, pos.Track)
	}
	f := pos.Footprint
	if f == nil || !f.HasCorners || !near(float64(f.SlantRange), 68590.98329874477, 1e-6) {
		t.Fatalf("footprint %+v", f)
	}
	if !near(float64(f.Corners[0].Lat), -10.542388633146132+0.013660084841456343, 1e-12) ||
		!near(float64(f.Corners[3].Lon), 29.157890122923018-0.01216086306344798, 1e-12) {
		t.Errorf("corners %v", f.Corners)
	}
	// Without tags 75 and 104, the altitude is tag 15's, above mean sea
	// level; without tag 10, the tail number names the platform.
	var vals []Value
	for _, v := range p.Values {
		if v.Tag != TagSensorEllipsoidHeight && v.Tag != TagSensorEllipsoidHeightExtended && v.Tag != TagPlatformCourseAngle &&
			v.Tag != TagPlatformDesignation {
			vals = append(vals, v)
		}
	}
	b, err := Encode(nil, vals)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := Decode(b)
	pos, _ = q.Position()
	if pos.ID != "klv:AF-101/MISSION01" { // the tail number stands in for the designation
		t.Errorf("id %q", pos.ID)
	}
	if pos.AltitudeRef.String() != "msl" || !near(float64(pos.Altitude), 14190.719462882427, 1e-9) {
		t.Errorf("altitude %v %v, want MSL", pos.Altitude, pos.AltitudeRef)
	}
	// Track from the sensor's north and east velocities (25.5, 12.1 m/s).
	if want := math.Atan2(12.095217749565112, 25.497756889553518) * 180 / math.Pi; !near(float64(pos.Track), want, 1e-9) {
		t.Errorf("track %v, want %v", pos.Track, want)
	}
}

// TestJSON checks the NDJSON object of the published KWIVER packet: valid
// JSON, names with units, RFC 3339 time with microseconds, the derived
// corners, and null for an error indicator.
func TestJSON(t *testing.T) {
	p, err := Decode(readTestdata(t, "st0601_kwiver.bin"))
	if err != nil {
		t.Fatal(err)
	}
	js := p.AppendJSON(nil)
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	checks := map[string]any{
		"checksum_ok": true, "precision_time_stamp": "2008-10-24T00:13:29.913000Z", "mission_id": "MISSION01",
		"platform_heading_deg": 159.97436484321355, "sensor_true_altitude_m": 14190.719462882427,
		"frame_center_latitude_deg": -10.542388633146132, "image_horizon_pixel_pack": "00243800",
		"range_to_recovery_location_km": 1.625, "sensor_frame_rate_hz": 60000.0 / 1001,
	}
	for k, want := range checks {
		if w, ok := want.(float64); ok {
			if g, ok := m[k].(float64); !ok || !near(g, w, 1e-9*math.Abs(w)) {
				t.Errorf("%s = %v, want %v", k, m[k], want)
			}
			continue
		}
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if c, ok := m["corners_deg"].([]any); !ok || len(c) != 4 {
		t.Errorf("corners_deg %v", m["corners_deg"])
	}
	b, _ := Encode(nil, []Value{{Tag: TagSensorLatitude, Invalid: true}, {Tag: TagMissionID, Str: "a\"b\\\x01é\xff"}})
	q, _ := Decode(b)
	m = nil
	if err := json.Unmarshal(q.AppendJSON(nil), &m); err != nil {
		t.Fatal(err)
	}
	if v, ok := m["sensor_latitude_deg"]; !ok || v != nil {
		t.Errorf("error indicator: %v %v, want null", v, ok)
	}
	if m["mission_id"] != "a\"b\\\x01é\ufffd" {
		t.Errorf("mission_id %q", m["mission_id"])
	}
}

// TestMalformedAndErrorIndicator checks that items of a wrong length or out
// of their tag's limits are skipped and counted, and that the error
// indicator of ST 0601 (0x8000 / 0x80000000 for signed tags) decodes as
// present but invalid, not as −range.
func TestMalformedAndErrorIndicator(t *testing.T) {
	body := []byte{
		0x0D, 0x03, 1, 2, 3, // sensor latitude needs 4 bytes
		0x81, 0x0E, 0x02, 0xAB, 0xCD, // tag 142 (two-byte BER-OID tag), opaque
		0x6E, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // time airborne beyond 32 bits
		0x30, 0x03, 0x01, 0x05, 0x00, // security item overrunning its set
		0x0E, 0x04, 0x80, 0x00, 0x00, 0x00, // sensor longitude: error indicator
		0x06, 0x02, 0x80, 0x00, // platform pitch: error indicator
		0x70, 0x02, 0xD0, 0x00, // platform course (IMAPB): NaN
	}
	pkt := append(append(UniversalLabel[:16:16], byte(len(body))), body...)
	p, err := Decode(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if p.Malformed != 3 || p.HasChecksum || p.ChecksumOK {
		t.Errorf("malformed %d, checksum %v %v; want 3, absent", p.Malformed, p.HasChecksum, p.ChecksumOK)
	}
	if len(p.Values) != 4 {
		t.Fatalf("%d values, want 4: %+v", len(p.Values), p.Values)
	}
	for _, tag := range []Tag{TagSensorLongitude, TagPlatformPitch, TagPlatformCourseAngle} {
		v, ok := p.Get(tag)
		if !ok || !v.Invalid || v.Float != 0 {
			t.Errorf("tag %d: %+v, want present and invalid", tag, v)
		}
		if _, ok := p.Float(tag); ok {
			t.Errorf("tag %d: Float reports a value", tag)
		}
	}
	if _, ok := p.Position(); ok {
		t.Error("position without time and valid longitude")
	}
}
