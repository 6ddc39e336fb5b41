package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/store"
)

// alerts serves GET /api/alerts?open=&since=&limit=.
func (h *handler) alerts(w http.ResponseWriter, r *http.Request) {
	q := newQuery(w, r)
	f := store.AlertFilter{OpenOnly: q.boolean("open"), Since: q.time("since"), Limit: q.limit()}
	if q.bad {
		return
	}
	as, err := h.cfg.Store.Alerts(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if as == nil {
		as = []compliance.Alert{}
	}
	writeJSON(w, http.StatusOK, as)
}

// alert serves GET /api/alerts/{id}.
func (h *handler) alert(w http.ResponseWriter, r *http.Request) {
	a, err := h.cfg.Store.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// EventID is the SSE event id of an alert state: its ID, "/", and its
// LastSeq, so that each update of an alert is a distinct event.
func EventID(a *compliance.Alert) string { return a.ID + "/" + strconv.Itoa(a.LastSeq) }

// writeEvent writes one alert as an SSE event into buf.
func writeEvent(buf *bytes.Buffer, a *compliance.Alert) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("alert %s: %w", a.ID, err)
	}
	buf.WriteString("id: ")
	buf.WriteString(EventID(a))
	buf.WriteString("\nevent: alert\ndata: ")
	buf.Write(data) // JSON from encoding/json has no raw newline
	buf.WriteString("\n\n")
	return nil
}

// alertStream serves GET /api/alerts/stream: every open alert from the
// store, then every alert the Hub publishes, until the client goes, the
// request's context ends, the Hub drops the client or the Hub closes.
func (h *handler) alertStream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	var events <-chan compliance.Alert
	if h.cfg.Hub != nil {
		var cancel func()
		// Subscribe before reading the store: an alert published in
		// between is then sent twice, never lost.
		events, cancel = h.cfg.Hub.Subscribe()
		defer cancel()
	}
	open, err := h.cfg.Store.Alerts(ctx, store.AlertFilter{OpenOnly: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}

	var buf bytes.Buffer
	buf.WriteString("retry: 2000\n\n")
	// Oldest first, as they would have been published.
	for i := len(open) - 1; i >= 0; i-- {
		if err := writeEvent(&buf, &open[i]); err != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "alert stream", slog.Any("err", err))
		}
	}
	send := func() bool {
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			h.log.LogAttrs(ctx, slog.LevelDebug, "alert stream ended", slog.Any("err", err))
			return false
		}
		return true
	}
	if !send() {
		return
	}
	tick := time.NewTicker(h.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			buf.WriteString(": ping\n\n")
		case a, ok := <-events:
			if !ok {
				h.log.LogAttrs(ctx, slog.LevelDebug, "alert stream disconnected by the hub")
				return
			}
			if err := writeEvent(&buf, &a); err != nil {
				h.log.LogAttrs(ctx, slog.LevelError, "alert stream", slog.Any("err", err))
				continue
			}
		}
		if !send() {
			return
		}
	}
}
