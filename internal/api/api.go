package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
)

// MaxBodyBytes bounds a request body; a larger one is refused with 413.
const MaxBodyBytes = 1 << 20

// DefaultHeartbeat is the interval of the alert stream's comment
// heartbeat when Config.Heartbeat is zero.
const DefaultHeartbeat = 15 * time.Second

// readyTimeout bounds Config.Ready.
const readyTimeout = 2 * time.Second

// Authorisations creates and revokes authorisations for the API: the server
// implements it (stores them and applies them to its running engines).
// Implementations must be safe for concurrent use.
type Authorisations interface {
	// Add: errors wrapping compliance.ErrBadAuthorisation → 400,
	// store.ErrExists → 409; identical re-add is not an error.
	Add(ctx context.Context, a *compliance.Authorisation) error
	// Revoke: store.ErrNotFound (or compliance.ErrUnknownAuthorisation)
	// → 404, store.ErrRevoked → 409.
	Revoke(ctx context.Context, id string, at time.Time) error
}

// Config is what New needs. Store is required; a nil Authz makes the
// authorisation writes answer 503, a nil Hub streams only the stored open
// alerts, a nil Metrics counts nothing and serves /metrics as 404.
type Config struct {
	Store    store.Store   // reads flights, fixes, crossings, alerts, authorisations
	Airspace *airspace.Set // for reports
	Authz    Authorisations
	Hub      *Hub
	Metrics  *Metrics
	Ready    func(ctx context.Context) error // nil error: ready; nil func: always ready
	Logger   *slog.Logger                    // nil: discard
	Now      func() time.Time                // nil: time.Now
	// Heartbeat is the interval of the alert stream's ": ping" comment;
	// zero means DefaultHeartbeat.
	Heartbeat time.Duration
}

// handler serves the API; its fields are read-only after New.
type handler struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// New returns the API's handler (routes in docs/FORMATS.md, "HTTP API").
// It instruments cfg.Hub with cfg.Metrics. The handler is safe for
// concurrent use; cfg must not be changed afterwards.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.Hub != nil && cfg.Metrics != nil {
		cfg.Hub.Instrument(cfg.Metrics)
	}
	h := &handler{cfg: cfg, log: cfg.Logger.With("component", "api"), mux: http.NewServeMux()}
	h.route("GET /healthz", h.healthz)
	h.route("GET /readyz", h.readyz)
	if cfg.Metrics != nil {
		prom := promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{
			ErrorLog: slog.NewLogLogger(h.log.Handler(), slog.LevelError)})
		h.route("GET /metrics", prom.ServeHTTP)
	}
	h.route("GET /api/alerts", h.alerts)
	h.route("GET /api/alerts/stream", h.alertStream)
	h.route("GET /api/alerts/{id}", h.alert)
	h.route("GET /api/flights", h.flights)
	h.route("GET /api/flights/{id}", h.flight)
	h.route("GET /api/flights/{id}/fixes", h.fixes)
	h.route("GET /api/flights/{id}/report", h.report)
	h.route("GET /api/authorisations", h.authorisations)
	h.route("GET /api/authorisations/{id}", h.authorisation)
	h.route("POST /api/authorisations", h.addAuthorisation)
	h.route("POST /api/authorisations/{id}/revoke", h.revokeAuthorisation)
	h.route("DELETE /api/authorisations/{id}", h.revokeAuthorisation)
	h.route("/", h.unmatched)
	return h.mux
}

// route registers fn under pattern, counted and logged.
func (h *handler) route(pattern string, fn http.HandlerFunc) {
	label := pattern
	if pattern == "/" {
		label = "unmatched"
	}
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(rw, r.Body, MaxBodyBytes)
		}
		fn(rw, r)
		code := rw.code
		if code == 0 {
			code = http.StatusOK
		}
		if h.cfg.Metrics != nil {
			h.cfg.Metrics.HTTPRequests.WithLabelValues(label, strconv.Itoa(code)).Inc()
		}
		h.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("route", label), slog.Int("code", code),
			slog.Duration("duration", time.Since(start)))
	})
}

// statusWriter records the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// unmatched answers a path no route has (404) or a method its route does
// not take (405, with Allow).
func (h *handler) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := h.mux.Handler(r2); p != "/" && p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		if allow[0] == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
		slices.Sort(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, fmt.Errorf("%s %s: method not allowed", r.Method, r.URL.Path))
		return
	}
	writeError(w, http.StatusNotFound, fmt.Errorf("%s: no such route", r.URL.Path))
}

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handler) readyz(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := h.cfg.Ready(ctx); err != nil {
			writeError(w, http.StatusServiceUnavailable, fmt.Errorf("not ready: %w", err))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON writes v as JSON with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, fmt.Errorf("encode response: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// writeError writes {"error": err} with status code.
func writeError(w http.ResponseWriter, code int, err error) {
	b, _ := json.Marshal(errorBody{Error: err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// fail writes err with the status its sentinel implies and logs server
// errors.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, compliance.ErrBadAuthorisation), errors.Is(err, store.ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, store.ErrNotFound), errors.Is(err, compliance.ErrUnknownAuthorisation):
		code = http.StatusNotFound
	case errors.Is(err, store.ErrExists), errors.Is(err, store.ErrRevoked):
		code = http.StatusConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = http.StatusServiceUnavailable
	}
	if code >= 500 {
		h.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	writeError(w, code, err)
}

// badParam is a 400 naming a query parameter.
func badParam(w http.ResponseWriter, name, value string, err error) {
	writeError(w, http.StatusBadRequest, fmt.Errorf("query parameter %q: bad value %q: %v", name, value, err))
}

// query reads typed query parameters, keeping the first error.
type query struct {
	w    http.ResponseWriter
	vals map[string][]string
	bad  bool
}

func newQuery(w http.ResponseWriter, r *http.Request) *query {
	return &query{w: w, vals: r.URL.Query()}
}

func (q *query) get(name string) (string, bool) {
	v, ok := q.vals[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return "", false
	}
	return v[0], true
}

func (q *query) fail(name, value string, err error) {
	if !q.bad {
		q.bad = true
		badParam(q.w, name, value, err)
	}
}

func (q *query) boolean(name string) bool {
	s, ok := q.get(name)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(name, s, errors.New("want true or false"))
	}
	return b
}

func (q *query) time(name string) time.Time {
	s, ok := q.get(name)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.fail(name, s, errors.New("want an RFC 3339 time"))
	}
	return t
}

func (q *query) limit() int {
	s, ok := q.get("limit")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		q.fail("limit", s, errors.New("want a non-negative integer"))
	}
	return n
}
