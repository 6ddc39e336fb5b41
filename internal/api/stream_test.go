package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
)

// event is one item of an SSE stream: an event, or a comment line.
type event struct {
	id, name, data string
	comment        string
}

// stream is an open alert stream whose events a goroutine reads.
type stream struct {
	res    *http.Response
	events chan event
}

// openStream connects to /api/alerts/stream and checks the headers.
func (ta *testAPI) openStream(t testing.TB) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", ta.srv.URL+"/api/alerts/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ta.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &stream{res: res, events: make(chan event, 1024)}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	go func() {
		defer close(s.events)
		br := bufio.NewReader(res.Body)
		var ev event
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if ev != (event{}) {
					s.events <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, ":"):
				s.events <- event{comment: strings.TrimSpace(line[1:])}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return s
}

// next returns the next event or comment (skipping comments unless
// comments is true).
func (s *stream) next(t testing.TB, comments bool) event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("stream ended")
			}
			if ev.comment != "" && !comments {
				continue
			}
			return ev
		case <-timeout:
			t.Fatal("no event in 10 s")
		}
	}
}

// wantAlert checks that ev is alert a.
func wantAlert(t *testing.T, ev event, a compliance.Alert) {
	t.Helper()
	var got compliance.Alert
	if err := json.Unmarshal([]byte(ev.data), &got); err != nil {
		t.Fatalf("event data %q: %v", ev.data, err)
	}
	if ev.name != "alert" || ev.id != fmt.Sprintf("%s/%d", a.ID, a.LastSeq) || got.ID != a.ID || got.LastSeq != a.LastSeq ||
		got.Airspace != a.Airspace || got.Open != a.Open {
		t.Fatalf("event %+v, want alert %s/%d", ev, a.ID, a.LastSeq)
	}
}

func TestAlertStream(t *testing.T) {
	ta := newTestAPI(t, func(c *api.Config) { c.Heartbeat = 20 * time.Millisecond })
	s := ta.openStream(t)
	// First the open alert from the store.
	wantAlert(t, s.next(t, false), ta.alert)
	if n := ta.hub.Clients(); n != 1 {
		t.Fatalf("%d hub clients, want 1", n)
	}
	// Then what is published: an update of the stored alert, then a new one.
	upd := ta.alert
	upd.LastSeq, upd.Fixes = upd.LastSeq+1, upd.Fixes+1
	ta.hub.Publish(upd)
	wantAlert(t, s.next(t, false), upd)
	other := compliance.Alert{ID: "alr-0102030405060708", FlightID: "icao:AE1F11@2026-03-02T17:00:00.000Z", Aircraft: "icao:AE1F11",
		Airspace: "MEX", Start: now, Last: now, FirstSeq: 4, LastSeq: 4, Fixes: 1, MaxDepth: 12.5,
		FirstPoint: geo.LatLon{Lat: 32.5, Lon: -117}, LastPoint: geo.LatLon{Lat: 32.5, Lon: -117}, Open: true}
	ta.hub.Publish(other)
	wantAlert(t, s.next(t, false), other)
	// The heartbeat.
	for ev := s.next(t, true); ev.comment != "ping"; ev = s.next(t, true) {
		if ev.comment == "" {
			t.Fatalf("unexpected event %+v", ev)
		}
	}
	// The client goes: its subscription is released.
	s.res.Body.Close()
	checkFor(t, 10*time.Second, func() error {
		if n := ta.hub.Clients(); n != 0 {
			return fmt.Errorf("%d hub clients after the client left, want 0", n)
		}
		return nil
	})
	// The Hub closes (server shutdown): a stream ends.
	s2 := ta.openStream(t)
	wantAlert(t, s2.next(t, false), ta.alert)
	ta.hub.Close()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-s2.events:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("stream did not end when the hub closed")
		}
	}
}

// TestAlertStreamSlowClient connects a client that reads every event and
// one that stops reading: once the server cannot write to the slow one,
// its hub buffer fills and the hub drops it, counted in the metrics, while
// the reading client keeps up and stays.
func TestAlertStreamSlowClient(t *testing.T) {
	ta := newTestAPI(t, nil)
	fast, slow := ta.openStream(t), ta.openStream(t)
	wantAlert(t, fast.next(t, false), ta.alert)
	wantAlert(t, slow.next(t, false), ta.alert)
	var received atomic.Int64
	go func() {
		for range fast.events {
			received.Add(1)
		}
	}()
	big := ta.alert
	big.Callsign = strings.Repeat("X", 8<<10) // 8 KiB events fill the socket buffers sooner
	published := int64(0)
	// Publish in groups of 8 (half the hub buffer), waiting for the fast
	// client each time, until the slow client is dropped (bounded by count).
	for ta.hub.Dropped() == 0 && published < 200_000 {
		for range 8 {
			big.LastSeq++
			ta.hub.Publish(big)
			published++
		}
		checkFor(t, 10*time.Second, func() error {
			if got := received.Load(); got < published && ta.hub.Dropped() == 0 {
				return fmt.Errorf("fast client received %d of %d events", got, published)
			}
			return nil
		})
	}
	if d := ta.hub.Dropped(); d != 1 {
		t.Fatalf("dropped %d clients after %d events, want 1", d, published)
	}
	if n := ta.hub.Clients(); n != 1 {
		t.Fatalf("%d hub clients, want the fast one", n)
	}
	slow.res.Body.Close()
	m := ta.scrape(t)
	if !strings.Contains(m, "\nvigia_sse_dropped_total 1\n") || !strings.Contains(m, "\nvigia_sse_clients 1\n") {
		t.Fatalf("metrics after the drop:\n%s", grep(m, "vigia_sse"))
	}
	t.Logf("slow client dropped after %d events of %d bytes", published, len(big.Callsign))
}

func (ta *testAPI) scrape(t *testing.T) string {
	t.Helper()
	res, err := ta.srv.Client().Get(ta.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s: %v", res.StatusCode, res.Header.Get("Content-Type"), err)
	}
	return string(b)
}

// grep returns the lines of s that contain sub.
func grep(s, sub string) string {
	var out []string
	for l := range strings.Lines(s) {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

func TestHub(t *testing.T) {
	h := api.NewHub(2)
	m := api.NewMetrics()
	h.Instrument(m)
	a, cancelA := h.Subscribe()
	b, cancelB := h.Subscribe()
	defer cancelB()
	if h.Clients() != 2 {
		t.Fatalf("%d clients, want 2", h.Clients())
	}
	al := compliance.Alert{ID: "alr-1"}
	h.Publish(al)
	h.Publish(al)
	<-b
	<-b // b keeps up, a does not
	h.Publish(al)
	if got := len(a); got != 2 {
		t.Fatalf("a holds %d alerts, want 2 before it is closed", got)
	}
	<-a
	<-a
	if _, ok := <-a; ok {
		t.Fatal("a, which fell behind, is not closed")
	}
	if h.Dropped() != 1 || h.Clients() != 1 {
		t.Fatalf("dropped %d, clients %d; want 1, 1", h.Dropped(), h.Clients())
	}
	cancelA() // after the drop: nothing to do, no panic
	cancelA()
	if got := <-b; got.ID != "alr-1" {
		t.Fatalf("b got %+v", got)
	}
	h.Close()
	if _, ok := <-b; ok {
		t.Fatal("b is not closed by Close")
	}
	c, cancelC := h.Subscribe()
	cancelC()
	if _, ok := <-c; ok || h.Clients() != 0 {
		t.Fatal("Subscribe after Close is not closed")
	}
	h.Publish(al) // after Close: nothing, no panic
	if got := testMetric(t, m, "vigia_sse_dropped_total"); got != 1 {
		t.Errorf("vigia_sse_dropped_total %v, want 1", got)
	}
	if got := testMetric(t, m, "vigia_sse_clients"); got != 0 {
		t.Errorf("vigia_sse_clients %v, want 0", got)
	}
}
