package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/sqlite"
	"github.com/vigia/vigia/internal/track"
)

const sonoraGrant = `{"id":"AUT-MEX-SON-01","aircraft":["icao:AE1F01"],"operator":"USA","airspace":"MEX",
 "areas":[{"type":"Polygon","coordinates":[[[-111,29],[-109,29],[-109,30.5],[-111,30.5],[-111,29]]]}],
 "windows":[{"start":"2026-03-02T15:00:00Z","end":"2026-03-02T23:00:00Z"}],
 "altitude":{"min_m":3000,"max_m":9000}}`

func TestAuthzAddListRevoke(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := vigia(t, sonoraGrant, "authz", "add", "--data", dir, "-")
	if code != 0 || !strings.Contains(out, "AUT-MEX-SON-01") {
		t.Fatalf("add: exit %d\n%s%s", code, out, errs)
	}
	// The same content again changes nothing; a broken one is refused
	// naming the field, and nothing of it is stored.
	if _, errs, code := vigia(t, sonoraGrant, "authz", "add", "--data", dir, "-"); code != 0 {
		t.Fatalf("re-add: exit %d: %s", code, errs)
	}
	bad := strings.Replace(sonoraGrant, `"max_m":9000`, `"max_m":1000`, 1)
	bad = strings.Replace(bad, "AUT-MEX-SON-01", "AUT-BAD", 1)
	if _, errs, code := vigia(t, bad, "authz", "add", "--data", dir, "-"); code != 1 || !strings.Contains(errs, "altitude.max_m") {
		t.Fatalf("bad add: exit %d: %s", code, errs)
	}
	out, errs, code = vigia(t, "", "authz", "list", "--data", dir)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"id":"AUT-MEX-SON-01"`) {
		t.Fatalf("list: exit %d\n%s%s", code, out, errs)
	}
	a, err := compliance.ParseAuthorisation(strings.NewReader(out), "list")
	if err != nil || a.Airspace != "MEX" || a.Altitude.Max != 9000 {
		t.Fatalf("listed authorisation %+v: %v", a, err)
	}
	if out, errs, code := vigia(t, "", "authz", "revoke", "--data", dir, "--at", "2026-03-02T18:00:00Z", "AUT-MEX-SON-01"); code != 0 {
		t.Fatalf("revoke: exit %d\n%s%s", code, out, errs)
	}
	if _, errs, code := vigia(t, "", "authz", "revoke", "--data", dir, "AUT-MEX-SON-01"); code != 1 || !strings.Contains(errs, "already revoked") {
		t.Fatalf("second revoke: exit %d: %s", code, errs)
	}
	if _, errs, code := vigia(t, "", "authz", "revoke", "--data", dir, "AUT-NONE"); code != 1 || !strings.Contains(errs, `"AUT-NONE": not found`) {
		t.Fatalf("unknown revoke: exit %d: %s", code, errs)
	}
	if out, _, _ := vigia(t, "", "authz", "list", "--data", dir); out != "" {
		t.Fatalf("list shows a revoked authorisation:\n%s", out)
	}
	if out, _, _ := vigia(t, "", "authz", "list", "--data", dir, "--all"); !strings.Contains(out, `"revoked":"2026-03-02T18:00:00Z"`) {
		t.Fatalf("list --all:\n%s", out)
	}
}

// TestReportFlight stores a flight that leaves the USA for Mexico with no
// authorisation, through the tracker and the compliance engine, and asks
// the command for its report.
func TestReportFlight(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	as, err := airspace.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tr := track.New(as, track.Options{Gap: 10 * time.Minute})
	eng := compliance.NewEngine(as, nil, compliance.Options{})
	st, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// From 32.60°N, -116.97° due south, 1 km per 10 s: 12 fixes across the
	// border near Otay Mesa (at about 32.54°N); the report must show one
	// crossing USA → MEX, one alert and no authorised time.
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
			Lat: lat, Lon: lon, Has: position.HasAltitude, Altitude: 3000}
		keep(tr.Add(p))
	}
	keep(tr.Expire(t0.Add(time.Hour)))
	if err := st.SaveApplied(ctx, batch); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if len(batch.Applied) != 12 {
		t.Fatalf("%d fixes released, want 12", len(batch.Applied))
	}
	id := batch.Applied[0].Fix.FlightID

	out, errs, code := vigia(t, "", "report", "flight", "--data", dir, id)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var r struct {
		Fixes     int `json:"fixes"`
		Crossings []struct {
			From, To string
		} `json:"crossings"`
		Alerts []struct {
			Airspace string `json:"airspace"`
		} `json:"alerts"`
		Share *float64 `json:"authorised_share"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Fixes != 12 || len(r.Crossings) != 1 || r.Crossings[0].From != "USA" || r.Crossings[0].To != "MEX" ||
		len(r.Alerts) != 1 || r.Share == nil || *r.Share != 0 {
		t.Fatalf("report:\n%s", out)
	}
	if out, _, code := vigia(t, "", "report", "flight", "--data", dir, "--format", "html", id); code != 0 || !strings.Contains(out, "data:image/png;base64,") {
		t.Fatalf("html report: exit %d", code)
	}
	if out, _, code := vigia(t, "", "report", "flight", "--data", dir, "--format", "geojson", id); code != 0 || !strings.Contains(out, `"FeatureCollection"`) {
		t.Fatalf("geojson report: exit %d\n%s", code, out)
	}
	if _, errs, code := vigia(t, "", "report", "flight", "--data", dir, "icao:000000@2026-01-01T00:00:00.000Z"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("unknown flight: exit %d: %s", code, errs)
	}
}
