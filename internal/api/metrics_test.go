package api_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/testenv"
)

// testMetric gathers m and returns the value of the unlabelled counter or
// gauge name.
func testMetric(t *testing.T, m *api.Metrics, name string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		x := mf.GetMetric()[0]
		if x.GetCounter() != nil {
			return x.GetCounter().GetValue()
		}
		return x.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestMetricsExposition(t *testing.T) {
	ta := newTestAPI(t, nil)
	ta.get(t, "/healthz")
	ta.get(t, "/healthz")
	ta.get(t, "/api/flights/icao:000000@x")
	ta.do(t, "PUT", "/api/alerts", "")
	ta.metrics.FeedBytes.WithLabelValues("beast-1").Add(1234)
	ta.metrics.FeedErrors.WithLabelValues("beast-1", "crc").Inc()
	ta.metrics.Verdicts.WithLabelValues("unauthorised").Add(3)
	ta.metrics.StoreBatchSeconds.Observe(0.002)
	ta.metrics.AccountedSeq.Set(42)
	m := ta.scrape(t)
	for _, want := range []string{
		`vigia_http_requests_total{code="200",route="GET /healthz"} 2`,
		`vigia_http_requests_total{code="404",route="GET /api/flights/{id}"} 1`,
		`vigia_http_requests_total{code="405",route="unmatched"} 1`,
		`vigia_feed_bytes_total{feed="beast-1"} 1234`,
		`vigia_feed_errors_total{feed="beast-1",kind="crc"} 1`,
		`vigia_verdicts_total{verdict="unauthorised"} 3`,
		`vigia_verdicts_total{verdict="domestic"} 0`,
		`vigia_track_positions_total{result="late"} 0`,
		`vigia_store_batch_seconds_count 1`,
		`vigia_accounted_sequence 42`,
		`vigia_alerts_open 0`,
		`vigia_sse_clients 0`,
		`vigia_published_positions_total 0`,
		"# TYPE vigia_store_batch_seconds histogram",
		"# HELP vigia_alerts_opened_total ",
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(m, "\n"+want) {
			t.Errorf("scrape has no %q", want)
		}
	}
	// Every collector in Metrics is registered: each vigia_ family is
	// exposed (labelled families once a series exists).
	ta.metrics.FeedConnections.WithLabelValues("beast-1").Set(1)
	ta.metrics.FeedMessages.WithLabelValues("beast-1").Inc()
	ta.metrics.DecodedPositions.WithLabelValues("beast-1", "adsb").Inc()
	m = ta.scrape(t)
	for _, name := range []string{"feed_connections gauge", "feed_messages_total counter", "decoded_positions_total counter",
		"publish_errors_total counter", "aircraft gauge", "flights_ended_total counter", "crossings_total counter",
		"alerts_opened_total counter", "alert_updates_total counter", "sse_dropped_total counter"} {
		if !strings.Contains(m, "# TYPE vigia_"+name+"\n") {
			t.Errorf("scrape has no family vigia_%s", name)
		}
	}
}

func TestRequestLog(t *testing.T) {
	var logs testenv.Buffer
	ta := newTestAPI(t, func(c *api.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ta.get(t, "/healthz")
	ta.get(t, "/api/alerts?limit=x")
	ta.do(t, "HEAD", "/api/alerts/stream", "")
	var seen int
	for l := range strings.Lines(logs.String()) {
		var rec struct {
			Level, Msg, Component, Method, Path, Route string
			Code                                       int
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if rec.Msg != "request" {
			continue
		}
		seen++
		if rec.Level != "DEBUG" || rec.Component != "api" {
			t.Errorf("request record %s", l)
		}
		switch rec.Path {
		case "/healthz":
			if rec.Route != "GET /healthz" || rec.Code != 200 || rec.Method != "GET" {
				t.Errorf("healthz record %s", l)
			}
		case "/api/alerts":
			if rec.Route != "GET /api/alerts" || rec.Code != 400 {
				t.Errorf("alerts record %s", l)
			}
		case "/api/alerts/stream":
			if rec.Route != "GET /api/alerts/stream" || rec.Code != 200 || rec.Method != "HEAD" {
				t.Errorf("stream record %s", l)
			}
		}
	}
	if seen != 3 {
		t.Fatalf("%d request records, want 3:\n%s", seen, logs.String())
	}
}
