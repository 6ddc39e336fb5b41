package compliance

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/track"
)

// Piece is a part of a flight's track between two consecutive fixes,
// split at crossings, in one airspace and under one verdict.
type Piece struct {
	From, To   geo.LatLon
	Start, End time.Time
	Airspace   string     // ISO alpha-3 code, "" international
	Verdict    Verdict    // see BuildReport for how a piece gets it
	Distance   geo.Meters // geodesic, WGS84
}

// AirspaceTotals sums a flight's track in one airspace.
type AirspaceTotals struct {
	Airspace string     `json:"airspace"` // "" international
	Seconds  float64    `json:"time_s"`
	Distance geo.Meters `json:"distance_m"`
	Fixes    int        `json:"fixes"`
	// MaxDepth is the greatest depth of the flight's fixes in the
	// airspace (distance to its border, metres); 0 when it has no fix
	// there (crossed between two fixes).
	MaxDepth geo.Meters `json:"max_depth_m"`
}

// VerdictTotals sums a flight's track under one verdict.
type VerdictTotals struct {
	Verdict  Verdict    `json:"verdict"`
	Seconds  float64    `json:"time_s"`
	Distance geo.Meters `json:"distance_m"`
	Fixes    int        `json:"fixes"`
}

// ReportCrossing is one crossing in a report.
type ReportCrossing struct {
	Time   time.Time  `json:"time"`
	Point  geo.LatLon `json:"-"`
	From   string     `json:"from"`
	To     string     `json:"to"`
	Before int        `json:"before_seq"`
	After  int        `json:"after_seq"`
}

// MarshalJSON adds the point as [lon, lat].
func (c ReportCrossing) MarshalJSON() ([]byte, error) {
	type plain ReportCrossing
	return json.Marshal(struct {
		plain
		Point [2]float64 `json:"point"`
	}{plain(c), lonLat(c.Point)})
}

// Report is the account of one flight: time and distance per airspace and
// per verdict, its crossings, the maximum depth per airspace, the share of
// its time in partner airspace that was authorised, and its alerts. Times
// are in seconds, distances and depths in metres, shares fractions in
// [0, 1].
type Report struct {
	FlightID string    `json:"flight_id"`
	Aircraft string    `json:"aircraft"`
	Callsign string    `json:"callsign,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Seconds  float64   `json:"duration_s"`
	// Distance is the length of the track: the sum of the geodesics
	// between consecutive fixes (split at crossings).
	Distance  geo.Meters       `json:"distance_m"`
	Fixes     int              `json:"fixes"`
	Airspaces []AirspaceTotals `json:"airspaces"` // sorted by code, international ("") first
	Verdicts  []VerdictTotals  `json:"verdicts"`  // in Verdict order, only those present
	// PartnerSeconds is the time spent in another state's airspace
	// (authorised or unauthorised pieces); AuthorisedSeconds the part of it
	// that was authorised; AuthorisedShare their ratio, nil when
	// PartnerSeconds is 0.
	PartnerSeconds    float64          `json:"partner_time_s"`
	AuthorisedSeconds float64          `json:"authorised_time_s"`
	AuthorisedShare   *float64         `json:"authorised_share"`
	Crossings         []ReportCrossing `json:"crossings"`
	Alerts            []Alert          `json:"alerts"`
	// Pieces is the track itself, for maps; not in the JSON report (the
	// GeoJSON carries it).
	Pieces []Piece `json:"-"`
}

// BuildReport accounts a flight from its assessed fixes (any order; sorted
// by Seq here; they may be a downsampled subset), its crossings and its
// alerts. as names the airspaces (for the order of the totals only; may
// be nil).
//
// The track between two consecutive fixes is the geodesic between them,
// split at the crossings whose Before/After Seq lie within the pair, time
// in proportion to each crossing's own time. Each piece takes a verdict:
// that of the earlier fix if the piece is in the earlier fix's airspace
// (a fix's verdict holds until the next fix), else that of the later fix
// if it is in the later fix's airspace, else (an airspace crossed between
// two fixes) international outside all airspaces, domestic where some fix
// of the flight was domestic, and unauthorised otherwise (no fix showed
// coverage).
func BuildReport(flight track.Flight, fixes []AssessedFix, crossings []track.Crossing, alerts []Alert, as *airspace.Set) Report {
	fx := slices.Clone(fixes)
	slices.SortStableFunc(fx, func(a, b AssessedFix) int { return a.Fix.Seq - b.Fix.Seq })
	cs := slices.Clone(crossings)
	slices.SortStableFunc(cs, func(a, b track.Crossing) int { return a.Time.Compare(b.Time) })
	r := Report{FlightID: flight.ID, Aircraft: flight.Aircraft, Callsign: flight.Callsign, Start: flight.Start, End: flight.End,
		Fixes: len(fx), Airspaces: []AirspaceTotals{}, Verdicts: []VerdictTotals{}, Crossings: []ReportCrossing{}, Alerts: slices.Clone(alerts)}
	if r.Alerts == nil {
		r.Alerts = []Alert{}
	}
	slices.SortStableFunc(r.Alerts, func(a, b Alert) int { return a.Start.Compare(b.Start) })
	if len(fx) > 0 {
		if r.Start.IsZero() || fx[0].Fix.Position.Time.Before(r.Start) {
			r.Start = fx[0].Fix.Position.Time
		}
		if last := fx[len(fx)-1].Fix.Position.Time; last.After(r.End) {
			r.End = last
		}
	}
	r.Seconds = r.End.Sub(r.Start).Seconds()
	for _, c := range cs {
		r.Crossings = append(r.Crossings, ReportCrossing{Time: c.Time, Point: c.Point, From: c.From, To: c.To, Before: c.Before, After: c.After})
	}

	byAir := map[string]*AirspaceTotals{}
	air := func(code string) *AirspaceTotals {
		t := byAir[code]
		if t == nil {
			t = &AirspaceTotals{Airspace: code}
			byAir[code] = t
		}
		return t
	}
	var byVerdict [len(verdictNames)]VerdictTotals
	domestic := map[string]bool{}
	for _, f := range fx {
		t := air(f.Fix.Country)
		t.Fixes++
		t.MaxDepth = max(t.MaxDepth, f.Fix.Depth)
		if f.Verdict < Verdict(len(byVerdict)) {
			byVerdict[f.Verdict].Fixes++
		}
		if f.Verdict == Domestic {
			domestic[f.Fix.Country] = true
		}
	}
	pieceVerdict := func(code string, a, b *AssessedFix) Verdict {
		switch {
		case code == a.Fix.Country:
			return a.Verdict
		case code == b.Fix.Country:
			return b.Verdict
		case code == "":
			return International
		case domestic[code]:
			return Domestic
		}
		return Unauthorised
	}
	ci := 0
	for i := 0; i+1 < len(fx); i++ {
		a, b := &fx[i], &fx[i+1]
		from, t0, code := a.Fix.Position.LatLon(), a.Fix.Position.Time, a.Fix.Country
		for ci < len(cs) && cs[ci].Before < a.Fix.Seq {
			ci++
		}
		emit := func(to geo.LatLon, t1 time.Time, next string) {
			p := Piece{From: from, To: to, Start: t0, End: t1, Airspace: code, Verdict: pieceVerdict(code, a, b),
				Distance: geo.WGS84.Distance(from, to)}
			r.Pieces = append(r.Pieces, p)
			from, t0, code = to, t1, next
		}
		for ci < len(cs) && cs[ci].Before >= a.Fix.Seq && cs[ci].After <= b.Fix.Seq {
			emit(cs[ci].Point, cs[ci].Time, cs[ci].To)
			ci++
		}
		emit(b.Fix.Position.LatLon(), b.Fix.Position.Time, "")
	}
	for _, p := range r.Pieces {
		s := p.End.Sub(p.Start).Seconds()
		t := air(p.Airspace)
		t.Seconds += s
		t.Distance += p.Distance
		r.Distance += p.Distance
		if p.Verdict < Verdict(len(byVerdict)) {
			byVerdict[p.Verdict].Seconds += s
			byVerdict[p.Verdict].Distance += p.Distance
		}
		switch p.Verdict {
		case Authorised:
			r.PartnerSeconds += s
			r.AuthorisedSeconds += s
		case Unauthorised:
			r.PartnerSeconds += s
		}
	}
	if r.PartnerSeconds > 0 {
		share := r.AuthorisedSeconds / r.PartnerSeconds
		r.AuthorisedShare = &share
	}
	codes := make([]string, 0, len(byAir))
	for c := range byAir {
		codes = append(codes, c)
	}
	order := map[string]int{}
	if as != nil {
		for i, c := range as.Codes() {
			order[c] = i + 1
		}
	}
	slices.SortFunc(codes, func(x, y string) int {
		if d := order[x] - order[y]; d != 0 && x != "" && y != "" {
			return d
		}
		return strings.Compare(x, y)
	})
	for _, c := range codes {
		r.Airspaces = append(r.Airspaces, *byAir[c])
	}
	for v := Domestic; v <= Unauthorised; v++ {
		if t := byVerdict[v]; t.Fixes > 0 || t.Seconds > 0 {
			t.Verdict = v
			r.Verdicts = append(r.Verdicts, t)
		}
	}
	return r
}

func lonLat(p geo.LatLon) [2]float64 { return [2]float64{float64(p.Lon), float64(p.Lat)} }

// jsonAlert is an Alert's JSON form.
type jsonAlert struct {
	ID         string     `json:"id"`
	FlightID   string     `json:"flight_id"`
	Aircraft   string     `json:"aircraft"`
	Callsign   string     `json:"callsign,omitempty"`
	Operator   string     `json:"operator,omitempty"`
	Airspace   string     `json:"airspace"`
	Start      time.Time  `json:"start"`
	Last       time.Time  `json:"last"`
	End        *time.Time `json:"end,omitempty"`
	FirstSeq   int        `json:"first_seq"`
	LastSeq    int        `json:"last_seq"`
	Fixes      int        `json:"fixes"`
	MaxDepth   float64    `json:"max_depth_m"`
	FirstPoint [2]float64 `json:"first_point"`
	LastPoint  [2]float64 `json:"last_point"`
	Open       bool       `json:"open"`
}

// MarshalJSON writes the alert as documented in docs/FORMATS.md.
func (a Alert) MarshalJSON() ([]byte, error) {
	j := jsonAlert{ID: a.ID, FlightID: a.FlightID, Aircraft: a.Aircraft, Callsign: a.Callsign, Operator: a.Operator,
		Airspace: a.Airspace, Start: a.Start, Last: a.Last, FirstSeq: a.FirstSeq, LastSeq: a.LastSeq, Fixes: a.Fixes,
		MaxDepth: float64(a.MaxDepth), FirstPoint: lonLat(a.FirstPoint), LastPoint: lonLat(a.LastPoint), Open: a.Open}
	if !a.End.IsZero() {
		e := a.End
		j.End = &e
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Alert) UnmarshalJSON(b []byte) error {
	var j jsonAlert
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("alert: %w", err)
	}
	*a = Alert{ID: j.ID, FlightID: j.FlightID, Aircraft: j.Aircraft, Callsign: j.Callsign, Operator: j.Operator,
		Airspace: j.Airspace, Start: j.Start, Last: j.Last, FirstSeq: j.FirstSeq, LastSeq: j.LastSeq, Fixes: j.Fixes,
		MaxDepth: geo.Meters(j.MaxDepth), Open: j.Open,
		FirstPoint: geo.LatLon{Lat: geo.Degrees(j.FirstPoint[1]), Lon: geo.Degrees(j.FirstPoint[0])},
		LastPoint:  geo.LatLon{Lat: geo.Degrees(j.LastPoint[1]), Lon: geo.Degrees(j.LastPoint[0])}}
	if j.End != nil {
		a.End = *j.End
	}
	return nil
}

// WriteJSON writes r as indented JSON (see docs/FORMATS.md).
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report JSON: %w", err)
	}
	return nil
}

// Colours of the verdicts on maps (GeoJSON "stroke", the HTML map).
var verdictColours = [...]string{"#000000", "#2b6cb0", "#7a7a7a", "#2f9e44", "#e03131"}

// Colour returns the colour the verdict is drawn in, as #rrggbb.
func (v Verdict) Colour() string {
	if int(v) < len(verdictColours) {
		return verdictColours[v]
	}
	return verdictColours[0]
}

type gjFeature struct {
	Type       string         `json:"type"`
	Geometry   gjGeometry     `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type gjGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// WriteGeoJSON writes r as a GeoJSON FeatureCollection (RFC 7946): the
// track as LineStrings, one per run of pieces with the same verdict and
// airspace (properties kind "track", verdict, airspace, start, end,
// stroke), each crossing as a Point (kind "crossing", time, from, to) and
// each alert as a Point at its first fix (kind "alert", id, airspace,
// start, last, fixes, max_depth_m, open, marker-color).
func WriteGeoJSON(w io.Writer, r *Report) error {
	feats := []gjFeature{}
	for i := 0; i < len(r.Pieces); {
		j := i
		coords := [][2]float64{lonLat(r.Pieces[i].From)}
		for ; j < len(r.Pieces) && r.Pieces[j].Verdict == r.Pieces[i].Verdict && r.Pieces[j].Airspace == r.Pieces[i].Airspace; j++ {
			coords = append(coords, lonLat(r.Pieces[j].To))
		}
		p := r.Pieces[i]
		feats = append(feats, gjFeature{Type: "Feature", Geometry: gjGeometry{"LineString", coords},
			Properties: map[string]any{"kind": "track", "flight_id": r.FlightID, "verdict": p.Verdict.String(), "airspace": p.Airspace,
				"start": p.Start, "end": r.Pieces[j-1].End, "stroke": p.Verdict.Colour(), "stroke-width": 3}})
		i = j
	}
	for _, c := range r.Crossings {
		feats = append(feats, gjFeature{Type: "Feature", Geometry: gjGeometry{"Point", lonLat(c.Point)},
			Properties: map[string]any{"kind": "crossing", "flight_id": r.FlightID, "time": c.Time, "from": c.From, "to": c.To,
				"marker-color": "#000000"}})
	}
	for _, a := range r.Alerts {
		feats = append(feats, gjFeature{Type: "Feature", Geometry: gjGeometry{"Point", lonLat(a.FirstPoint)},
			Properties: map[string]any{"kind": "alert", "id": a.ID, "flight_id": a.FlightID, "airspace": a.Airspace, "start": a.Start,
				"last": a.Last, "fixes": a.Fixes, "max_depth_m": float64(a.MaxDepth), "open": a.Open, "marker-color": Unauthorised.Colour()}})
	}
	enc := json.NewEncoder(w)
	if err := enc.Encode(map[string]any{"type": "FeatureCollection", "features": feats}); err != nil {
		return fmt.Errorf("write report GeoJSON: %w", err)
	}
	return nil
}

// finiteOr returns x, or 0 when it is not finite.
func finiteOr(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
