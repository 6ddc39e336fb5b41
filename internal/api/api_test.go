package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/store"
)

func TestHealthAndReady(t *testing.T) {
	notReady := errors.New("bus: no stream yet")
	var ready error
	ta := newTestAPI(t, func(c *api.Config) {
		c.Ready = func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			return ready
		}
	})
	var st struct{ Status string }
	wantJSON(t, "healthz", ta.get(t, "/healthz"), 200, &st)
	if st.Status != "ok" {
		t.Errorf("healthz status %q", st.Status)
	}
	wantJSON(t, "readyz", ta.get(t, "/readyz"), 200, &st)
	if st.Status != "ready" {
		t.Errorf("readyz status %q", st.Status)
	}
	ready = notReady
	wantError(t, "readyz not ready", ta.get(t, "/readyz"), 503, "no stream yet")

	// A Ready that hangs is cut off by the 2 s timeout.
	hung := newTestAPI(t, func(c *api.Config) {
		c.Ready = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	})
	wantError(t, "readyz hung", hung.get(t, "/readyz"), 503, "deadline exceeded")
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	ta := newTestAPI(t, nil)
	wantError(t, "unknown route", ta.get(t, "/api/nothing"), 404, "/api/nothing")
	wantError(t, "unknown sub-route", ta.get(t, "/api/flights/x/y/z"), 404)
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/api/alerts", "GET, HEAD"},
		{"POST", "/api/flights/x", "GET, HEAD"},
		{"DELETE", "/api/authorisations", "GET, HEAD, POST"},
		{"GET", "/api/authorisations/x/revoke", "POST"},
		{"POST", "/api/authorisations/x", "DELETE, GET, HEAD"},
		{"POST", "/healthz", "GET, HEAD"},
	} {
		r := ta.do(t, c.method, c.path, "")
		wantError(t, c.method+" "+c.path, r, 405, "method not allowed")
		if got := r.hdr.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
}

func TestAlerts(t *testing.T) {
	ta := newTestAPI(t, nil)
	var list []struct {
		ID       string `json:"id"`
		FlightID string `json:"flight_id"`
		Airspace string `json:"airspace"`
		Open     bool   `json:"open"`
		LastSeq  int    `json:"last_seq"`
	}
	wantJSON(t, "alerts", ta.get(t, "/api/alerts"), 200, &list)
	if len(list) != 1 || list[0].ID != ta.alert.ID || list[0].FlightID != ta.flightID || list[0].Airspace != "MEX" || !list[0].Open {
		t.Fatalf("alerts: %+v", list)
	}
	wantJSON(t, "open alerts", ta.get(t, "/api/alerts?open=true&limit=5"), 200, &list)
	if len(list) != 1 {
		t.Fatalf("open alerts: %+v", list)
	}
	// Since after the alert's last fix: none, as an empty array.
	r := ta.get(t, "/api/alerts?since=2026-03-02T17:00:00Z")
	wantJSON(t, "alerts since", r, 200, &list)
	if len(list) != 0 || strings.TrimSpace(r.body) != "[]" {
		t.Fatalf("alerts since later: %s", r.body)
	}
	for _, c := range []struct{ query, param string }{
		{"open=maybe", `"open"`},
		{"since=yesterday", `"since"`},
		{"limit=-1", `"limit"`},
		{"limit=ten", `"limit"`},
	} {
		wantError(t, c.query, ta.get(t, "/api/alerts?"+c.query), 400, "query parameter "+c.param)
	}

	var one struct {
		ID      string `json:"id"`
		LastSeq int    `json:"last_seq"`
	}
	wantJSON(t, "one alert", ta.get(t, "/api/alerts/"+ta.alert.ID), 200, &one)
	if one.ID != ta.alert.ID || one.LastSeq != ta.alert.LastSeq {
		t.Fatalf("alert: %+v, want %s", one, ta.alert.ID)
	}
	wantError(t, "unknown alert", ta.get(t, "/api/alerts/alr-0000"), 404, "alr-0000", "not found")
}

// flightPaths are the ways a client may write a flight ID in a path: raw
// (':' and '@' are allowed in a path segment) and escaped.
func flightPaths(id string) map[string]string {
	return map[string]string{"raw": id, "escaped": strings.NewReplacer(":", "%3A", "@", "%40").Replace(id),
		"escaped-lower": strings.NewReplacer(":", "%3a", "@", "%40").Replace(id), "path-escaped": url.PathEscape(id)}
}

func TestFlights(t *testing.T) {
	ta := newTestAPI(t, nil)
	type flight struct {
		ID          string    `json:"id"`
		Aircraft    string    `json:"aircraft"`
		Callsign    string    `json:"callsign"`
		Source      string    `json:"source"`
		Start       time.Time `json:"start"`
		End         time.Time `json:"end"`
		Fixes       int       `json:"fixes"`
		Crossings   int       `json:"crossings"`
		Implausible *int      `json:"implausible"`
		Stay        struct {
			Airspace string    `json:"airspace"`
			Start    time.Time `json:"start"`
			Fixes    int       `json:"fixes"`
			MaxDepth float64   `json:"max_depth_m"`
		} `json:"stay"`
	}
	var list []flight
	wantJSON(t, "flights", ta.get(t, "/api/flights"), 200, &list)
	t0 := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	if len(list) != 1 {
		t.Fatalf("flights: %+v", list)
	}
	f := list[0]
	if f.ID != ta.flightID || f.Aircraft != "icao:AE1F10" || f.Callsign != "BRDR01" || f.Source != "adsb" ||
		!f.Start.Equal(t0) || !f.End.Equal(t0.Add(110*time.Second)) || f.Fixes != 12 || f.Crossings != 1 ||
		f.Implausible == nil || *f.Implausible != 0 || f.Stay.Airspace != "MEX" || f.Stay.Fixes == 0 || f.Stay.MaxDepth <= 0 {
		t.Fatalf("flight: %+v", f)
	}
	for _, c := range []struct {
		query string
		n     int
	}{
		{"aircraft=icao:AE1F10", 1},
		{"aircraft=icao:000001", 0},
		{"from=2026-03-02T16:01:00Z", 1},
		{"from=2026-03-02T16:02:00Z", 0},
		{"to=2026-03-02T16:00:00Z", 0},
		{"to=2026-03-02T16:00:00.001Z&limit=1", 1},
		{"limit=0", 1},
	} {
		wantJSON(t, c.query, ta.get(t, "/api/flights?"+c.query), 200, &list)
		if len(list) != c.n {
			t.Errorf("flights?%s: %d flights, want %d", c.query, len(list), c.n)
		}
	}
	wantError(t, "bad from", ta.get(t, "/api/flights?from=16:00"), 400, `"from"`)
	wantError(t, "bad to", ta.get(t, "/api/flights?to=x"), 400, `"to"`)
	wantError(t, "bad limit", ta.get(t, "/api/flights?limit=1.5"), 400, `"limit"`)

	for how, p := range flightPaths(ta.flightID) {
		var one flight
		wantJSON(t, how, ta.get(t, "/api/flights/"+p), 200, &one)
		if one.ID != ta.flightID || one.Fixes != 12 {
			t.Errorf("%s flight: %+v", how, one)
		}
	}
	unknown := "icao:000000@2026-01-01T00:00:00.000Z"
	r := ta.get(t, "/api/flights/"+unknown)
	wantError(t, "unknown flight", r, 404)
	if want := fmt.Sprintf(`{"error":"flight %s: not found"}`, unknown); strings.TrimSpace(r.body) != want {
		t.Errorf("unknown flight body %s, want %s", r.body, want)
	}
}

func TestFixes(t *testing.T) {
	ta := newTestAPI(t, nil)
	type fix struct {
		Seq           int       `json:"seq"`
		Time          time.Time `json:"time"`
		Lat, Lon      float64
		Alt           *float64 `json:"alt_m"`
		AltRef        string   `json:"alt_ref"`
		Airspace      string   `json:"airspace"`
		Depth         float64  `json:"depth_m"`
		Verdict       string   `json:"verdict"`
		Authorisation string   `json:"authorisation"`
	}
	for how, p := range flightPaths(ta.flightID) {
		var fixes []fix
		wantJSON(t, how+" fixes", ta.get(t, "/api/flights/"+p+"/fixes"), 200, &fixes)
		if len(fixes) != 12 {
			t.Fatalf("%s: %d fixes, want 12", how, len(fixes))
		}
		// The flight starts in the USA (domestic) and crosses once into
		// Mexico, where it has no authorisation (unauthorised).
		crossed := false
		for i, f := range fixes {
			crossed = crossed || f.Airspace == "MEX"
			want, wantAS := "domestic", "USA"
			if crossed {
				want, wantAS = "unauthorised", "MEX"
			}
			if f.Seq != i || f.Alt == nil || *f.Alt != 3000 || f.AltRef == "" || f.Depth <= 0 || f.Authorisation != "" ||
				f.Verdict != want || f.Airspace != wantAS || f.Lon > -116.96 || f.Lon < -116.98 || f.Lat > 32.61 || f.Lat < 32.49 {
				t.Errorf("%s fix %d: %+v", how, i, f)
			}
		}
		if fixes[0].Airspace != "USA" || !crossed {
			t.Errorf("%s: fixes do not cross from the USA into Mexico", how)
		}
	}
	var mapFixes []fix
	wantJSON(t, "map fixes", ta.get(t, "/api/flights/"+ta.flightID+"/fixes?map=true"), 200, &mapFixes)
	// 10 s apart: every fix starts a new 10 s slot, so all are map fixes.
	if len(mapFixes) != 12 || mapFixes[0].Seq != 0 {
		t.Fatalf("map fixes: %+v", mapFixes)
	}
	wantError(t, "bad map", ta.get(t, "/api/flights/"+ta.flightID+"/fixes?map=yes"), 400, `"map"`)
	wantError(t, "unknown flight fixes", ta.get(t, "/api/flights/icao:000000@x/fixes"), 404, "flight icao:000000@x: not found")
}

func TestReport(t *testing.T) {
	ta := newTestAPI(t, nil)
	for how, p := range flightPaths(ta.flightID) {
		var rep struct {
			FlightID  string `json:"flight_id"`
			Fixes     int    `json:"fixes"`
			Crossings []struct {
				From, To string
			} `json:"crossings"`
			Alerts []struct {
				ID string `json:"id"`
			} `json:"alerts"`
			Share *float64 `json:"authorised_share"`
		}
		wantJSON(t, how+" report", ta.get(t, "/api/flights/"+p+"/report"), 200, &rep)
		if rep.FlightID != ta.flightID || rep.Fixes != 12 || len(rep.Crossings) != 1 || rep.Crossings[0].From != "USA" ||
			rep.Crossings[0].To != "MEX" || len(rep.Alerts) != 1 || rep.Alerts[0].ID != ta.alert.ID || rep.Share == nil || *rep.Share != 0 {
			t.Errorf("%s report: %+v", how, rep)
		}
	}
	base := "/api/flights/" + url.PathEscape(ta.flightID) + "/report"
	if r := ta.get(t, base+"?format=json"); r.code != 200 || !strings.Contains(r.body, `"flight_id"`) {
		t.Errorf("format=json: %d %s", r.code, r.body)
	}
	r := ta.get(t, base+"?format=geojson")
	if r.code != 200 || r.ctype != "application/geo+json" || !strings.Contains(r.body, `"FeatureCollection"`) {
		t.Errorf("geojson: %d %s\n%.300s", r.code, r.ctype, r.body)
	}
	r = ta.get(t, base+"?format=html")
	if r.code != 200 || r.ctype != "text/html; charset=utf-8" || !strings.HasPrefix(r.body, "<!DOCTYPE html>") ||
		!strings.Contains(r.body, "data:image/png;base64,") {
		t.Errorf("html: %d %s\n%.300s", r.code, r.ctype, r.body)
	}
	wantError(t, "bad format", ta.get(t, base+"?format=pdf"), 400, `"format"`, "pdf")
	wantError(t, "unknown flight report", ta.get(t, "/api/flights/icao:000000@2026-01-01T00:00:00.000Z/report?format=html"), 404,
		"flight icao:000000@2026-01-01T00:00:00.000Z: not found")
}

func TestFlightReportUnknown(t *testing.T) {
	ta := newTestAPI(t, nil)
	_, err := api.FlightReport(context.Background(), ta.st, nil, "icao:000000@x")
	if !errors.Is(err, store.ErrNotFound) || err.Error() != "flight icao:000000@x: not found" {
		t.Fatalf("FlightReport of an unknown flight: %v", err)
	}
	rep, err := api.FlightReport(context.Background(), ta.st, nil, ta.flightID)
	if err != nil || rep.FlightID != ta.flightID || len(rep.Alerts) != 1 {
		t.Fatalf("FlightReport: %+v, %v", rep, err)
	}
}
