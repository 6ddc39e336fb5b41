package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/sim"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/sqlite"
	"github.com/vigia/vigia/internal/testenv"
)

// serveProc is a vigia serve child process.
type serveProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *testenv.Buffer
	api    string            // http://host:port
	feeds  map[string]string // listening feed name → address
	exited chan struct{}
	code   int
}

var (
	apiLine  = regexp.MustCompile(`^vigia serve: API +http://([^/]+)/api/$`)
	feedLine = regexp.MustCompile(`^vigia serve: feed (\S+) listening on (\S+)$`)
)

// startServe starts vigia serve with args and waits until it prints its
// API URL and the addresses of its listening feeds.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--http", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "VIGIA_RUN_MAIN=1")
	p := &serveProc{t: t, cmd: cmd, stderr: &testenv.Buffer{}, feeds: map[string]string{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			l := sc.Text()
			if m := apiLine.FindStringSubmatch(l); m != nil {
				p.api = "http://" + m[1]
			}
			if m := feedLine.FindStringSubmatch(l); m != nil {
				p.feeds[m[1]] = m[2]
			}
			if strings.HasPrefix(l, "vigia serve: running") {
				break
			}
		}
		close(ready)
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = -int(ws.Signal())
			}
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case <-ready:
	case <-p.exited:
		t.Fatalf("vigia serve exited at start (%d):\n%s", p.code, p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("vigia serve did not start:\n%s", p.stderr.String())
	}
	if p.api == "" {
		t.Fatalf("vigia serve printed no API URL:\n%s", p.stderr.String())
	}
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serveProc) stop() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		p.t.Fatalf("vigia serve did not stop on SIGTERM:\n%s", p.stderr.String())
	}
	if p.code != 0 {
		p.t.Fatalf("vigia serve exited %d after SIGTERM:\n%s", p.code, p.stderr.String())
	}
}

// kill sends SIGKILL and waits.
func (p *serveProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// getJSON fetches an API path into v and returns the status.
func (p *serveProc) getJSON(path string, v any) int {
	p.t.Helper()
	resp, err := http.Get(p.api + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, v); err != nil {
			p.t.Fatalf("GET %s: %v\n%s", path, err, b)
		}
	}
	return resp.StatusCode
}

// metric returns the sum of the samples of a metric on /metrics whose
// line starts with prefix (name and labels).
func (p *serveProc) metric(prefix string) float64 {
	p.t.Helper()
	resp, err := http.Get(p.api + "/metrics")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, prefix) {
			var v float64
			if _, err := fmt.Sscanf(l[strings.LastIndexByte(l, ' ')+1:], "%g", &v); err == nil {
				sum += v
			}
		}
	}
	return sum
}

// apiFlight is the part of the API's flight JSON the tests read.
type apiFlight struct {
	ID        string `json:"id"`
	Aircraft  string `json:"aircraft"`
	Fixes     int    `json:"fixes"`
	Crossings int    `json:"crossings"`
}

type apiAlert struct {
	ID         string     `json:"id"`
	FlightID   string     `json:"flight_id"`
	Aircraft   string     `json:"aircraft"`
	Airspace   string     `json:"airspace"`
	Operator   string     `json:"operator"`
	Start      time.Time  `json:"start"`
	Fixes      int        `json:"fixes"`
	FirstSeq   int        `json:"first_seq"`
	LastSeq    int        `json:"last_seq"`
	Open       bool       `json:"open"`
	FirstPoint [2]float64 `json:"first_point"`
}

type apiReport struct {
	Fixes    int `json:"fixes"`
	Verdicts []struct {
		Verdict string `json:"verdict"`
		Fixes   int    `json:"fixes"`
	} `json:"verdicts"`
	Crossings []struct {
		Time  time.Time  `json:"time"`
		Point [2]float64 `json:"point"`
		From  string     `json:"from"`
		To    string     `json:"to"`
	} `json:"crossings"`
	Alerts []apiAlert `json:"alerts"`
}

// waitSettled polls the API until the stored fixes stop changing for a
// while (and are not zero), and returns the flights.
// trackers are the processes that account what p publishes (default p).
func (p *serveProc) waitSettled(min int, trackers ...*serveProc) []apiFlight {
	p.t.Helper()
	var last, stable int
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var fl []apiFlight
		p.getJSON("/api/flights", &fl)
		n := 0
		for _, f := range fl {
			n += f.Fixes
		}
		if n >= min && n == last {
			if stable++; stable >= 6 {
				// Every position p published has been through a
				// tracker.
				if len(trackers) == 0 {
					trackers = []*serveProc{p}
				}
				tracked := 0.0
				for _, q := range trackers {
					tracked += q.metric("vigia_track_positions_total")
				}
				if pub := p.metric("vigia_published_positions_total"); pub > tracked {
					p.t.Logf("stable at %d fixes, but %v positions published and %v tracked", n, pub, tracked)
					if stable == 6 {
						for _, l := range strings.Split(p.stderr.String(), "\n") {
							if !strings.Contains(l, "level=INFO") {
								p.t.Log(l)
							}
						}
					}
					stable = 0
					continue
				}
				return fl
			}
		} else {
			stable = 0
		}
		last = n
		time.Sleep(250 * time.Millisecond)
	}
	p.t.Fatalf("stored fixes did not settle (last %d):\n%s", last, p.stderr.String())
	return nil
}

// borderTruth is what the border scenario implies, computed from its own
// geometry (the simulator's true trajectories, the authorised rectangles,
// the treaty parallel), not by vigia's accounting.
type borderTruth struct {
	start time.Time
	// strayExit is when the straying drone first leaves its authorised
	// rectangle.
	strayExit time.Time
	// overrun lists the true passages of the overrunning patrol across
	// the parallel 31°20′ N: the time, and true when going south.
	overrun []struct {
		t     time.Time
		south bool
	}
}

func computeBorderTruth(t *testing.T) borderTruth {
	t.Helper()
	sc, err := sim.Load("border")
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	bt := borderTruth{start: sc.Start}
	inRect := func(ring []geo.LatLon, p geo.LatLon) bool {
		lo, hi := ring[0], ring[0]
		for _, q := range ring {
			lo.Lat, lo.Lon = min(lo.Lat, q.Lat), min(lo.Lon, q.Lon)
			hi.Lat, hi.Lon = max(hi.Lat, q.Lat), max(hi.Lon, q.Lon)
		}
		return p.Lat >= lo.Lat && p.Lat <= hi.Lat && p.Lon >= lo.Lon && p.Lon <= hi.Lon
	}
	var area []geo.LatLon
	for _, a := range sc.Authorisations {
		if a.ID == "AUT-MEX-SON-03" {
			area = a.Area
		}
	}
	for _, f := range s.Flights {
		switch f.Aircraft.ID {
		case "sonora-stray":
			for _, st := range f.States() {
				if st.T <= sc.Duration && !inRect(area, st.Pos) {
					bt.strayExit = sc.Start.Add(st.T)
					break
				}
			}
		case "patrol-overrun":
			north := true
			for _, st := range f.States() {
				if st.T > sc.Duration {
					break
				}
				if n := float64(st.Pos.Lat) > treatyParallel; n != north {
					bt.overrun = append(bt.overrun, struct {
						t     time.Time
						south bool
					}{sc.Start.Add(st.T), !n})
					north = n
				}
			}
		}
	}
	if bt.strayExit.IsZero() || len(bt.overrun) == 0 {
		t.Fatalf("scenario changed: %+v", bt)
	}
	return bt
}

// treatyParallel is the US–Mexico boundary between 108°13′ W and 111°04′ W:
// the parallel 31°20′ N (Gadsden Purchase Treaty, 1853, article I); the
// airspace data follows the surveyed monuments within treatyMargin.
const (
	treatyParallel = 31 + 20.0/60
	treatyMargin   = 0.0015
)

// simulateBorder writes the border scenario's files into a new directory.
func simulateBorder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, errs, code := vigia(t, "", "simulate", "flights", "--scenario", "border", "--out", dir, "--quiet"); code != 0 {
		t.Fatalf("simulate: exit %d\n%s%s", code, out, errs)
	}
	return dir
}

// freeUDPPorts returns n consecutive UDP ports on 127.0.0.1 free at the
// time of the call.
func freeUDPPorts(t *testing.T, n int) int {
	t.Helper()
	p, err := freeUDPRun(n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// addAuthorisations posts the scenario's authorisations to the API.
func addAuthorisations(t *testing.T, p *serveProc, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "authz-*.json"))
	if len(files) != 3 {
		t.Fatalf("%d authorisation files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(p.api+"/api/authorisations", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 && resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %s", f, resp.StatusCode, body)
		}
	}
}

// sseCollector reads alert events from /api/alerts/stream.
type sseCollector struct {
	mu         sync.Mutex
	ids        map[string]bool // event ids seen
	reconnects int
}

func collectSSE(t *testing.T, p *serveProc) *sseCollector {
	t.Helper()
	c := &sseCollector{ids: map[string]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	connect := func() (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.api+"/api/alerts/stream", nil)
		return http.DefaultClient.Do(req)
	}
	resp, err := connect()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("SSE: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		// Like any SSE client, it reconnects when the stream ends (the
		// server drops a client that falls behind).
		for {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
					c.mu.Lock()
					c.ids[id] = true
					c.mu.Unlock()
				}
			}
			resp.Body.Close()
			if ctx.Err() != nil {
				return
			}
			c.mu.Lock()
			c.reconnects++
			c.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
			if resp, err = connect(); err != nil {
				return
			}
		}
	}()
	return c
}

func (c *sseCollector) stats() (events, reconnects int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids), c.reconnects
}

func (c *sseCollector) has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ids[id]
}

// streamBorder plays the border scenario live into the feeds at 120 times
// real time: ADS-B (Beast) to the listening feed, each drone's MPEG-TS to
// UDP ports base, base+1, base+2.
func streamBorder(t *testing.T, adsbAddr string, udpBase int) {
	t.Helper()
	out, errs, code := vigia(t, "", "simulate", "flights", "--scenario", "border", "--live", "--speed", "120", "--quiet",
		"--adsb-tcp", adsbAddr, "--adsb-format", "beast", "--klv-udp", fmt.Sprintf("127.0.0.1:%d", udpBase))
	if code != 0 {
		t.Fatalf("simulate --live: exit %d\n%s%s", code, out, errs)
	}
}

// checkBorder checks what the API holds against the scenario's truth.
func checkBorder(t *testing.T, p *serveProc, bt borderTruth, sse *sseCollector, trackers ...*serveProc) {
	t.Helper()
	fl := p.waitSettled(40000, trackers...)
	want := []string{"icao:AE1F01", "icao:AE1F03", "icao:AE1F10", "icao:AE1F11", "klv:MQ-9A/SIN-ORB-02", "klv:MQ-9B/SON-ORB-01", "klv:MQ-9B/SON-RTE-03"}
	var got []string
	for _, f := range fl {
		got = append(got, f.Aircraft)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("flights of %v, want one each of %v", got, want)
	}
	var alerts []apiAlert
	p.getJSON("/api/alerts", &alerts)
	byAircraft := map[string][]apiAlert{}
	for _, a := range alerts {
		byAircraft[a.Aircraft] = append(byAircraft[a.Aircraft], a)
	}
	southward := 0
	for _, c := range bt.overrun {
		if c.south {
			southward++
		}
	}
	for _, f := range fl {
		var r apiReport
		if code := p.getJSON("/api/flights/"+url.PathEscape(f.ID)+"/report", &r); code != 200 {
			t.Fatalf("report %s: %d", f.ID, code)
		}
		verdicts := map[string]int{}
		for _, v := range r.Verdicts {
			verdicts[v.Verdict] = v.Fixes
		}
		as := byAircraft[f.Aircraft]
		switch f.Aircraft {
		case "icao:AE1F01", "klv:MQ-9B/SON-ORB-01", "klv:MQ-9A/SIN-ORB-02":
			if verdicts["authorised"] != r.Fixes || len(as) != 0 || len(r.Crossings) != 0 {
				t.Errorf("%s: %v, %d alerts, %d crossings; want all authorised, none", f.ID, verdicts, len(as), len(r.Crossings))
			}
		case "icao:AE1F10":
			if verdicts["domestic"] != r.Fixes || len(as) != 0 || len(r.Crossings) != 0 {
				t.Errorf("%s: %v, %d alerts, %d crossings; want all domestic, none", f.ID, verdicts, len(as), len(r.Crossings))
			}
		case "icao:AE1F03", "klv:MQ-9B/SON-RTE-03":
			// Authorised until the true exit from its rectangle, then one
			// alert, opened at the first fix after the exit (ADS-B every
			// 0.5 s, KLV every 0.1 s; lost UDP datagrams may delay it).
			if len(as) != 1 || len(r.Crossings) != 0 || verdicts["authorised"]+verdicts["unauthorised"] != r.Fixes {
				t.Fatalf("%s: %v, %d alerts, %d crossings; want one alert, no crossing", f.ID, verdicts, len(as), len(r.Crossings))
			}
			a := as[0]
			if lag := a.Start.Sub(bt.strayExit); lag < 0 || lag > time.Second || a.Airspace != "MEX" || a.Operator != "USA" || a.Fixes != verdicts["unauthorised"] {
				t.Errorf("%s: alert %+v, %v after the true exit at %v; %v", f.ID, a, lag, bt.strayExit, verdicts)
			}
			if !sse.has(fmt.Sprintf("%s/%d", a.ID, a.LastSeq)) {
				t.Errorf("%s: the alert's last state %s/%d never reached the SSE client", f.ID, a.ID, a.LastSeq)
			}
		case "icao:AE1F11":
			// One crossing per true passage, on the treaty parallel,
			// within a second of the true time, alternating; one alert
			// per passage south.
			if len(r.Crossings) != len(bt.overrun) || len(as) != southward {
				t.Fatalf("%s: %d crossings and %d alerts, want %d and %d:\n%+v", f.ID, len(r.Crossings), len(as), len(bt.overrun), southward, r.Crossings)
			}
			for i, c := range r.Crossings {
				tc := bt.overrun[i]
				from, to := "USA", "MEX"
				if !tc.south {
					from, to = to, from
				}
				if c.From != from || c.To != to || math.Abs(c.Point[1]-treatyParallel) > treatyMargin || math.Abs(c.Time.Sub(tc.t).Seconds()) > 1 {
					t.Errorf("%s: crossing %d %s→%s at %v, %v; want %s→%s at %v on 31°20′ N", f.ID, i, c.From, c.To, c.Point, c.Time, from, to, tc.t)
				}
			}
			for _, a := range as {
				if a.Airspace != "MEX" || math.Abs(a.FirstPoint[1]-treatyParallel) > 0.01 || a.FirstPoint[1] > treatyParallel {
					t.Errorf("%s: alert %+v", f.ID, a)
				}
				if !sse.has(fmt.Sprintf("%s/%d", a.ID, a.LastSeq)) {
					t.Errorf("%s: the alert's last state %s/%d never reached the SSE client", f.ID, a.ID, a.LastSeq)
				}
			}
			if verdicts["domestic"]+verdicts["unauthorised"] != r.Fixes || verdicts["unauthorised"] == 0 {
				t.Errorf("%s: verdicts %v", f.ID, verdicts)
			}
		}
		t.Logf("%s: %d fixes %v, %d crossings, %d alerts", f.ID, r.Fixes, verdicts, len(r.Crossings), len(as))
	}
	if len(alerts) != 2+southward {
		t.Errorf("%d alerts, want %d", len(alerts), 2+southward)
	}
}

// TestServeBorder streams the simulator's border scenario into vigia serve
// through real sockets (ADS-B Beast over TCP, each drone's MPEG-TS over
// UDP) with SQLite and the embedded NATS server, and checks the stored
// crossings, verdicts and alerts against the scenario's own geometry.
func TestServeBorder(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: 20 min of scenario at 120×")
	}
	bt := computeBorderTruth(t)
	simDir := simulateBorder(t)
	udp := freeUDPPorts(t, 3)
	args := []string{"--data", t.TempDir(), "--feed", "beast+listen://127.0.0.1:0?name=adsb&start=" + bt.start.Format(time.RFC3339)}
	for i := range 3 {
		args = append(args, "--feed", fmt.Sprintf("klv+udp://127.0.0.1:%d?name=klv%d", udp+i, i))
	}
	p := startServe(t, args...)
	addAuthorisations(t, p, simDir)
	sse := collectSSE(t, p)
	streamBorder(t, p.feeds["adsb"], udp)
	checkBorder(t, p, bt, sse)
	if n := p.metric(`vigia_alerts_opened_total`); n < 3 {
		t.Errorf("metrics: %v alerts opened", n)
	}
	events, reconnects := sse.stats()
	t.Logf("SSE: %d events, %d reconnects", events, reconnects)
	p.stop()
}

var (
	natsOnce sync.Once
	natsBin  string
	natsErr  error
)

// moduleNATS starts nats-server, built from the module this program embeds
// (v2.10 or later: a shard consumes several partition subjects with one
// consumer), with JetStream on a free loopback port, and returns its URL.
func moduleNATS(t *testing.T) string {
	t.Helper()
	natsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigia-nats-")
		if err != nil {
			natsErr = err
			return
		}
		natsBin = filepath.Join(dir, "nats-server")
		out, err := exec.Command("go", "build", "-o", natsBin, "github.com/nats-io/nats-server/v2").CombinedOutput()
		if err != nil {
			natsErr = fmt.Errorf("go build nats-server: %v\n%s", err, out)
		}
	})
	if natsErr != nil {
		t.Fatal(natsErr)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	host, port, _ := net.SplitHostPort(addr)
	var out testenv.Buffer
	cmd := exec.Command(natsBin, "-js", "-sd", t.TempDir(), "-a", host, "-p", port)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "nats://" + addr
		}
		select {
		case <-exited:
			t.Fatalf("nats-server exited:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nats-server not listening:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeBorderSharded runs the same scenario into two vigia serve
// processes on loopback that share one PostgreSQL database and one external
// NATS server, each accounting half of the aircraft partitions (--shard
// 1/2 and 2/2); only the first has feeds. The store must hold the same
// crossings, verdicts and alerts as one process would, both processes must
// have accounted fixes, and alerts stored by either reach the SSE clients of
// the other.
func TestServeBorderSharded(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: 20 min of scenario at 120×")
	}
	dsn := testenv.Postgres(t)
	natsURL := moduleNATS(t)
	bt := computeBorderTruth(t)
	simDir := simulateBorder(t)
	udp := freeUDPPorts(t, 3)
	args := []string{"--data", t.TempDir(), "--db", dsn, "--nats", natsURL, "--shard", "1/2",
		"--feed", "beast+listen://127.0.0.1:0?name=adsb&start=" + bt.start.Format(time.RFC3339)}
	for i := range 3 {
		args = append(args, "--feed", fmt.Sprintf("klv+udp://127.0.0.1:%d?name=klv%d", udp+i, i))
	}
	a := startServe(t, args...)
	b := startServe(t, "--data", t.TempDir(), "--db", dsn, "--nats", natsURL, "--shard", "2/2")
	addAuthorisations(t, a, simDir)
	sse := collectSSE(t, b)
	streamBorder(t, a.feeds["adsb"], udp)
	checkBorder(t, a, bt, sse, a, b)
	na, nb := a.metric(`vigia_track_positions_total{result="applied"}`), b.metric(`vigia_track_positions_total{result="applied"}`)
	if na == 0 || nb == 0 || na+nb < 40000 {
		t.Errorf("applied fixes: %v in shard 1/2, %v in shard 2/2; want both to take part", na, nb)
	}
	t.Logf("shard 1/2 applied %v fixes, shard 2/2 %v", na, nb)
	a.stop()
	b.stop()
}

// TestServeKill replays a 50,000-message ADS-B recording (an hour of the
// border scenario, Beast) into vigia serve over TCP, kills it with SIGKILL
// in the middle, restarts it on the same data directory and sends the whole
// recording again (as a receiver that reconnects and resends its buffer
// would). Every position the feed delivered must be accounted exactly once:
// the stored flights, fixes (fix by fix: number, time, place, airspace,
// verdict), crossings and alerts equal those of an uninterrupted run of the
// same recording.
func TestServeKill(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	simDir := t.TempDir()
	if out, errs, code := vigia(t, "", "simulate", "flights", "--scenario", "border", "--duration", "60m", "--out", simDir, "--quiet"); code != 0 {
		t.Fatalf("simulate: exit %d\n%s%s", code, out, errs)
	}
	stream, err := os.ReadFile(filepath.Join(simDir, "adsb.beast"))
	if err != nil {
		t.Fatal(err)
	}
	feed := "beast+listen://127.0.0.1:0?name=adsb&start=2026-03-02T16:00:00Z"
	send := func(addr string, b []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for len(b) > 0 {
			n := min(len(b), 16<<10)
			if _, err := c.Write(b[:n]); err != nil {
				t.Fatal(err)
			}
			b = b[n:]
		}
	}
	start := func(dir string) *serveProc {
		p := startServe(t, "--data", dir, "--feed", feed)
		addAuthorisations(t, p, simDir)
		return p
	}

	// The reference: one uninterrupted run.
	refDir := t.TempDir()
	ref := start(refDir)
	send(ref.feeds["adsb"], stream)
	refFlights := ref.waitSettled(1)
	total := 0
	for _, f := range refFlights {
		total += f.Fixes
	}
	if late, applied := ref.metric(`vigia_track_positions_total{result="late"}`), ref.metric(`vigia_track_positions_total{result="applied"}`); late != 0 || int(applied) != total {
		t.Errorf("reference run: %v positions late, %v applied, %d stored", late, applied, total)
	}
	ref.stop()

	// The killed run.
	dir := t.TempDir()
	p := start(dir)
	half := len(stream) / 2
	send(p.feeds["adsb"], stream[:half])
	deadline := time.Now().Add(time.Minute)
	for {
		var fl []apiFlight
		p.getJSON("/api/flights", &fl)
		n := 0
		for _, f := range fl {
			n += f.Fixes
		}
		if n > total/10 {
			t.Logf("SIGKILL with %d of %d fixes stored", n, total)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing stored:\n%s", p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.kill()
	p = start(dir)
	send(p.feeds["adsb"], stream)
	p.waitSettled(total)
	frames := p.metric(`vigia_feed_messages_total`)
	p.stop()
	if frames < 50000/2 {
		t.Errorf("the second run read %v frames", frames)
	}

	// Compare the stores.
	ctx := context.Background()
	load := func(dir string) map[string]string {
		st, err := sqlite.OpenDir(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		out := map[string]string{}
		fl, err := st.Flights(ctx, store.FlightFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fl {
			var b strings.Builder
			fmt.Fprintf(&b, "flight %s %d fixes %d crossings %v–%v\n", f.ID, f.Fixes, f.Crossings, f.Start, f.End)
			fixes, err := st.Fixes(ctx, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range fixes {
				fmt.Fprintf(&b, "fix %d %v %.7f %.7f %s %.1f %v\n", x.Fix.Seq, x.Fix.Position.Time, float64(x.Fix.Position.Lat), float64(x.Fix.Position.Lon), x.Fix.Country, float64(x.Fix.Depth), x.Verdict)
			}
			cs, err := st.Crossings(ctx, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				fmt.Fprintf(&b, "crossing %v %s→%s %d/%d\n", c.Time, c.From, c.To, c.Before, c.After)
			}
			out[f.ID] = b.String()
		}
		al, err := st.Alerts(ctx, store.AlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range al {
			out["alert "+a.ID] = fmt.Sprintf("%s %d fixes %d–%d open %v", a.FlightID, a.Fixes, a.FirstSeq, a.LastSeq, a.Open)
		}
		return out
	}
	want, got := load(refDir), load(dir)
	if len(want) < 5 {
		t.Fatalf("reference run stored only %d flights and alerts", len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: missing after the kill", k)
		case g != w:
			wl, gl := strings.Split(w, "\n"), strings.Split(g, "\n")
			for i := 0; i < len(wl) || i < len(gl); i++ {
				var a, b string
				if i < len(wl) {
					a = wl[i]
				}
				if i < len(gl) {
					b = gl[i]
				}
				if a != b {
					t.Errorf("%s: first difference at line %d (%d and %d lines):\nwant %s\ngot  %s", k, i, len(wl), len(gl), a, b)
					break
				}
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: stored after the kill but not in the uninterrupted run", k)
		}
	}
	t.Logf("%d fixes in %d flights and alerts, identical", total, len(want))
}

// TestServeConfigFile starts vigia serve from a TOML file (a flag on the
// command line wins over it) and checks that an unknown key and a bad
// feed are refused, naming them.
func TestServeConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigia.toml")
	if err := os.WriteFile(cfg, []byte(`data = "`+filepath.Join(dir, "state")+`"
http = "127.0.0.1:1"
feed = ["avr+listen://127.0.0.1:0?name=north"]
gap = "5m"

[[fleet]]
id = "icao:AE1F01"
operator = "USA"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	// --http on the command line (127.0.0.1:0, from startServe) wins over
	// the file's port 1, which could not be bound.
	p := startServe(t, "--config", cfg)
	if p.feeds["north"] == "" {
		t.Fatalf("feed from the file not listening; feeds %v", p.feeds)
	}
	if code := p.getJSON("/readyz", nil); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	p.stop()
	if _, err := os.Stat(filepath.Join(dir, "state", "vigia.db")); err != nil {
		t.Fatalf("data directory from the file not used: %v", err)
	}

	if err := os.WriteFile(cfg, []byte("data = \"x\"\nfeeds = [\"tcp://h:1\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := vigia(t, "", "serve", "--config", cfg); code == 0 || !strings.Contains(errs, `unknown key "feeds"`) {
		t.Fatalf("unknown key: exit %d: %s", code, errs)
	}
	if _, errs, code := vigia(t, "", "serve", "--data", dir, "--feed", "gps+tcp://h:1"); code != exitUsage || !strings.Contains(errs, `format "gps"`) {
		t.Fatalf("bad feed: exit %d: %s", code, errs)
	}
}
