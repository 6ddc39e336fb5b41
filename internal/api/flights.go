package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

// FlightJSON is the JSON view of a track.Flight (docs/FORMATS.md, "HTTP
// API"): times in RFC 3339 UTC, depths in metres.
type FlightJSON struct {
	ID          string    `json:"id"`
	Aircraft    string    `json:"aircraft"` // position ID
	Callsign    string    `json:"callsign"` // latest non-empty callsign, may be ""
	Source      string    `json:"source"`   // position source name
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Fixes       int       `json:"fixes"`
	Crossings   int       `json:"crossings"`
	Implausible int       `json:"implausible"`
	Stay        StayJSON  `json:"stay"`
}

// StayJSON is the JSON view of a flight's current track.Stay.
type StayJSON struct {
	Airspace string    `json:"airspace"` // "" for international airspace
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Fixes    int       `json:"fixes"`
	MaxDepth float64   `json:"max_depth_m"`
}

// NewFlightJSON returns the JSON view of f.
func NewFlightJSON(f *track.Flight) FlightJSON {
	return FlightJSON{ID: f.ID, Aircraft: f.Aircraft, Callsign: f.Callsign, Source: f.Source.String(),
		Start: f.Start.UTC(), End: f.End.UTC(), Fixes: f.Fixes, Crossings: f.Crossings, Implausible: f.Implausible,
		Stay: StayJSON{Airspace: f.Stay.Country, Start: f.Stay.Start.UTC(), End: f.Stay.End.UTC(), Fixes: f.Stay.Fixes,
			MaxDepth: float64(f.Stay.MaxDepth)}}
}

// FixJSON is the JSON view of a compliance.AssessedFix, for maps.
type FixJSON struct {
	Seq           int       `json:"seq"`
	Time          time.Time `json:"time"`
	Lat           float64   `json:"lat"` // degrees
	Lon           float64   `json:"lon"` // degrees
	Alt           *float64  `json:"alt_m,omitempty"`
	AltRef        string    `json:"alt_ref,omitempty"` // what alt_m is measured from
	Airspace      string    `json:"airspace"`          // "" outside every airspace
	Depth         float64   `json:"depth_m"`
	Verdict       string    `json:"verdict"`
	Authorisation string    `json:"authorisation,omitempty"` // covering authorisation of an authorised fix
}

// NewFixJSON returns the JSON view of f.
func NewFixJSON(f *compliance.AssessedFix) FixJSON {
	p := &f.Fix.Position
	j := FixJSON{Seq: f.Fix.Seq, Time: p.Time.UTC(), Lat: float64(p.Lat), Lon: float64(p.Lon), Airspace: f.Fix.Country,
		Depth: float64(f.Fix.Depth), Verdict: f.Verdict.String(), Authorisation: f.AuthorisationID}
	if p.Has&position.HasAltitude != 0 {
		alt := float64(p.Altitude)
		j.Alt, j.AltRef = &alt, p.AltitudeRef.String()
	}
	return j
}

// FlightReport builds the report of flight id from the store
// (compliance.BuildReport over its flight, fixes, crossings and alerts);
// an unknown id is an error wrapping store.ErrNotFound ("flight ID: not
// found").
func FlightReport(ctx context.Context, st store.Store, set *airspace.Set, id string) (compliance.Report, error) {
	fl, err := flight(ctx, st, id)
	if err != nil {
		return compliance.Report{}, err
	}
	fixes, err := st.Fixes(ctx, id)
	if err != nil {
		return compliance.Report{}, fmt.Errorf("flight %s: fixes: %w", id, err)
	}
	crossings, err := st.Crossings(ctx, id)
	if err != nil {
		return compliance.Report{}, fmt.Errorf("flight %s: crossings: %w", id, err)
	}
	all, err := st.Alerts(ctx, store.AlertFilter{Since: fl.Start})
	if err != nil {
		return compliance.Report{}, fmt.Errorf("flight %s: alerts: %w", id, err)
	}
	var alerts []compliance.Alert
	for _, a := range all {
		if a.FlightID == id {
			alerts = append(alerts, a)
		}
	}
	return compliance.BuildReport(fl, fixes, crossings, alerts, set), nil
}

// flight reads one flight; an unknown one is "flight ID: not found".
func flight(ctx context.Context, st store.Store, id string) (track.Flight, error) {
	fl, err := st.Flight(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fl, fmt.Errorf("flight %s: %w", id, store.ErrNotFound)
	}
	return fl, err
}

// flights serves GET /api/flights?aircraft=&from=&to=&limit=.
func (h *handler) flights(w http.ResponseWriter, r *http.Request) {
	q := newQuery(w, r)
	aircraft, _ := q.get("aircraft")
	f := store.FlightFilter{Aircraft: aircraft, From: q.time("from"), To: q.time("to"), Limit: q.limit()}
	if q.bad {
		return
	}
	fls, err := h.cfg.Store.Flights(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]FlightJSON, len(fls))
	for i := range fls {
		out[i] = NewFlightJSON(&fls[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// flight serves GET /api/flights/{id}.
func (h *handler) flight(w http.ResponseWriter, r *http.Request) {
	fl, err := flight(r.Context(), h.cfg.Store, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewFlightJSON(&fl))
}

// fixes serves GET /api/flights/{id}/fixes?map=true.
func (h *handler) fixes(w http.ResponseWriter, r *http.Request) {
	q := newQuery(w, r)
	mapOnly := q.boolean("map")
	if q.bad {
		return
	}
	id := r.PathValue("id")
	ctx := r.Context()
	if _, err := flight(ctx, h.cfg.Store, id); err != nil {
		h.fail(w, r, err)
		return
	}
	read := h.cfg.Store.Fixes
	if mapOnly {
		read = h.cfg.Store.MapFixes
	}
	fs, err := read(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]FixJSON, len(fs))
	for i := range fs {
		out[i] = NewFixJSON(&fs[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// report serves GET /api/flights/{id}/report?format=json|geojson|html.
func (h *handler) report(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	var ctype string
	switch format {
	case "", "json":
		format, ctype = "json", "application/json"
	case "geojson":
		ctype = "application/geo+json"
	case "html":
		ctype = "text/html; charset=utf-8"
	default:
		badParam(w, "format", format, errors.New("want json, geojson or html"))
		return
	}
	rep, err := FlightReport(r.Context(), h.cfg.Store, h.cfg.Airspace, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Rendered in memory first, so that a failure is still a JSON error.
	var out bytes.Buffer
	switch format {
	case "json":
		err = compliance.WriteJSON(&out, &rep)
	case "geojson":
		err = compliance.WriteGeoJSON(&out, &rep)
	case "html":
		err = compliance.WriteHTML(&out, &rep, h.cfg.Airspace)
	}
	if err != nil {
		h.fail(w, r, fmt.Errorf("flight %s: %s report: %w", rep.FlightID, format, err))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(out.Len()))
	_, _ = w.Write(out.Bytes())
}
