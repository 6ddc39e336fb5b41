package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/sqlite"
	"github.com/vigia/vigia/internal/track"
)

// storeAuthz is the Authorisations of the tests: it checks an
// authorisation and writes it to the (real) store, as the server does
// before applying it to its engines.
type storeAuthz struct{ st store.Store }

func (s storeAuthz) Add(ctx context.Context, a *compliance.Authorisation) error {
	if err := a.Prepare(); err != nil {
		return err
	}
	return s.st.AddAuthorisation(ctx, a)
}

func (s storeAuthz) Revoke(ctx context.Context, id string, at time.Time) error {
	return s.st.RevokeAuthorisation(ctx, id, at)
}

// testAPI is an API served by httptest over a SQLite store holding one
// flight: icao:AE1F10 from 32.60°N, -116.97° due south at 1 km per 10 s,
// 12 fixes across the USA–Mexico border near Otay Mesa (about 32.54°N),
// with no authorisation: one crossing USA → MEX and one open alert.
type testAPI struct {
	srv      *httptest.Server
	st       store.Store
	hub      *api.Hub
	metrics  *api.Metrics
	flightID string
	alert    compliance.Alert
	fixes    int
}

// now is the Config.Now of the tests.
var now = time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)

func newTestAPI(t testing.TB, mod func(*api.Config)) *testAPI {
	t.Helper()
	ctx := context.Background()
	as, err := airspace.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	tr := track.New(as, track.Options{Gap: 10 * time.Minute})
	eng := compliance.NewEngine(as, nil, compliance.Options{})
	t0 := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	var batch store.Batch
	// The tracker owns an Update's slices until its next call: keep copies.
	keep := func(u track.Update) {
		for _, ap := range u.Applied {
			ap.Crossings = slices.Clone(ap.Crossings)
			batch.Applied = append(batch.Applied, store.Applied{Applied: ap, Assessment: eng.Assess(ap.Fix)})
		}
	}
	for i := range 12 {
		lat, lon, _ := geo.WGS84.Direct(32.60, -116.97, 180, geo.Meters(1000*i))
		p := position.Position{ID: "icao:AE1F10", Source: position.ADSB, Time: t0.Add(time.Duration(i) * 10 * time.Second),
			Lat: lat, Lon: lon, Has: position.HasAltitude, Altitude: 3000, Callsign: "BRDR01"}
		keep(tr.Add(p))
	}
	keep(tr.Expire(t0.Add(time.Hour)))
	if err := st.SaveApplied(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Applied) != 12 {
		t.Fatalf("%d fixes released, want 12", len(batch.Applied))
	}
	ta := &testAPI{st: st, hub: api.NewHub(16), metrics: api.NewMetrics(), flightID: batch.Applied[0].Fix.FlightID, fixes: 12}
	alerts, err := st.Alerts(ctx, store.AlertFilter{})
	if err != nil || len(alerts) != 1 || !alerts[0].Open {
		t.Fatalf("stored alerts %+v: %v", alerts, err)
	}
	ta.alert = alerts[0]

	cfg := api.Config{Store: st, Airspace: as, Authz: storeAuthz{st}, Hub: ta.hub, Metrics: ta.metrics,
		Now: func() time.Time { return now }, Heartbeat: time.Hour}
	if mod != nil {
		mod(&cfg)
	}
	ta.srv = httptest.NewServer(api.New(cfg))
	t.Cleanup(ta.srv.Close)
	t.Cleanup(ta.hub.Close) // runs first: ends alert streams
	return ta
}

// response is what do returns.
type response struct {
	code  int
	ctype string
	hdr   http.Header
	body  string
}

// do sends one request (a body when body is not "") and reads the answer.
func (ta *testAPI) do(t testing.TB, method, path, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ta.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{code: res.StatusCode, ctype: res.Header.Get("Content-Type"), hdr: res.Header, body: string(b)}
}

func (ta *testAPI) get(t testing.TB, path string) response {
	t.Helper()
	return ta.do(t, "GET", path, "")
}

// wantJSON checks a response's status and JSON content type and decodes
// its body into v (when not nil).
func wantJSON(t testing.TB, what string, r response, code int, v any) {
	t.Helper()
	if r.code != code || r.ctype != "application/json" {
		t.Fatalf("%s: %d %s, want %d application/json\n%s", what, r.code, r.ctype, code, r.body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(r.body), v); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, r.body)
		}
	}
}

// wantError checks an error response: status, JSON content type and an
// error message containing each of parts.
func wantError(t testing.TB, what string, r response, code int, parts ...string) {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	wantJSON(t, what, r, code, &e)
	if e.Error == "" {
		t.Fatalf("%s: no error message: %s", what, r.body)
	}
	for _, p := range parts {
		if !strings.Contains(e.Error, p) {
			t.Errorf("%s: error %q does not mention %q", what, e.Error, p)
		}
	}
}

// checkFor polls f until it returns nil or the time is up.
func checkFor(t testing.TB, total time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(total)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
