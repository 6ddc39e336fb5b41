package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/adsb"
	"github.com/vigia/vigia/internal/feed/klv"
	"github.com/vigia/vigia/internal/feed/mpegts"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/testenv"
)

// runOut is the output of one simulated run, kept in memory.
type runOut struct {
	sim               *Sim
	avr, beast, truth bytes.Buffer
	ts                map[string]*bytes.Buffer
	stats             Stats
}

// runBorder runs the border scenario for d in memory.
func runBorder(t testing.TB, d time.Duration) *runOut {
	t.Helper()
	sc, err := Load("border")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = d
	s, err := New(sc)
	if err != nil {
		t.Fatal(err)
	}
	r := &runOut{sim: s, ts: map[string]*bytes.Buffer{}}
	o := &Output{AVR: &r.avr, Beast: &r.beast, Truth: &r.truth, TS: map[string]io.Writer{}}
	for _, a := range sc.Aircraft {
		if a.KLV {
			r.ts[a.ID] = &bytes.Buffer{}
			o.TS[a.ID] = r.ts[a.ID]
		}
	}
	r.stats, err = s.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// truthRecords splits a truth file into its header and state records.
func truthRecords(t testing.TB, b []byte) (TruthHeader, []TruthState) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	var h TruthHeader
	var st []TruthState
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Type != "scenario" {
				t.Fatalf("header: %v %q", err, h.Type)
			}
			continue
		}
		var s TruthState
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil || s.Type != "state" {
			t.Fatalf("line %d: %v", i+1, err)
		}
		st = append(st, s)
	}
	return h, st
}

// TestADSBRoundTrip decodes the simulator's AVR and Beast output with
// internal/feed/adsb and compares every message with the truth: address,
// time (receiver clock + start), CPR format, position within the CPR
// cell, altitude within 25 ft, velocity within the rounding of its knots,
// identification and status.
func TestADSBRoundTrip(t *testing.T) {
	r := runBorder(t, 2*time.Minute)
	h, states := truthRecords(t, r.truth.Bytes())
	if !h.Start.Equal(r.sim.Scenario.Start) || h.ClockHz != TicksPerSecond {
		t.Fatalf("header start %v clock %d", h.Start, h.ClockHz)
	}
	var truth []TruthState
	icao := map[string]uint32{}
	for _, a := range r.sim.Scenario.Aircraft {
		icao[a.ID] = a.ICAO
	}
	for _, s := range states {
		if s.Ticks != nil {
			truth = append(truth, s)
		}
	}
	if len(truth) != r.stats.ADSB || len(truth) < 500 {
		t.Fatalf("%d ADS-B truth records, %d messages", len(truth), r.stats.ADSB)
	}
	for _, tc := range []struct {
		name   string
		format adsb.Format
		data   []byte
	}{{"avr", adsb.FormatAVR, r.avr.Bytes()}, {"beast", adsb.FormatBeast, r.beast.Bytes()}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := adsb.DefaultOptions()
			opts.Start = h.Start
			dec := adsb.NewDecoder(opts)
			rd := adsb.NewReader(bytes.NewReader(tc.data), tc.format, dec)
			var m adsb.Message
			positions, replies, worstLat, worstLon := 0, 0, 0.0, 0.0
			for i, want := range truth {
				if err := rd.Next(&m); err != nil {
					t.Fatalf("message %d: %v (stats %+v)", i, err, dec.Stats())
				}
				where := fmt.Sprintf("message %d (%s %s at %.3f s)", i, want.ID, want.Msg, want.TS)
				wantDF := map[string]uint8{"altitude_reply": 4, "identity_reply": 5}[want.Msg]
				if wantDF == 0 {
					wantDF = 17
				}
				if m.Addr != icao[want.ID] || !m.CRCOK || m.CorrectedBits != 0 || m.DF != wantDF {
					t.Fatalf("%s: addr %06X DF%d crc %v", where, m.Addr, m.DF, m.CRCOK)
				}
				if d := m.Time.Sub(want.Time); d < -100*time.Nanosecond || d > 100*time.Nanosecond {
					t.Fatalf("%s: time %v, want %v", where, m.Time, want.Time)
				}
				if tc.format == adsb.FormatBeast && m.Signal == 0 {
					t.Fatalf("%s: no signal level", where)
				}
				switch want.Msg {
				case "position_even", "position_odd":
					if m.TC != 11 || int(m.CPRFormat) != map[string]int{"position_even": 0, "position_odd": 1}[want.Msg] {
						t.Fatalf("%s: TC %d format %d", where, m.TC, m.CPRFormat)
					}
					if d := math.Abs(float64(m.AltBaro) - want.AltMSL/0.3048); d > 12.5 {
						t.Fatalf("%s: altitude %d ft, want %.1f", where, m.AltBaro, want.AltMSL/0.3048)
					}
					if m.Has&adsb.HasPosition == 0 {
						continue
					}
					positions++
					// Half a CPR cell: 360/60/2^17/2 ° of latitude; of
					// longitude, 360/NL/2^17/2 with NL ≥ 50 here.
					dlat := math.Abs(float64(m.Lat) - want.Lat)
					dlon := math.Abs(float64(m.Lon) - want.Lon)
					worstLat, worstLon = max(worstLat, dlat), max(worstLon, dlon)
					if dlat > 360.0/59/131072/2+1e-9 || dlon > 360.0/49/131072/2+1e-9 {
						t.Fatalf("%s: position %v, %v; want %v, %v", where, m.Lat, m.Lon, want.Lat, want.Lon)
					}
				case "velocity":
					vew := want.Speed * math.Sin(want.Heading*math.Pi/180) / knot
					vns := want.Speed * math.Cos(want.Heading*math.Pi/180) / knot
					gs := math.Hypot(vew, vns)
					if m.TC != 19 || m.Subtype != 1 || math.Abs(m.GroundSpeed-gs) > 0.71 {
						t.Fatalf("%s: TC %d/%d ground speed %v kt, want %v", where, m.TC, m.Subtype, m.GroundSpeed, gs)
					}
					if d := math.Abs(wrap180(m.Track - want.Heading)); d > 0.71/gs*180/math.Pi+1e-6 {
						t.Fatalf("%s: track %v, want %v", where, m.Track, want.Heading)
					}
					if d := math.Abs(float64(m.VerticalRate) - want.VerticalRate/fpm); d > 32 {
						t.Fatalf("%s: vertical rate %d fpm, want %.0f", where, m.VerticalRate, want.VerticalRate/fpm)
					}
					if m.Has&adsb.HasGNSSBaroDiff == 0 || math.Abs(float64(m.GNSSBaroDiff)-(want.AltHAE-want.AltMSL)/0.3048) > 12.5 {
						t.Fatalf("%s: GNSS-baro difference %d ft", where, m.GNSSBaroDiff)
					}
				case "identification":
					a := aircraftByID(t, r.sim, want.ID)
					cat := uint16(a.Category[0])<<8 | uint16(a.Category[1]-'0')
					if m.Callsign != a.Callsign || m.Category != cat {
						t.Fatalf("%s: callsign %q category %X", where, m.Callsign, m.Category)
					}
				case "altitude_reply":
					replies++
					if d := math.Abs(float64(m.AltBaro) - want.AltMSL/0.3048); m.Has&adsb.HasAltBaro == 0 || d > 12.5 {
						t.Fatalf("%s: altitude %d ft, want %.1f", where, m.AltBaro, want.AltMSL/0.3048)
					}
				case "identity_reply":
					replies++
					if a := aircraftByID(t, r.sim, want.ID); m.Has&adsb.HasSquawk == 0 || m.Squawk != a.Squawk {
						t.Fatalf("%s: squawk %s, want %04o", where, m.SquawkString(), a.Squawk)
					}
				case "operational_status":
					if m.TC != 31 || m.Version != 2 || m.NACp != 9 || m.SIL != 3 {
						t.Fatalf("%s: TC %d version %d NACp %d SIL %d", where, m.TC, m.Version, m.NACp, m.SIL)
					}
				default:
					t.Fatalf("%s: unexpected kind", where)
				}
			}
			if err := rd.Next(&m); !errors.Is(err, io.EOF) {
				t.Errorf("after the last message: %v", err)
			}
			if positions < len(truth)/5 || replies < 40 {
				t.Errorf("only %d decoded positions, %d surveillance replies", positions, replies)
			}
			t.Logf("%d positions decoded; worst error %.2g° latitude, %.2g° longitude", positions, worstLat, worstLon)
		})
	}
}

func aircraftByID(t testing.TB, s *Sim, id string) *Aircraft {
	return flightByID(t, s, id).Aircraft
}

// rateIntervals are the transmission intervals of DO-260B
// §2.2.3.3.1.4, seconds, by message kind.
var rateIntervals = map[string][2]float64{"position": {0.4, 0.6}, "velocity": {0.4, 0.6}, "identification": {4.8, 5.2}, "operational_status": {2.4, 2.6},
	"altitude_reply": {4.8, 5.2}, "identity_reply": {4.8, 5.2}}

// TestADSBRates checks the DO-260B rates in the output: per aircraft,
// about 2 positions and 2 velocities a second with even and odd
// alternating, identification every 4.8–5.2 s and status every 2.4–2.6 s.
func TestADSBRates(t *testing.T) {
	r := runBorder(t, 2*time.Minute)
	_, states := truthRecords(t, r.truth.Bytes())
	last := map[string]float64{}
	lastPos := map[string]string{}
	count := map[string]int{}
	for _, s := range states {
		if s.Ticks == nil {
			continue
		}
		kind := s.Msg
		if kind == "position_odd" || kind == "position_even" {
			if lastPos[s.ID] == kind {
				t.Fatalf("%s at %.3f s: %s twice in a row", s.ID, s.TS, kind)
			}
			lastPos[s.ID] = kind
			kind = "position"
		}
		k := s.ID + " " + kind
		count[k]++
		if prev, ok := last[k]; ok {
			iv := rateIntervals[kind]
			if d := s.TS - prev; d < iv[0]-1e-6 || d > iv[1]+1e-6 {
				t.Fatalf("%s: interval %.3f s outside [%v, %v]", k, d, iv[0], iv[1])
			}
		}
		last[k] = s.TS
	}
	for k, n := range count {
		t.Logf("%s: %d in 120 s", k, n)
	}
	if n := count["border-patrol position"]; n < 200 || n > 300 {
		t.Errorf("border-patrol: %d positions in 120 s, want about 240", n)
	}
}

// TestKLVRoundTrip demuxes each drone's transport stream with
// internal/feed/mpegts, decodes each packet with internal/feed/klv and
// compares every tag with the values the scenario state gives, within the
// tag's resolution; it also checks the PTS, the carriage and the checksum.
func TestKLVRoundTrip(t *testing.T) {
	r := runBorder(t, 30*time.Second)
	_, states := truthRecords(t, r.truth.Bytes())
	sc := r.sim.Scenario
	for id, buf := range r.ts {
		t.Run(id, func(t *testing.T) {
			f := flightByID(t, r.sim, id)
			a := f.Aircraft
			var truth []TruthState
			for _, s := range states {
				if s.ID == id && s.Msg == "klv" {
					truth = append(truth, s)
				}
			}
			if want := int(sc.Duration.Seconds()*a.KLVRate) + 1; len(truth) != want {
				t.Fatalf("%d KLV truth records, want %d", len(truth), want)
			}
			dm := mpegts.NewDemuxer(bytes.NewReader(buf.Bytes()))
			seen := map[klv.Tag]bool{}
			for i, want := range truth {
				u, err := dm.Next()
				if err != nil {
					t.Fatalf("unit %d: %v", i, err)
				}
				if u.Carriage != a.Carriage || !u.HasPTS || u.PTS != *want.PTS {
					t.Fatalf("unit %d: carriage %v PTS %d, want %v %d", i, u.Carriage, u.PTS, a.Carriage, *want.PTS)
				}
				p, err := klv.Decode(u.Data)
				if err != nil || !p.ChecksumOK || p.Unknown != 0 || p.Malformed != 0 {
					t.Fatalf("unit %d: %v checksum %v unknown %d malformed %d", i, err, p.ChecksumOK, p.Unknown, p.Malformed)
				}
				tt := time.Duration(math.Round(want.TS*1e9)) * time.Nanosecond
				st := f.At(tt)
				vals := KLVValues(nil, a, &st, sc.Start.Add(tt), sc.GeoidUndulation)
				if len(p.Values) != len(vals) {
					t.Fatalf("unit %d: %d values, want %d", i, len(p.Values), len(vals))
				}
				for _, v := range vals {
					seen[v.Tag] = true
					got, ok := p.Get(v.Tag)
					if !ok || got.Invalid {
						t.Fatalf("unit %d: tag %d (%s) missing or invalid", i, v.Tag, v.Tag.Name())
					}
					switch v.Tag.Kind() {
					case klv.KindString:
						if got.Str != v.Str {
							t.Fatalf("unit %d: tag %d %q, want %q", i, v.Tag, got.Str, v.Str)
						}
					case klv.KindTime:
						if !got.Time.Equal(v.Time.Truncate(time.Microsecond)) {
							t.Fatalf("unit %d: time %v, want %v", i, got.Time, v.Time)
						}
					default:
						res := v.Tag.Resolution()
						if v.Tag.Kind() == klv.KindUintRaw {
							res = 0
						}
						if d := math.Abs(got.Float - v.Float); d > res+1e-9 {
							t.Fatalf("unit %d: tag %d (%s) %v, want %v (resolution %g)", i, v.Tag, v.Tag.Name(), got.Float, v.Float, res)
						}
					}
				}
				// The packet against the truth record of its instant.
				lat, _ := p.Float(klv.TagSensorLatitude)
				lon, _ := p.Float(klv.TagSensorLongitude)
				alt, _ := p.Float(klv.TagSensorTrueAltitude)
				if math.Abs(lat-want.Lat) > klv.TagSensorLatitude.Resolution()+1e-9 ||
					math.Abs(lon-want.Lon) > klv.TagSensorLongitude.Resolution()+1e-9 ||
					math.Abs(alt-want.AltMSL) > klv.TagSensorTrueAltitude.Resolution()+1e-3 {
					t.Fatalf("unit %d: sensor at %v, %v, %v m; truth %v, %v, %v m", i, lat, lon, alt, want.Lat, want.Lon, want.AltMSL)
				}
				checkLook(t, i, &p, a, sc.GeoidUndulation)
			}
			if _, err := dm.Next(); !errors.Is(err, io.EOF) {
				t.Errorf("after the last unit: %v", err)
			}
			if a.Sensor != nil {
				for _, tag := range []klv.Tag{2, 3, 5, 6, 7, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 33, 56, 65, 75} {
					if !seen[tag] {
						t.Errorf("tag %d never sent", tag)
					}
				}
			}
		})
	}
}

// checkLook rebuilds the line of sight from the decoded platform
// position and attitude and the sensor's relative angles, and checks that
// it meets the ground (at the frame centre's elevation) at the frame
// centre, and that the slant range is the distance to it: the geometry
// the packet describes is consistent.
func checkLook(t *testing.T, i int, p *klv.Packet, a *Aircraft, geoidN geo.Meters) {
	t.Helper()
	g := func(tag klv.Tag) float64 {
		v, ok := p.Float(tag)
		if !ok {
			t.Fatalf("unit %d: no tag %d", i, tag)
		}
		return v
	}
	if a.Sensor == nil {
		return
	}
	pos := geo.LatLon{Lat: geo.Degrees(g(klv.TagSensorLatitude)), Lon: geo.Degrees(g(klv.TagSensorLongitude))}
	pe := ecef(pos, geo.Meters(g(klv.TagSensorTrueAltitude))+geoidN)
	az, el := g(klv.TagSensorRelativeAzimuth)*math.Pi/180, g(klv.TagSensorRelativeElevation)*math.Pi/180
	body := vec3{math.Cos(el) * math.Cos(az), math.Cos(el) * math.Sin(az), -math.Sin(el)}
	b := bodyFromNED(geo.Degrees(g(klv.TagPlatformHeading)), geo.Degrees(g(klv.TagPlatformPitch)), geo.Degrees(g(klv.TagPlatformRoll)))
	dir := mul(nedToECEF(pos), mul(transpose(b), body))
	hit, ok := hitEllipsoid(pe, dir, g(klv.TagFrameCenterElevation)+float64(geoidN))
	if !ok {
		t.Fatalf("unit %d: line of sight misses the ground", i)
	}
	fc := geo.LatLon{Lat: geo.Degrees(g(klv.TagFrameCenterLatitude)), Lon: geo.Degrees(g(klv.TagFrameCenterLongitude))}
	if d := geo.WGS84.Distance(fc, func() geo.LatLon { p, _ := geodetic(hit); return p }()); d > 5 {
		t.Fatalf("unit %d: line of sight meets the ground %.2f m from the frame centre", i, float64(d))
	}
	if d := math.Abs(hit.sub(pe).norm() - g(klv.TagSlantRange)); d > 1 {
		t.Fatalf("unit %d: slant range off by %.2f m", i, d)
	}
}

// TestFFmpegExtractsKLV: ffmpeg's own demuxer takes the KLV of both
// carriages out of the simulator's streams byte for byte, with the
// command of the issue.
func TestFFmpegExtractsKLV(t *testing.T) {
	ffmpeg := testenv.Tool(t, "ffmpeg")
	r := runBorder(t, 10*time.Second)
	_, states := truthRecords(t, r.truth.Bytes())
	sc := r.sim.Scenario
	carriages := map[mpegts.Carriage]bool{}
	for id, buf := range r.ts {
		t.Run(id, func(t *testing.T) {
			f := flightByID(t, r.sim, id)
			carriages[f.Aircraft.Carriage] = true
			var want []byte
			for _, s := range states {
				if s.ID == id && s.Msg == "klv" {
					tt := time.Duration(math.Round(s.TS*1e9)) * time.Nanosecond
					st := f.At(tt)
					var err error
					want, err = klv.Encode(want, KLVValues(nil, f.Aircraft, &st, sc.Start.Add(tt), sc.GeoidUndulation))
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			dir := t.TempDir()
			in, out := filepath.Join(dir, id+".ts"), filepath.Join(dir, "out.klv")
			if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(ffmpeg, "-nostdin", "-v", "error", "-i", in, "-map", "0:d", "-c", "copy", "-f", "data", out)
			if msg, err := cmd.CombinedOutput(); err != nil || len(msg) > 0 {
				t.Fatalf("ffmpeg: %v\n%s", err, msg)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("ffmpeg extracted %d bytes, want %d identical bytes", len(got), len(want))
			}
			// ffprobe-free check that ffmpeg also reads the video.
			cmd = exec.Command(ffmpeg, "-nostdin", "-v", "error", "-i", in, "-map", "0:v", "-f", "null", "-")
			if msg, err := cmd.CombinedOutput(); err != nil || len(msg) > 0 {
				t.Fatalf("ffmpeg decoding the video: %v\n%s", err, msg)
			}
		})
	}
	if !carriages[mpegts.Async] || !carriages[mpegts.Sync] {
		t.Errorf("carriages tested: %v", carriages)
	}
}

// TestDeterministic: the same scenario and seed give the same bytes; a
// different seed gives different ADS-B timing.
func TestDeterministic(t *testing.T) {
	a, b := runBorder(t, 20*time.Second), runBorder(t, 20*time.Second)
	if !bytes.Equal(a.avr.Bytes(), b.avr.Bytes()) || !bytes.Equal(a.beast.Bytes(), b.beast.Bytes()) || !bytes.Equal(a.truth.Bytes(), b.truth.Bytes()) {
		t.Error("two runs differ")
	}
	for id := range a.ts {
		if !bytes.Equal(a.ts[id].Bytes(), b.ts[id].Bytes()) {
			t.Errorf("%s: TS differs", id)
		}
	}
	sc := *a.sim.Scenario
	sc.Seed++
	s, err := New(&sc)
	if err != nil {
		t.Fatal(err)
	}
	var avr bytes.Buffer
	if _, err := s.Run(context.Background(), &Output{AVR: &avr}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(avr.Bytes(), a.avr.Bytes()) {
		t.Error("another seed gives the same ADS-B")
	}
}
