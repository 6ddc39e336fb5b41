package adsb

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/testenv"
)

// The cross-check with a real peer decoder: Debian's dump1090-mutability,
// in --net-only mode on 127.0.0.1, decodes the same AVR and Beast input
// vigia does — the real frames of the pyModeS sample (see
// testdata/SOURCE.md), two synthetic flights near the USA-Mexico border
// and, with a receiver position given to both, a synthetic taxi at
// Schiphol for surface positions — and its SBS output is compared with
// vigia's positions (each of dump1090's within 2 m of one of vigia's: it
// prints 5 decimals), velocities (within its rounding to 1 kt and 1°) and
// callsigns.

// freePorts returns n distinct TCP ports on 127.0.0.1 that were free a
// moment ago (all are held open until every one is chosen).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// dialWhileRunning dials addr until it answers, the process behind
// exited reports that it ended, or 20 s pass.
func dialWhileRunning(ctx context.Context, addr string, exited chan error) (net.Conn, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c, nil
		}
		select {
		case werr := <-exited:
			exited <- werr
			return nil, fmt.Errorf("exited (%v) before listening on %s", werr, addr)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: %w", addr, err)
		}
	}
}

type peerFix struct {
	icao     string
	lat, lon float64
}

type peerVel struct {
	icao      string
	gs, track float64
}

// runDump1090 feeds frames to dump1090-mutability's raw (AVR) or Beast
// input port and returns the positions, velocities and callsigns it
// reports on its SBS port. The frames go in chunks, each followed by
// identifications of a marker aircraft (an address used nowhere else) with
// a callsign naming the chunk; the next chunk is sent once the marker is
// back on the SBS port. That keeps dump1090's output queue short: it drops
// a client that does not keep up.
func runDump1090(t *testing.T, tool string, frames []Frame, format Format, stamps bool, receiver *geo.LatLon) ([]peerFix, []peerVel, map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		ports  []int
		cmd    *exec.Cmd
		stderr bytes.Buffer
		sbs    net.Conn
		exited chan error
	)
	// Another process may take a port between our choosing it and
	// dump1090 binding it; dump1090 then exits, and we start it again on
	// other ports.
	for attempt := 1; ; attempt++ {
		ports = freePorts(t, 5)
		args := []string{"--net-only", "--net-bind-address", "127.0.0.1", "--quiet",
			"--net-ri-port", strconv.Itoa(ports[0]), "--net-ro-port", strconv.Itoa(ports[1]),
			"--net-sbs-port", strconv.Itoa(ports[2]), "--net-bi-port", strconv.Itoa(ports[3]),
			"--net-bo-port", strconv.Itoa(ports[4]), "--net-heartbeat", "0"}
		if receiver != nil {
			args = append(args, "--lat", fmt.Sprint(float64(receiver.Lat)), "--lon", fmt.Sprint(float64(receiver.Lon)))
		}
		stderr.Reset()
		cmd = exec.CommandContext(ctx, tool, args...)
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited = make(chan error, 1)
		go func(c *exec.Cmd) { exited <- c.Wait() }(cmd)
		var err error
		sbs, err = dialWhileRunning(ctx, fmt.Sprintf("127.0.0.1:%d", ports[2]), exited)
		if err == nil {
			break
		}
		cmd.Process.Kill()
		if attempt == 3 {
			t.Fatalf("dump1090-mutability did not start: %v\n%s", err, stderr.String())
		}
		t.Logf("dump1090-mutability attempt %d: %v; retrying on other ports", attempt, err)
	}
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	fail := func(err error) {
		t.Helper()
		cmd.Process.Kill()
		werr := <-exited
		exited <- werr
		t.Fatalf("dump1090-mutability (%v): %v\n%s", werr, err, stderr.String())
	}
	defer sbs.Close()
	in := ports[0]
	if format == FormatBeast {
		in = ports[3]
	}
	feed, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", in))
	if err != nil {
		fail(err)
	}
	defer feed.Close()

	var fixes []peerFix
	var vels []peerVel
	calls := map[string]string{}
	marks := make(chan string, 64)
	readErr := make(chan error, 1)
	go func() {
		sbs.SetReadDeadline(time.Now().Add(50 * time.Second))
		sc := bufio.NewScanner(sbs)
		for sc.Scan() {
			f := strings.Split(strings.TrimSpace(sc.Text()), ",")
			if len(f) < 16 || f[0] != "MSG" {
				continue
			}
			icao := strings.ToUpper(f[4])
			if icao == "E0F0A0" {
				if f[1] == "1" {
					marks <- strings.TrimSpace(f[10])
				}
				continue
			}
			if f[1] == "1" && strings.TrimSpace(f[10]) != "" {
				calls[icao] = strings.TrimSpace(f[10])
			}
			if f[1] == "4" && f[12] != "" && f[13] != "" {
				gs, err1 := strconv.ParseFloat(f[12], 64)
				tr, err2 := strconv.ParseFloat(f[13], 64)
				if err1 == nil && err2 == nil {
					vels = append(vels, peerVel{icao, gs, tr})
				}
			}
			if (f[1] == "2" || f[1] == "3") && f[14] != "" && f[15] != "" {
				lat, err1 := strconv.ParseFloat(f[14], 64)
				lon, err2 := strconv.ParseFloat(f[15], 64)
				if err1 == nil && err2 == nil {
					fixes = append(fixes, peerFix{icao, lat, lon})
				}
			}
		}
		readErr <- fmt.Errorf("SBS port closed (%v) after %d positions", sc.Err(), len(fixes))
	}()
	const chunk = 200
	for k := 0; k*chunk < len(frames); k++ {
		part := frames[k*chunk : min(len(frames), (k+1)*chunk)]
		mark := fmt.Sprintf("MARK%04d", k)
		for i := range 3 { // dump1090 reports an address once heard twice
			m := esFrame(0xE0F0A0, identME(mark), uint64(1+i))
			part = append(part[:len(part):len(part)], m)
		}
		if _, err := feed.Write(encode(part, format, stamps)); err != nil {
			fail(err)
		}
		for got := ""; got != mark; {
			select {
			case got = <-marks:
			case err := <-readErr:
				fail(err)
			case <-ctx.Done():
				fail(fmt.Errorf("no marker %s on the SBS port", mark))
			}
		}
	}
	sbs.Close()
	<-readErr // the reader has stopped: its results are complete
	return fixes, vels, calls
}

func TestDump1090CrossCheck(t *testing.T) {
	tool := testenv.Tool(t, "dump1090-mutability")
	real := pymodesFrames(t)
	a, _ := syntheticFlight(0xA1B2C3, "VIGIA01", geo.LatLon{Lat: 32.60, Lon: -114.80}, 150, 90*time.Second, 2000*time.Second)
	b, _ := syntheticFlight(0x0D0E0F, "XAMEX12", geo.LatLon{Lat: 31.70, Lon: -106.50}, 20, 90*time.Second, 2000*time.Second)
	frames := append(append(append([]Frame(nil), real...), a...), b...)
	// With a receiver near Delft: the real flight and a taxi at Schiphol
	// (surface positions need the receiver as reference).
	taxi, _ := syntheticTaxi(0x4840D7, "TAXI02", geo.LatLon{Lat: 52.3080, Lon: 4.7620}, 60, 60*time.Second, 2000*time.Second)
	delft := &geo.LatLon{Lat: 52.0, Lon: 4.4}

	for _, tc := range []struct {
		name     string
		beast    bool
		stamps   bool
		frames   []Frame
		receiver *geo.LatLon
		calls    int
	}{
		{"avr", false, false, frames, nil, 3},
		{"beast", true, true, frames, nil, 3},
		{"beast with receiver and surface", true, true, append(append([]Frame(nil), real...), taxi...), delft, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			format := FormatAVR
			if tc.beast {
				format = FormatBeast
			}
			data := encode(tc.frames, format, tc.stamps)
			peer, peerVels, peerCalls := runDump1090(t, tool, tc.frames, format, tc.stamps, tc.receiver)

			opts := DefaultOptions()
			if tc.receiver != nil {
				opts.Receiver, opts.HasReceiver = *tc.receiver, true
			}
			d := NewDecoder(opts)
			r := NewReader(bytes.NewReader(data), format, d)
			ours := map[string][][2]float64{}
			calls := map[string]string{}
			vels := map[string][][2]float64{}
			var m Message
			for {
				err := r.Next(&m)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				icao := string(appendHex24(nil, m.Addr))
				if m.Has&HasPosition != 0 {
					ours[icao] = append(ours[icao], [2]float64{float64(m.Lat), float64(m.Lon)})
				}
				if m.Has&HasCallsign != 0 {
					calls[icao] = m.Callsign
				}
				if m.TC == 19 && m.Has&HasGroundSpeed != 0 {
					vels[icao] = append(vels[icao], [2]float64{m.GroundSpeed, m.Track})
				}
			}
			if len(peer) < 900 {
				t.Fatalf("dump1090 reported only %d positions", len(peer))
			}
			var surface int
			for _, p := range peer {
				if p.icao == "4840D7" {
					surface++
				}
			}
			if tc.receiver != nil && surface < 100 {
				t.Errorf("dump1090 reported %d surface positions of the taxi", surface)
			}
			var matched, total int
			worst := 0.0
			for _, p := range peer {
				best := 1e18
				for _, o := range ours[p.icao] {
					best = min(best, distance(p.lat, p.lon, o[0], o[1]))
				}
				total++
				// dump1090 prints 5 decimals (about 1 m).
				if best <= 2 {
					matched++
				}
				worst = max(worst, best)
			}
			var n int
			for _, v := range ours {
				n += len(v)
			}
			t.Logf("%s: dump1090 %d positions (%d on the surface), vigia %d; %d of dump1090's within 2 m of one of vigia's (worst %.1f m)", tc.name, len(peer), surface, n, matched, worst)
			if matched != total {
				t.Errorf("%d of %d dump1090 positions have no vigia position within 2 m (worst %.1f m)", total-matched, total, worst)
			}
			if n < total*9/10 {
				t.Errorf("vigia gave %d positions, dump1090 %d", n, total)
			}
			// Velocities: dump1090 rounds speed and track to whole units.
			var velOK int
			for _, p := range peerVels {
				for _, o := range vels[p.icao] {
					dt := math.Abs(math.Mod(o[1]-p.track+540, 360) - 180)
					if math.Abs(o[0]-p.gs) <= 1 && dt <= 1 {
						velOK++
						break
					}
				}
			}
			if len(peerVels) < 100 || velOK != len(peerVels) {
				t.Errorf("velocities: %d of dump1090's %d match one of vigia's within 1 kt and 1°", velOK, len(peerVels))
			}
			for icao, cs := range peerCalls {
				if calls[icao] != cs {
					t.Errorf("%s: callsign %q, dump1090 %q", icao, calls[icao], cs)
				}
			}
			if len(peerCalls) != tc.calls || len(calls) != tc.calls {
				t.Errorf("callsigns: dump1090 %v, vigia %v", peerCalls, calls)
			}
		})
	}
}
