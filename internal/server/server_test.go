package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/feed/adsb"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/sim"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/testenv"
	"github.com/vigia/vigia/internal/track"
)

func TestParseFeed(t *testing.T) {
	for _, c := range []struct {
		spec                     string
		format, mode, addr, name string
		receiver, start          bool
	}{
		{"beast+tcp://127.0.0.1:30005", "beast", "connect", "127.0.0.1:30005", "beast+tcp://127.0.0.1:30005", false, false},
		{"listen://0.0.0.0:30002?name=north&receiver=29.07,-110.95", "adsb", "listen", "0.0.0.0:30002", "north", true, false},
		{"udp://239.1.1.1:5000", "klv", "udp", "239.1.1.1:5000", "udp://239.1.1.1:5000", false, false},
		{"sbs+tcp://[::1]:30003?start=2026-03-02T16:00:00Z", "sbs", "connect", "[::1]:30003", "sbs+tcp://[::1]:30003?start=2026-03-02T16:00:00Z", false, true},
		{"recording.bin", "auto", "file", "recording.bin", "recording.bin", false, false},
		{"avr+rec.txt", "avr", "file", "rec.txt", "avr+rec.txt", false, false},
	} {
		f, err := ParseFeed(c.spec)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if f.Format != c.format || f.Mode != c.mode || f.Addr != c.addr || f.Name != c.name || (f.Receiver != nil) != c.receiver || f.Start.IsZero() == c.start {
			t.Errorf("%s: %+v", c.spec, f)
		}
	}
	for _, c := range []struct{ spec, want string }{
		{"ftp://host:1", `scheme "ftp"`},
		{"gps+tcp://host:1", `format "gps"`},
		{"beast+udp://host:1", "udp carries KLV"},
		{"tcp://hostonly", `address "hostonly"`},
		{"tcp://h:1?receiver=95,0", "receiver"},
		{"tcp://h:1?start=yesterday", "start"},
	} {
		if _, err := ParseFeed(c.spec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", c.spec, err, c.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	s, err := ParseShard("2/3")
	if err != nil || s.name() != "account-2of3" {
		t.Fatalf("%+v %v", s, err)
	}
	seen := map[int]int{}
	for i := 1; i <= 3; i++ {
		for _, p := range (Shard{i, 3}).partitions() {
			seen[p]++
		}
	}
	if len(seen) != 16 {
		t.Fatalf("shards of 3 cover %d partitions", len(seen))
	}
	for p, n := range seen {
		if n != 1 {
			t.Fatalf("partition %d in %d shards", p, n)
		}
	}
	if (Shard{}).partitions() != nil || (Shard{1, 1}).name() != "account" {
		t.Fatal("the whole")
	}
	for _, bad := range []string{"0/2", "3/2", "1/17", "x", "1/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestGarbageFeed sends a feed junk between valid frames: the junk is
// logged with the feed's name and its offset, the frames after it are
// decoded and accounted, and what was stored before is untouched.
func TestGarbageFeed(t *testing.T) {
	var logs testenv.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := ParseFeed("avr+listen://127.0.0.1:0?name=rx1&start=2026-03-02T16:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Config{DataDir: t.TempDir(), Feeds: []Feed{f}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Store()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, false) }()

	// An airborne-position pair of "The 1090 Megahertz Riddle" (ICAO
	// 40621D; even and odd frames 10 s apart give 52.2572°N 3.9194°E),
	// then 37 bytes of junk, then the pair again 20 s later.
	frame := func(ticks uint64, hex string) []byte {
		var fr adsb.Frame
		if err := adsb.ParseAVR([]byte("*"+hex+";"), &fr); err != nil {
			t.Fatal(err)
		}
		fr.Ticks, fr.HasTicks = ticks, true
		return adsb.AppendAVR(nil, &fr)
	}
	var in []byte
	in = append(in, frame(12_000_000, "8D40621D58C382D690C8AC2863A7")...)
	in = append(in, frame(24_000_000, "8D40621D58C386435CC412692AD6")...)
	junkAt := len(in)
	in = append(in, []byte("this is not an AVR frame at all!!!!\n")...)
	in = append(in, frame(36_000_000, "8D40621D58C382D690C8AC2863A7")...)
	in = append(in, frame(48_000_000, "8D40621D58C386435CC412692AD6")...)
	c, err := net.Dial("tcp", s.FeedAddr("rx1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "feed=rx1") || !strings.Contains(logs.String(), "skipped bytes") {
		if time.Now().After(deadline) {
			t.Fatalf("no log line for the junk:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "skipped bytes") {
			line = l
		}
	}
	if !strings.Contains(line, "feed=rx1") || !strings.Contains(line, fmt.Sprintf("offset=%d ", junkAt)) {
		t.Fatalf("junk log line %q lacks the feed or offset %d", line, junkAt)
	}
	t.Logf("junk at byte %d: %s", junkAt, line)
	for {
		flights, err := st.Flights(ctx, store.FlightFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(flights) == 1 && flights[0].Fixes >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("flights %+v", flights)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestProgrammeOnly feeds three US aircraft crossing into Mexico, of which
// only one is the programme's (a fleet entry): with ProgrammeOnly, only its
// flight is accounted and only it raises an alert; the others are counted
// and skipped.
func TestProgrammeOnly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := ParseFeed("beast+listen://127.0.0.1:0?name=rx&start=2026-03-02T16:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Config{DataDir: t.TempDir(), Feeds: []Feed{f}, ProgrammeOnly: true,
		Fleet: []compliance.FleetEntry{{ID: "icao:A80001", Operator: "USA"}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, false) }()
	var stream []byte
	for _, fr := range benchTraffic(0, 3, 20) {
		stream = append(stream, fr.Beast...)
	}
	c, err := net.Dial("tcp", s.FeedAddr("rx"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(stream); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := waitFor(func() bool { return s.Published() == 3*19 }); err != nil {
		t.Fatalf("published %d: %v", s.Published(), err)
	}
	if err := s.WaitAccounted(ctx); err != nil {
		t.Fatal(err)
	}
	flights, err := s.Store().Flights(ctx, store.FlightFilter{})
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := s.Store().Alerts(ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(flights) != 1 || flights[0].Aircraft != "icao:A80001" || flights[0].Fixes != 19 || len(alerts) != 1 || alerts[0].Aircraft != "icao:A80001" {
		t.Fatalf("flights %+v, alerts %+v", flights, alerts)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(cond func() bool) error {
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within 20 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// TestReportsOfEndedFlights shows that a flight ended by a gap has its
// report stored, in every format, once its last fixes are: three aircraft
// fall silent after 20 s while three others fly on for 200 s (message
// time), with a 30 s gap. The recording is written at once, so it also
// shows that a fast replay loses no position to the tracker's clock: the
// silent aircraft's few positions must not be published after the others'
// later ones.
func TestReportsOfEndedFlights(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := ParseFeed("beast+listen://127.0.0.1:0?name=rx&start=2026-03-02T16:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Config{DataDir: t.TempDir(), Feeds: []Feed{f}, Track: track.Options{Gap: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, false) }()
	short := sim.Traffic{Aircraft: 3, Positions: 20, Interval: time.Second, FirstICAO: 0xA10000,
		Origin: geo.LatLon{Lat: 31.6, Lon: -110.9}, Spacing: 0.1, Speed: 150, Altitude: 6000}
	long := short
	long.Positions, long.FirstICAO, long.Origin.Lon = 200, 0xA20000, -109.9
	frames := append(short.Frames(), long.Frames()...)
	sort.SliceStable(frames, func(i, j int) bool { return frames[i].Ticks < frames[j].Ticks })
	var stream []byte
	for _, fr := range frames {
		stream = append(stream, fr.Beast...)
	}
	c, err := net.Dial("tcp", s.FeedAddr("rx"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(stream); err != nil {
		t.Fatal(err)
	}
	c.Close()
	st := s.Store()
	var ended []track.Flight
	if err := waitFor(func() bool {
		ended = ended[:0]
		flights, err := st.Flights(ctx, store.FlightFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range flights {
			if strings.HasPrefix(fl.Aircraft, "icao:A1") {
				if _, err := st.Report(ctx, fl.ID, "html"); err == nil {
					ended = append(ended, fl)
				}
			}
		}
		return len(ended) == 3
	}); err != nil {
		t.Fatalf("%d reports of the 3 ended flights stored: %v; positions: %d published, %v late",
			len(ended), err, s.Published(), testutil.ToFloat64(s.acct.c.late))
	}
	for _, fl := range ended {
		js, err := st.Report(ctx, fl.ID, "json")
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Fixes int `json:"fixes"`
		}
		if err := json.Unmarshal(js, &r); err != nil || r.Fixes != 19 || fl.Fixes != 19 {
			t.Fatalf("%s: report of %d fixes (%v), flight %d", fl.ID, r.Fixes, err, fl.Fixes)
		}
		if gj, err := st.Report(ctx, fl.ID, "geojson"); err != nil || !bytes.Contains(gj, []byte(`"FeatureCollection"`)) {
			t.Fatalf("%s: geojson report: %v", fl.ID, err)
		}
	}
	// The flights still flying have none.
	flights, _ := st.Flights(ctx, store.FlightFilter{Aircraft: "icao:A20000"})
	if len(flights) != 1 {
		t.Fatalf("long flight: %+v", flights)
	}
	if _, err := st.Report(ctx, flights[0].ID, "json"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("report of a flight still flying: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestStopAtOnce stops a server as soon as it runs, again and again: the
// stop may come while the accounting is still setting its consumer up, and
// Run must still end cleanly.
func TestStopAtOnce(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := New(ctx, Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx, false) }()
		time.Sleep(time.Duration(i) * time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("stop after %d ms: %v", i, err)
		}
	}
}
