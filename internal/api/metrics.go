package api

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are vigia's Prometheus collectors, registered on their own
// registry together with the Go runtime and process collectors. Every name
// starts with "vigia_"; names, labels and meanings are listed in
// docs/FORMATS.md ("Metrics"). The fields are set by NewMetrics and must not
// be replaced; the collectors are safe for concurrent use.
type Metrics struct {
	// Registry holds every collector below, the Go collector and the
	// process collector; /metrics serves it.
	Registry *prometheus.Registry

	// FeedConnections is the number of open connections per feed
	// (vigia_feed_connections{feed}).
	FeedConnections *prometheus.GaugeVec
	// FeedBytes counts bytes read per feed (vigia_feed_bytes_total{feed}).
	FeedBytes *prometheus.CounterVec
	// FeedMessages counts frames or KLV packets read per feed
	// (vigia_feed_messages_total{feed}).
	FeedMessages *prometheus.CounterVec
	// FeedErrors counts input errors per feed and kind: "junk", "crc",
	// "checksum", "truncated", ... (vigia_feed_errors_total{feed,kind}).
	FeedErrors *prometheus.CounterVec
	// DecodedPositions counts positions decoded per feed and position
	// source (vigia_decoded_positions_total{feed,source}).
	DecodedPositions *prometheus.CounterVec
	// Published counts positions stored in the event log
	// (vigia_published_positions_total).
	Published prometheus.Counter
	// PublishErrors counts positions the event log refused
	// (vigia_publish_errors_total).
	PublishErrors prometheus.Counter
	// TrackPositions counts positions given to the trackers by result:
	// "applied", "duplicate", "late", "implausible"
	// (vigia_track_positions_total{result}).
	TrackPositions *prometheus.CounterVec
	// Aircraft is the number of aircraft held by the trackers
	// (vigia_aircraft).
	Aircraft prometheus.Gauge
	// FlightsEnded counts flights ended by a gap (vigia_flights_ended_total).
	FlightsEnded prometheus.Counter
	// ReportsStored counts the reports of ended flights stored
	// (vigia_reports_stored_total).
	ReportsStored prometheus.Counter
	// Crossings counts airspace crossings (vigia_crossings_total).
	Crossings prometheus.Counter
	// Verdicts counts assessed fixes by verdict: "domestic",
	// "international", "authorised", "unauthorised"
	// (vigia_verdicts_total{verdict}).
	Verdicts *prometheus.CounterVec
	// AlertsOpened counts alerts opened (vigia_alerts_opened_total).
	AlertsOpened prometheus.Counter
	// AlertUpdates counts updates of open alerts by a further
	// unauthorised fix (vigia_alert_updates_total).
	AlertUpdates prometheus.Counter
	// AlertsOpen is the number of open alerts (vigia_alerts_open).
	AlertsOpen prometheus.Gauge
	// StoreBatchSeconds is the duration of store.Store.SaveApplied in
	// seconds (vigia_store_batch_seconds).
	StoreBatchSeconds prometheus.Histogram
	// AccountedSeq is the last event-log sequence accounted and stored
	// (vigia_accounted_sequence).
	AccountedSeq prometheus.Gauge
	// SSEClients is the number of connected alert-stream clients
	// (vigia_sse_clients); kept by the Hub once instrumented.
	SSEClients prometheus.Gauge
	// SSEDropped counts alert-stream clients disconnected for falling
	// behind (vigia_sse_dropped_total); kept by the Hub.
	SSEDropped prometheus.Counter
	// HTTPRequests counts HTTP requests by route (the mux pattern, or
	// "unmatched") and status code (vigia_http_requests_total{route,code}).
	HTTPRequests *prometheus.CounterVec
}

// Label values set to zero by NewMetrics, so that a scrape shows every
// series from the start.
var (
	trackResults  = []string{"applied", "duplicate", "late", "implausible"}
	verdictLabels = []string{"domestic", "international", "authorised", "unauthorised"}
)

// NewMetrics returns vigia's collectors registered on a new registry with
// the Go and process collectors.
func NewMetrics() *Metrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	}
	counterVec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		FeedConnections: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vigia_feed_connections",
			Help: "Open connections per feed."}, []string{"feed"}),
		FeedBytes:        counterVec("vigia_feed_bytes_total", "Bytes read per feed.", "feed"),
		FeedMessages:     counterVec("vigia_feed_messages_total", "Frames or KLV packets read per feed.", "feed"),
		FeedErrors:       counterVec("vigia_feed_errors_total", "Input errors per feed and kind (junk, crc, checksum, truncated, ...).", "feed", "kind"),
		DecodedPositions: counterVec("vigia_decoded_positions_total", "Positions decoded per feed and position source.", "feed", "source"),
		Published:        counter("vigia_published_positions_total", "Positions stored in the event log."),
		PublishErrors:    counter("vigia_publish_errors_total", "Positions the event log refused."),
		TrackPositions:   counterVec("vigia_track_positions_total", "Positions given to the trackers, by result (applied, duplicate, late, implausible).", "result"),
		Aircraft:         gauge("vigia_aircraft", "Aircraft held by the trackers."),
		FlightsEnded:     counter("vigia_flights_ended_total", "Flights ended."),
		ReportsStored:    counter("vigia_reports_stored_total", "Reports of ended flights stored (JSON, GeoJSON and HTML each)."),
		Crossings:        counter("vigia_crossings_total", "Airspace crossings."),
		Verdicts:         counterVec("vigia_verdicts_total", "Assessed fixes by verdict.", "verdict"),
		AlertsOpened:     counter("vigia_alerts_opened_total", "Alerts opened."),
		AlertUpdates:     counter("vigia_alert_updates_total", "Updates of open alerts by a further unauthorised fix."),
		AlertsOpen:       gauge("vigia_alerts_open", "Open alerts."),
		StoreBatchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "vigia_store_batch_seconds",
			Help: "Duration of one store batch (SaveApplied), seconds.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		AccountedSeq: gauge("vigia_accounted_sequence", "Last event-log sequence accounted and stored."),
		SSEClients:   gauge("vigia_sse_clients", "Connected alert-stream clients."),
		SSEDropped:   counter("vigia_sse_dropped_total", "Alert-stream clients disconnected for falling behind."),
		HTTPRequests: counterVec("vigia_http_requests_total", "HTTP requests by route (mux pattern) and status code.", "route", "code"),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.FeedConnections, m.FeedBytes, m.FeedMessages, m.FeedErrors, m.DecodedPositions,
		m.Published, m.PublishErrors, m.TrackPositions, m.Aircraft, m.FlightsEnded, m.ReportsStored, m.Crossings,
		m.Verdicts, m.AlertsOpened, m.AlertUpdates, m.AlertsOpen, m.StoreBatchSeconds, m.AccountedSeq,
		m.SSEClients, m.SSEDropped, m.HTTPRequests,
	)
	for _, r := range trackResults {
		m.TrackPositions.WithLabelValues(r)
	}
	for _, v := range verdictLabels {
		m.Verdicts.WithLabelValues(v)
	}
	return m
}
