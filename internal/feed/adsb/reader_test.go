package adsb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vigia/vigia/internal/position"
)

// readAll returns every accepted message of data.
func readAll(t testing.TB, src io.Reader, f Format, d *Decoder, onJunk func(off, n int64)) ([]Message, error) {
	t.Helper()
	r := NewReader(src, f, d)
	r.OnJunk = onJunk
	var out []Message
	for {
		var m Message
		err := r.Next(&m)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

// TestResyncAfterJunk inserts junk between, and inside, records of each
// framing: every intact record after the junk is still decoded, the junk
// is counted, and its offsets are reported.
func TestResyncAfterJunk(t *testing.T) {
	frames := pymodesFrames(t)[:200]
	for _, format := range []Format{FormatAVR, FormatBeast} {
		var data []byte
		type span struct{ off, n int64 }
		var want []span
		for i := range frames {
			if i%50 == 25 {
				junk := []byte("garbage\x1a9\x00;*12")
				if format == FormatAVR {
					junk = []byte("garbage!#~ 12")
				}
				want = append(want, span{int64(len(data)), int64(len(junk))})
				data = append(data, junk...)
			}
			if format == FormatBeast {
				data = AppendBeast(data, &frames[i])
			} else {
				data = AppendAVR(data, &frames[i])
			}
		}
		// A record cut short, then a whole one: the whole one survives.
		cut := AppendBeast(nil, &frames[0])
		if format == FormatAVR {
			cut = AppendAVR(nil, &frames[0])
			cut = cut[:20]
		} else {
			cut = cut[:12]
		}
		want = append(want, span{int64(len(data)), int64(len(cut))})
		data = append(data, cut...)
		last := frames[1]
		if format == FormatBeast {
			data = AppendBeast(data, &last)
		} else {
			data = AppendAVR(data, &last)
		}
		for _, split := range []struct {
			name string
			r    func([]byte) io.Reader
		}{
			{"whole", func(b []byte) io.Reader { return bytes.NewReader(b) }},
			{"one byte", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
			{"half", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
			{"data+EOF", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
		} {
			d := NewDecoder(nil)
			var got []span
			msgs, err := readAll(t, split.r(data), FormatAuto, d, func(off, n int64) { got = append(got, span{off, n}) })
			if err != nil {
				t.Fatalf("%v %s: %v", format, split.name, err)
			}
			if len(msgs) != len(frames)+1 {
				t.Errorf("%v %s: %d messages, want %d", format, split.name, len(msgs), len(frames)+1)
			}
			if len(got) != len(want) {
				t.Fatalf("%v %s: junk spans %v, want %v", format, split.name, got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%v %s: junk span %d at %v, want %v", format, split.name, i, got[i], want[i])
				}
			}
			var total int64
			for _, w := range want {
				total += w.n
			}
			if st := d.Stats(); st.JunkBytes != uint64(total) {
				t.Errorf("%v %s: %d junk bytes counted, want %d", format, split.name, st.JunkBytes, total)
			}
			if msgs[3].Offset <= 0 {
				t.Errorf("offset of message 3: %d", msgs[3].Offset)
			}
		}
	}
}

func TestAVRVariants(t *testing.T) {
	const ex = "8D4840D6202CC371C32CE0576098"
	in := "*" + ex + ";\r\n" +
		"@0000000012348D4840D6202CC371C32CE0576098;\n" +
		"%00000000123A" + strings.ToLower(ex) + ";\n" +
		"<000000001240C0" + ex + ";\n" +
		":" + ex + ";\n" +
		"*7700;\n" + // Mode A/C: framed, not decoded
		"*" + ex + "\n" + // semicolon missing
		"*8D4840D6;\n" // wrong length: malformed
	d := NewDecoder(nil)
	msgs, err := readAll(t, strings.NewReader(in), FormatAuto, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 6 {
		t.Fatalf("%d messages, want 6", len(msgs))
	}
	for _, m := range msgs {
		if m.Callsign != "KLM1023" {
			t.Errorf("%s", m.AppendJSON(nil))
		}
	}
	if msgs[3].Signal != 0xC0 || msgs[3].Has&HasSignal == 0 {
		t.Errorf("signal %x", msgs[3].Signal)
	}
	st := d.Stats()
	if st.ModeAC != 1 || st.MalformedAVR != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSBS(t *testing.T) {
	in := "SEL,,496,2286,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427\n" +
		"MSG,1,1,1,4840D6,1,2016/03/14,22:20:00.000,2016/03/14,22:20:00.000,KLM1023 ,,,,,,,,,,,\n" +
		"MSG,3,1,1,4840D6,1,2016/03/14,22:20:01.500,2016/03/14,22:20:01.500,,37000,,,52.25720,3.91937,,,0,0,0,0\n" +
		"MSG,4,1,1,4840D6,1,2016/03/14,22:20:02.000,2016/03/14,22:20:02.000,,,420,95.5,,,-640,,,,,0\r\n" +
		"MSG,6,1,1,4840D6,1,2016/03/14,22:20:03,2016/03/14,22:20:03,,,,,,,,7700,0,1,0,0\n" +
		"MSG,2,1,1,~4840D7,1,2016/03/14,22:20:04.000,2016/03/14,22:20:04.000,,,12,270,52.3,4.7,,,,,,-1\n" +
		"this is not SBS\n" +
		"MSG,3,1,1,XYZ,1,,,,,,,,,,,,,,,,\n"
	d := NewDecoder(nil)
	var junk int
	msgs, err := readAll(t, strings.NewReader(in), FormatAuto, d, func(_, n int64) { junk++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 5 || junk != 1 || d.Stats().BadSBS != 1 {
		t.Fatalf("%d messages, %d junk runs, stats %+v", len(msgs), junk, d.Stats())
	}
	m := msgs[1]
	p, ok := m.Position()
	if !ok || p.ID != "icao:4840D6" || p.Callsign != "KLM1023" || !near(float64(p.Lat), 52.2572, 1e-9) ||
		!p.Time.Equal(time.Date(2016, 3, 14, 22, 20, 1, 500e6, time.UTC)) || m.AltBaro != 37000 {
		t.Errorf("MSG,3: %+v %s", p, m.AppendJSON(nil))
	}
	if m := msgs[2]; m.GroundSpeed != 420 || m.Track != 95.5 || m.VerticalRate != -640 {
		t.Errorf("MSG,4: %s", m.AppendJSON(nil))
	}
	if m := msgs[3]; m.DF != 5 || m.SquawkString() != "7700" {
		t.Errorf("MSG,6: %s", m.AppendJSON(nil))
	}
	if m := msgs[4]; !m.NonICAO || !m.OnGround || m.Has&HasPosition == 0 {
		t.Errorf("MSG,2: %s", m.AppendJSON(nil))
	} else if p, _ := m.Position(); p.ID != "anon:4840D7" {
		t.Errorf("non-ICAO id %q", p.ID)
	}
}

func TestUnknownFormatAndReadErrors(t *testing.T) {
	d := NewDecoder(nil)
	_, err := readAll(t, strings.NewReader(strings.Repeat("hello world\n", 500)), FormatAuto, d, nil)
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("plain text: %v", err)
	}
	boom := errors.New("boom")
	data := AppendAVR(nil, &pymodesFrames(t)[0])
	r := NewReader(io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)), FormatAVR, d)
	var m Message
	if err := r.Next(&m); err != nil {
		t.Fatal(err)
	}
	if err := r.Next(&m); !errors.Is(err, boom) || !strings.Contains(err.Error(), fmt.Sprintf("offset %d", len(data))) {
		t.Errorf("read error: %v", err)
	}
	if err := r.Next(&m); !errors.Is(err, boom) {
		t.Errorf("error not sticky: %v", err)
	}
	if _, err := ParseFormat("json"); err == nil {
		t.Error("ParseFormat accepted json")
	}
	msgs, err := readAll(t, strings.NewReader(""), FormatAuto, d, nil)
	if err != nil || len(msgs) != 0 {
		t.Errorf("empty input: %v %d", err, len(msgs))
	}
}

func TestClocks(t *testing.T) {
	start := time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)
	// 12 MHz: UTC = Start + ticks/12e6, across the 48-bit wrap.
	opts := DefaultOptions()
	opts.Start = start
	d := NewDecoder(opts)
	var m Message
	const wrap = 1 << 48
	for i, ticks := range []uint64{wrap - 6e6, 6e6} {
		f := frameHex(t, "8D4840D6202CC371C32CE0576098", -1)
		f.Ticks, f.HasTicks = ticks, true
		if err := d.Decode(&f, &m); err != nil {
			t.Fatal(err)
		}
		want := start.Add(time.Duration(float64(wrap-6e6) / 12e6 * 1e9)).Add(time.Duration(i) * time.Second)
		if m.Has&HasTime == 0 || m.Time.Sub(want).Abs() > time.Microsecond {
			t.Errorf("ticks %d: %v, want %v", ticks, m.Time, want)
		}
	}
	// No Start: no time.
	d = NewDecoder(nil)
	f := frameHex(t, "8D4840D6202CC371C32CE0576098", 5)
	if d.Decode(&f, &m); m.Has&HasTime != 0 {
		t.Errorf("time without Start: %v", m.Time)
	}
	// GPS: seconds of day and nanoseconds, across midnight.
	opts = DefaultOptions()
	opts.Clock, opts.Start = ClockGPS, start
	d = NewDecoder(opts)
	for _, tc := range []struct {
		sod, ns uint64
		want    time.Time
	}{
		{86399, 500e6, time.Date(2026, 11, 23, 23, 59, 59, 500e6, time.UTC)},
		{0, 250e6, time.Date(2026, 11, 24, 0, 0, 0, 250e6, time.UTC)},
	} {
		f.Ticks, f.HasTicks = tc.sod<<30|tc.ns, true
		if err := d.Decode(&f, &m); err != nil {
			t.Fatal(err)
		}
		if !m.Time.Equal(tc.want) {
			t.Errorf("GPS %d.%09d: %v, want %v", tc.sod, tc.ns, m.Time, tc.want)
		}
	}
}

// TestTCP reads Beast pushed to a Serve listener and AVR from a Dial'd
// "receiver", over real loopback sockets.
func TestTCP(t *testing.T) {
	frames := pymodesFrames(t)[:300]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// A receiver serving AVR; vigia dials it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write(encode(frames, FormatAVR, true))
		c.Close()
		ln.Close()
	}()
	c, err := Dial(ctx, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := readAll(t, c, FormatAuto, NewDecoder(nil), nil)
	c.Close()
	if err != nil || len(msgs) != len(frames) {
		t.Fatalf("dialled AVR: %d messages, err %v", len(msgs), err)
	}

	// vigia listens; a receiver pushes Beast.
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Serve(sctx, ln2, func(_ context.Context, c net.Conn) {
			msgs, _ := readAll(t, c, FormatAuto, NewDecoder(nil), nil)
			got <- len(msgs)
		})
	}()
	pc, err := net.Dial("tcp", ln2.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	pc.Write(encode(frames, FormatBeast, true))
	pc.Close()
	select {
	case n := <-got:
		if n != len(frames) {
			t.Errorf("pushed Beast: %d messages, want %d", n, len(frames))
		}
	case <-ctx.Done():
		t.Fatal("no messages from the pushed connection")
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err := Listen(ctx, "256.0.0.1:1", nil); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
	if _, err := Dial(ctx, ln2.Addr().String()); err == nil {
		t.Error("Dial to a closed listener succeeded")
	}
}

// TestAircraftTableBounded feeds more distinct addresses than the table
// holds: it stays bounded and keeps decoding.
func TestAircraftTableBounded(t *testing.T) {
	d := NewDecoder(nil)
	var m Message
	for a := uint32(1); a <= maxAircraft+5000; a++ {
		f := frameHex(t, df11(a), -1)
		if err := d.Decode(&f, &m); err != nil || m.Addr != a {
			t.Fatalf("address %06X: %v", a, err)
		}
	}
	if n := d.Aircraft(); n > maxAircraft || n < maxAircraft/4 {
		t.Errorf("%d aircraft held, want at most %d", n, maxAircraft)
	}
	// The most recent address is still known to address/parity replies.
	last := uint32(maxAircraft + 5000)
	b := withParity([]byte{0x20, 0, 0x17, 0x18, 0, 0, 0}, last)
	f := frameHex(t, fmt.Sprintf("%X", b), -1)
	if err := d.Decode(&f, &m); err != nil || m.Addr != last {
		t.Errorf("DF4 from the latest address: %v", err)
	}
}

// TestSBSSurveillance covers the BaseStation types that carry no position:
// 5 (surveillance altitude), 7 (air-to-air) and 8 (all-call), in the
// field layout of the BaseStation socket format (transmission type in
// field 2, altitude in field 12, ground flag in field 22).
func TestSBSSurveillance(t *testing.T) {
	in := "MSG,5,1,1,A1B2C3,1,2026/03/02,16:00:00.000,2026/03/02,16:00:00.000,,21975,,,,,,,0,,0,0\n" +
		"MSG,7,1,1,A1B2C3,1,2026/03/02,16:00:01.000,2026/03/02,16:00:01.000,,22000,,,,,,,,,,0\n" +
		"MSG,8,1,1,A1B2C3,1,2026/03/02,16:00:02.000,2026/03/02,16:00:02.000,,,,,,,,,,,,-1\n"
	d := NewDecoder(nil)
	msgs, err := readAll(t, strings.NewReader(in), FormatSBS, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	if m := msgs[0]; m.AltBaro != 21975 || m.Has&HasAltBaro == 0 || m.Has&HasPosition != 0 || m.Source != position.ModeS {
		t.Errorf("MSG,5: %s", m.AppendJSON(nil))
	}
	if m := msgs[1]; m.AltBaro != 22000 || m.Has&HasPosition != 0 {
		t.Errorf("MSG,7: %s", m.AppendJSON(nil))
	}
	if m := msgs[2]; !m.OnGround || m.Has&HasOnGround == 0 || m.Has&HasAltBaro != 0 {
		t.Errorf("MSG,8: %s", m.AppendJSON(nil))
	}
	if _, ok := msgs[0].Position(); ok {
		t.Error("MSG,5 yields no position")
	}
}
