package compliance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"image"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/track"
)

// handFlight is a flight whose figures are worked out by hand in
// TestReportFigures: USA (domestic) → crossing at 20 s → Mexico
// unauthorised, then authorised.
func handFlight() (track.Flight, []AssessedFix, []track.Crossing, []Alert) {
	a, c, b, d, e := ll(31.40, -110.95), ll(31.332, -110.95), ll(31.30, -110.95), ll(31.20, -110.95), ll(31.20, -110.90)
	fx := func(seq int, s int, p geo.LatLon, code string, depth geo.Meters, v Verdict, auth string) AssessedFix {
		f := track.Fix{FlightID: "icao:AE1F01@x", Seq: seq, Country: code, Depth: depth}
		f.Position.ID, f.Position.Time, f.Position.Lat, f.Position.Lon = "icao:AE1F01", t0.Add(time.Duration(s)*time.Second), p.Lat, p.Lon
		return AssessedFix{Fix: f, Verdict: v, AuthorisationID: auth}
	}
	fixes := []AssessedFix{
		fx(3, 180, e, "MEX", 700, Authorised, "AUT-1"), // out of order on purpose
		fx(0, 0, a, "USA", 100, Domestic, ""),
		fx(1, 60, b, "MEX", 500, Unauthorised, ""),
		fx(2, 120, d, "MEX", 900, Authorised, "AUT-1"),
	}
	cs := []track.Crossing{{FlightID: "icao:AE1F01@x", Time: t0.Add(20 * time.Second), Point: c, From: "USA", To: "MEX", Before: 0, After: 1}}
	al := []Alert{{ID: alertID("icao:AE1F01@x", t0.Add(time.Minute)), FlightID: "icao:AE1F01@x", Aircraft: "icao:AE1F01", Airspace: "MEX",
		Start: t0.Add(time.Minute), Last: t0.Add(time.Minute), End: t0.Add(2 * time.Minute), FirstSeq: 1, LastSeq: 1, Fixes: 1, MaxDepth: 500,
		FirstPoint: b, LastPoint: b}}
	fl := track.Flight{ID: "icao:AE1F01@x", Aircraft: "icao:AE1F01", Callsign: "VGA101", Start: t0, End: t0.Add(180 * time.Second), Fixes: 4, Crossings: 1}
	return fl, fixes, cs, al
}

func TestReportFigures(t *testing.T) {
	fl, fixes, cs, al := handFlight()
	r := BuildReport(fl, fixes, cs, al, testSet(t))
	dist := func(p, q geo.LatLon) geo.Meters {
		s, _, _ := geo.WGS84.Inverse(p.Lat, p.Lon, q.Lat, q.Lon)
		return s
	}
	a, c, b, d, e := ll(31.40, -110.95), ll(31.332, -110.95), ll(31.30, -110.95), ll(31.20, -110.95), ll(31.20, -110.90)
	usaDist := dist(a, c)
	mexDist := dist(c, b) + dist(b, d) + dist(d, e)
	near := func(x, y geo.Meters) bool { return math.Abs(float64(x-y)) < 1e-6 }
	// Hand figures: USA 0–20 s; Mexico 20–180 s, of which 20–120 s under
	// the unauthorised fix 1 (the fix's verdict holds until the next) and
	// 120–180 s authorised.
	if r.Seconds != 180 || r.Fixes != 4 || !near(r.Distance, usaDist+mexDist) {
		t.Errorf("duration %v s, fixes %d, distance %v (want 180, 4, %v)", r.Seconds, r.Fixes, r.Distance, usaDist+mexDist)
	}
	if len(r.Airspaces) != 2 {
		t.Fatalf("airspaces %+v", r.Airspaces)
	}
	mex, usa := r.Airspaces[0], r.Airspaces[1] // MEX before USA, the set's order
	if mex.Airspace != "MEX" || mex.Seconds != 160 || !near(mex.Distance, mexDist) || mex.Fixes != 3 || mex.MaxDepth != 900 {
		t.Errorf("MEX %+v, want 160 s, %v m, 3 fixes, depth 900", mex, mexDist)
	}
	if usa.Airspace != "USA" || usa.Seconds != 20 || !near(usa.Distance, usaDist) || usa.Fixes != 1 || usa.MaxDepth != 100 {
		t.Errorf("USA %+v, want 20 s, %v m, 1 fix, depth 100", usa, usaDist)
	}
	wantV := []VerdictTotals{
		{Domestic, 20, usaDist, 1},
		{Authorised, 60, dist(d, e), 2},
		{Unauthorised, 100, dist(c, b) + dist(b, d), 1},
	}
	if len(r.Verdicts) != len(wantV) {
		t.Fatalf("verdicts %+v", r.Verdicts)
	}
	for i, w := range wantV {
		g := r.Verdicts[i]
		if g.Verdict != w.Verdict || g.Seconds != w.Seconds || !near(g.Distance, w.Distance) || g.Fixes != w.Fixes {
			t.Errorf("verdict %d: %+v, want %+v", i, g, w)
		}
	}
	if r.PartnerSeconds != 160 || r.AuthorisedSeconds != 60 || r.AuthorisedShare == nil || *r.AuthorisedShare != 60.0/160 {
		t.Errorf("partner %v s, authorised %v s, share %v; want 160, 60, 0.375", r.PartnerSeconds, r.AuthorisedSeconds, r.AuthorisedShare)
	}
	if len(r.Crossings) != 1 || r.Crossings[0].Point != c || len(r.Alerts) != 1 || len(r.Pieces) != 4 {
		t.Errorf("crossings %+v, alerts %d, pieces %d", r.Crossings, len(r.Alerts), len(r.Pieces))
	}

	// JSON.
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &r); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Share     float64 `json:"authorised_share"`
		Airspaces []struct {
			Airspace string  `json:"airspace"`
			Time     float64 `json:"time_s"`
		} `json:"airspaces"`
		Crossings []struct {
			Point [2]float64 `json:"point"`
		} `json:"crossings"`
		Alerts []Alert `json:"alerts"`
	}
	if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Share != 0.375 || len(j.Airspaces) != 2 || j.Airspaces[0].Time != 160 || j.Crossings[0].Point != [2]float64{-110.95, 31.332} ||
		len(j.Alerts) != 1 || j.Alerts[0] != al[0] {
		t.Errorf("JSON report: %+v\n%s", j, buf.String())
	}

	// GeoJSON: three track runs (USA domestic, MEX unauthorised, MEX
	// authorised), one crossing, one alert.
	buf.Reset()
	if err := WriteGeoJSON(&buf, &r); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range fc.Features {
		k := f.Geometry.Type + ":" + f.Properties["kind"].(string)
		if v, ok := f.Properties["verdict"]; ok {
			k += ":" + v.(string) + ":" + f.Properties["stroke"].(string)
		}
		kinds = append(kinds, k)
	}
	want := "LineString:track:domestic:#2b6cb0 LineString:track:unauthorised:#e03131 LineString:track:authorised:#2f9e44 Point:crossing Point:alert"
	if fc.Type != "FeatureCollection" || strings.Join(kinds, " ") != want {
		t.Errorf("GeoJSON features %v, want %s", kinds, want)
	}
	var unauth [][2]float64
	if err := json.Unmarshal(fc.Features[1].Geometry.Coordinates, &unauth); err != nil || len(unauth) != 3 || unauth[0] != [2]float64{-110.95, 31.332} || unauth[2] != [2]float64{-110.95, 31.2} {
		t.Errorf("unauthorised run %v %v", unauth, err)
	}
}

// TestReportNoPartner: no partner time gives a null share.
func TestReportNoPartner(t *testing.T) {
	fl, fixes, _, _ := handFlight()
	r := BuildReport(fl, fixes[1:2], nil, nil, nil)
	if r.AuthorisedShare != nil || r.PartnerSeconds != 0 || len(r.Crossings) != 0 || len(r.Alerts) != 0 {
		t.Errorf("%+v", r)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &r); err != nil || !strings.Contains(buf.String(), `"authorised_share": null`) {
		t.Errorf("%v\n%s", err, buf.String())
	}
}

var dataURI = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)

// decodeMap extracts and decodes the PNG of an HTML report.
func decodeMap(t testing.TB, page string) image.Image {
	t.Helper()
	m := dataURI.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no PNG data URI in the page")
	}
	b, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// checkTrackDrawn asserts that near every fix of r the map has a pixel of
// the colour of some verdict of the pieces there.
func checkTrackDrawn(t testing.TB, r *Report, img image.Image) {
	t.Helper()
	v := newView(r, DefaultMapOptions())
	if img.Bounds().Dx() != v.w || img.Bounds().Dy() != v.h {
		t.Fatalf("image %v, view %dx%d", img.Bounds(), v.w, v.h)
	}
	missing := 0
	for _, p := range r.Pieces {
		x, y := v.px(p.To)
		want := hexColour(p.Verdict.Colour())
		found := false
		for dy := -2; dy <= 2 && !found; dy++ {
			for dx := -2; dx <= 2 && !found; dx++ {
				r, g, b, _ := img.At(int(x)+dx, int(y)+dy).RGBA()
				found = uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(b>>8) == want.B
			}
		}
		if !found {
			missing++
		}
	}
	// A piece's end may be overdrawn by the next piece's colour, by a
	// crossing ring or an alert mark; most must show.
	if missing > len(r.Pieces)/10 {
		t.Errorf("%d of %d piece ends not drawn in their verdict's colour", missing, len(r.Pieces))
	}
}

func TestHTML(t *testing.T) {
	fl, fixes, cs, al := handFlight()
	r := BuildReport(fl, fixes, cs, al, testSet(t))
	var buf bytes.Buffer
	if err := WriteHTML(&buf, &r, testSet(t)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, s := range []string{"<title>Flight report icao:AE1F01@x</title>", "37.5 %", "0:02:40", alertID("icao:AE1F01@x", t0.Add(time.Minute)), "OpenStreetMap", "<td>USA</td><td>MEX</td>"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	img := decodeMap(t, page)
	checkTrackDrawn(t, &r, img)
	// The border at Nogales (lat ≈ 31.33) is in view: both
	// land colours and the border colour appear.
	seen := map[[3]uint8]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			seen[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bb >> 8)}] = true
		}
	}
	for _, c := range []struct {
		name string
		rgb  [3]uint8
	}{{"MEX land", [3]uint8{mapLand[0].R, mapLand[0].G, mapLand[0].B}}, {"USA land", [3]uint8{mapLand[1].R, mapLand[1].G, mapLand[1].B}},
		{"border", [3]uint8{mapBorder.R, mapBorder.G, mapBorder.B}}} {
		if !seen[c.rgb] {
			t.Errorf("no %s pixel on the map", c.name)
		}
	}
}

// TestReportCrossedBetween: airspaces entered and left between two fixes
// take the fallback verdicts (international outside; unauthorised in a
// partner airspace no fix showed), and crossings of a downsampled flight
// still split the pair of fixes that holds them.
func TestReportCrossedBetween(t *testing.T) {
	fx := func(seq, s int, lat float64, code string, v Verdict) AssessedFix {
		f := track.Fix{FlightID: "f", Seq: seq, Country: code}
		f.Position.Time, f.Position.Lat, f.Position.Lon = t0.Add(time.Duration(s)*time.Second), geo.Degrees(lat), -110
		return AssessedFix{Fix: f, Verdict: v}
	}
	// Fixes 0 and 10 kept of a downsampled flight (1–9 dropped); between
	// them: USA → MEX at 10 s, MEX → international at 20 s,
	// international → USA at 30 s.
	fixes := []AssessedFix{fx(0, 0, 31.5, "USA", Domestic), fx(10, 60, 31.6, "USA", Domestic)}
	cs := []track.Crossing{
		{Time: t0.Add(10 * time.Second), Point: ll(31.51, -110), From: "USA", To: "MEX", Before: 3, After: 4},
		{Time: t0.Add(20 * time.Second), Point: ll(31.52, -110), From: "MEX", To: "", Before: 5, After: 6},
		{Time: t0.Add(30 * time.Second), Point: ll(31.53, -110), From: "", To: "USA", Before: 6, After: 7},
	}
	r := BuildReport(track.Flight{ID: "f"}, fixes, cs, nil, nil)
	got := map[Verdict]float64{}
	for _, v := range r.Verdicts {
		got[v.Verdict] = v.Seconds
	}
	if len(r.Pieces) != 4 || got[Domestic] != 40 || got[Unauthorised] != 10 || got[International] != 10 || r.PartnerSeconds != 10 || *r.AuthorisedShare != 0 {
		t.Errorf("pieces %d, verdict seconds %v, partner %v", len(r.Pieces), got, r.PartnerSeconds)
	}
	if len(r.Airspaces) != 3 || r.Airspaces[0].Airspace != "" || r.Airspaces[0].Seconds != 10 || r.Airspaces[0].MaxDepth != 0 {
		t.Errorf("airspaces %+v", r.Airspaces)
	}
}

func TestHTMLEscapes(t *testing.T) {
	fl, fixes, cs, al := handFlight()
	fl.Callsign = `<script>alert(1)</script>`
	r := BuildReport(fl, fixes, cs, al, nil)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, &r, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>") || !strings.Contains(buf.String(), "&lt;script&gt;") {
		t.Error("callsign not escaped")
	}
}
