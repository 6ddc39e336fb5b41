package compliance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// ErrBadAuthorisation is wrapped by every error about the content of an
// authorisation; the message names the input and the field.
var ErrBadAuthorisation = errors.New("bad authorisation")

// maxAuthorisationBytes bounds the JSON read by ParseAuthorisation.
const maxAuthorisationBytes = 16 << 20

// Authorisation grants aircraft of one state (Operator) the right to be in
// a partner's airspace (Airspace) inside given areas, time windows and an
// altitude band. It is a plain value; Prepare indexes its areas for
// containment queries (exact, see InArea). A prepared Authorisation is immutable and safe for
// concurrent use.
type Authorisation struct {
	ID string
	// Aircraft are matchers, each naming aircraft by one identity:
	// "icao:ABC123" (Mode S address, hex, any case), "reg:N123AB" (a
	// registration, resolved through the Fleet), "mission:SON-ORB-01" (the
	// mission id of a KLV position ID "klv:<platform>/<mission>"), or a
	// full position ID such as "klv:MQ-9A/SON-ORB-01".
	Aircraft []string
	// Operator is the ISO 3166-1 alpha-3 code of the state operating the
	// aircraft, e.g. "USA".
	Operator string
	// Airspace is the ISO 3166-1 alpha-3 code of the partner whose
	// airspace is granted, e.g. "MEX".
	Airspace string
	// Areas are polygons ([lon, lat] degrees, closed rings, the first the
	// outer boundary and the rest holes) with edges straight in lon/lat
	// and the boundary inside (RFC 7946; as internal/airspace).
	Areas [][][][2]float64
	// Windows are half-open time intervals [Start, End).
	Windows []Window
	// Altitude is the band the aircraft must fly in.
	Altitude AltitudeBand
	// Created is when the authorisation was recorded.
	Created time.Time
	// Revoked, when not nil, is the instant from which the authorisation no
	// longer covers anything: fixes at or after it are not covered; fixes
	// before it still are.
	Revoked *time.Time
	// Note is free text.
	Note string

	area *area // the Areas, indexed; nil until Prepare
}

// Window is a half-open time interval [Start, End).
type Window struct {
	Start, End time.Time
}

// Contains reports whether t is in [Start, End).
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// AltitudeBand is a closed interval of altitudes [Min, Max] in metres
// measured from Ref.
type AltitudeBand struct {
	Min, Max geo.Meters
	Ref      position.AltitudeRef
}

// Prepare validates a (see Validate) and indexes its areas. It is called by
// Engine.Add; a caller that only wants Covers may call it directly.
func (a *Authorisation) Prepare() error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.area = newArea(a.Areas)
	return nil
}

// InArea reports whether p is inside one of the areas, boundary included,
// with edges straight in lon/lat: exactly (orientation by Shewchuk's
// bound with an exact rational fallback), as internal/airspace decides
// sovereign airspace.
// It returns false for an authorisation that has not been prepared.
func (a *Authorisation) InArea(p geo.LatLon) bool {
	return a.area != nil && a.area.contains(p)
}

// ActiveAt reports whether the authorisation is in force at t: inside one
// of its windows and not revoked at or before t.
func (a *Authorisation) ActiveAt(t time.Time) bool {
	if a.Revoked != nil && !t.Before(*a.Revoked) {
		return false
	}
	for _, w := range a.Windows {
		if w.Contains(t) {
			return true
		}
	}
	return false
}

func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Validate checks a: an id, at least one well-formed aircraft matcher,
// operator and airspace ISO alpha-3 codes that differ, at least one area
// of closed rings with coordinates in range, at least one window each
// ending after it starts, Min ≤ Max. Errors wrap ErrBadAuthorisation and
// name the field.
func (a *Authorisation) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s: %s", ErrBadAuthorisation, a.ID, field, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(a.ID) == "" {
		return fmt.Errorf("%w: id: empty", ErrBadAuthorisation)
	}
	if len(a.Aircraft) == 0 {
		return bad("aircraft", "grants no aircraft")
	}
	for i, m := range a.Aircraft {
		if err := checkMatcher(m); err != nil {
			return bad(fmt.Sprintf("aircraft[%d]", i), "%v", err)
		}
	}
	if !isCode(a.Operator) {
		return bad("operator", "%q is not an ISO 3166-1 alpha-3 code (three upper-case letters)", a.Operator)
	}
	if !isCode(a.Airspace) {
		return bad("airspace", "%q is not an ISO 3166-1 alpha-3 code (three upper-case letters)", a.Airspace)
	}
	if a.Operator == a.Airspace {
		return bad("airspace", "%s is the operator's own airspace", a.Airspace)
	}
	if len(a.Areas) == 0 {
		return bad("areas", "no area")
	}
	for i, poly := range a.Areas {
		if len(poly) == 0 {
			return bad(fmt.Sprintf("areas[%d]", i), "polygon without rings")
		}
		for r, ring := range poly {
			if len(ring) < 4 {
				return bad(fmt.Sprintf("areas[%d].rings[%d]", i, r), "%d positions, want a closed ring of at least 4", len(ring))
			}
			for k, p := range ring {
				if err := checkLonLat(p); err != nil {
					return bad(fmt.Sprintf("areas[%d].rings[%d][%d]", i, r, k), "%v", err)
				}
			}
			if ring[0] != ring[len(ring)-1] {
				return bad(fmt.Sprintf("areas[%d].rings[%d]", i, r), "ring not closed (first %v, last %v)", ring[0], ring[len(ring)-1])
			}
			distinct := 1
			for k := 1; k < len(ring)-1; k++ {
				if ring[k] != ring[k-1] {
					distinct++
				}
			}
			if distinct < 3 {
				return bad(fmt.Sprintf("areas[%d].rings[%d]", i, r), "%d distinct positions, want at least 3", distinct)
			}
		}
	}
	if len(a.Windows) == 0 {
		return bad("windows", "no time window")
	}
	for i, w := range a.Windows {
		if w.Start.IsZero() || w.End.IsZero() {
			return bad(fmt.Sprintf("windows[%d]", i), "start and end are both required")
		}
		if !w.End.After(w.Start) {
			return bad(fmt.Sprintf("windows[%d].end", i), "%s is not after start %s", w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
		}
	}
	if !finite(float64(a.Altitude.Min)) || !finite(float64(a.Altitude.Max)) {
		return bad("altitude", "min_m and max_m must be finite")
	}
	if a.Altitude.Min > a.Altitude.Max {
		return bad("altitude.max_m", "%g is below min_m %g", float64(a.Altitude.Max), float64(a.Altitude.Min))
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func checkLonLat(p [2]float64) error {
	if !finite(p[0]) || p[0] < -180 || p[0] > 180 {
		return fmt.Errorf("longitude %v out of range [-180, 180]", p[0])
	}
	if !finite(p[1]) || p[1] < -90 || p[1] > 90 {
		return fmt.Errorf("latitude %v out of range [-90, 90]", p[1])
	}
	return nil
}

func checkMatcher(m string) error {
	kind, val, ok := strings.Cut(m, ":")
	if !ok || val == "" {
		return fmt.Errorf("%q: want icao:HEX, reg:REGISTRATION, mission:ID or a position id (klv:PLATFORM/MISSION)", m)
	}
	switch kind {
	case "icao", "tisb":
		if len(val) != 6 {
			return fmt.Errorf("%q: want six hex digits", m)
		}
		for _, c := range val {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return fmt.Errorf("%q: want six hex digits", m)
			}
		}
	case "reg", "mission", "klv":
	default:
		return fmt.Errorf("%q: unknown kind %q (icao, reg, mission, klv)", m, kind)
	}
	return nil
}

// JSON shapes.

type jsonAuthorisation struct {
	ID       string            `json:"id"`
	Aircraft []string          `json:"aircraft"`
	Operator string            `json:"operator"`
	Airspace string            `json:"airspace"`
	Areas    []json.RawMessage `json:"areas"`
	Windows  []jsonWindow      `json:"windows"`
	Altitude *jsonBand         `json:"altitude"`
	Created  *time.Time        `json:"created,omitempty"`
	Revoked  *time.Time        `json:"revoked,omitempty"`
	Note     string            `json:"note,omitempty"`
}

type jsonWindow struct {
	Start *time.Time `json:"start"`
	End   *time.Time `json:"end"`
}

type jsonBand struct {
	Min *float64 `json:"min_m"`
	Max *float64 `json:"max_m"`
	Ref string   `json:"ref"`
}

type jsonGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ParseAuthorisation reads one authorisation as JSON (see docs/FORMATS.md)
// and validates it. name is used in error messages, which wrap
// ErrBadAuthorisation and name the field:
// "req.json: areas[0].coordinates[0][2]: latitude 95 out of range [-90, 90]".
// Unknown fields are rejected. Country codes are checked for form here and
// against the airspace set by Engine.Add.
func ParseAuthorisation(r io.Reader, name string) (*Authorisation, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxAuthorisationBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if len(data) > maxAuthorisationBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrBadAuthorisation, name, maxAuthorisationBytes)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s: %s", ErrBadAuthorisation, name, field, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j jsonAuthorisation
	if err := dec.Decode(&j); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, bad("offset "+fmt.Sprint(se.Offset), "%v", err)
		case errors.As(err, &te):
			return nil, bad(te.Field, "%s is not a %s", te.Value, te.Type)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrBadAuthorisation, name, err)
	}
	if dec.More() {
		return nil, bad("offset "+fmt.Sprint(dec.InputOffset()), "data after the object")
	}
	a := &Authorisation{ID: j.ID, Aircraft: j.Aircraft, Operator: j.Operator, Airspace: j.Airspace, Note: j.Note}
	if a.ID == "" {
		return nil, bad("id", "missing")
	}
	if j.Created != nil {
		a.Created = j.Created.UTC()
	}
	if j.Revoked != nil {
		r := j.Revoked.UTC()
		a.Revoked = &r
	}
	for i, raw := range j.Areas {
		polys, err := parseArea(raw)
		if err != nil {
			return nil, bad(fmt.Sprintf("areas[%d]%s", i, err.field), "%s", err.msg)
		}
		a.Areas = append(a.Areas, polys...)
	}
	for i, w := range j.Windows {
		if w.Start == nil {
			return nil, bad(fmt.Sprintf("windows[%d].start", i), "missing")
		}
		if w.End == nil {
			return nil, bad(fmt.Sprintf("windows[%d].end", i), "missing")
		}
		a.Windows = append(a.Windows, Window{Start: w.Start.UTC(), End: w.End.UTC()})
	}
	if j.Altitude == nil {
		return nil, bad("altitude", "missing (min_m, max_m, ref)")
	}
	if j.Altitude.Min == nil || j.Altitude.Max == nil {
		return nil, bad("altitude", "min_m and max_m are both required")
	}
	a.Altitude.Min, a.Altitude.Max = geo.Meters(*j.Altitude.Min), geo.Meters(*j.Altitude.Max)
	switch j.Altitude.Ref {
	case "baro":
		a.Altitude.Ref = position.Barometric
	case "geometric":
		a.Altitude.Ref = position.Geometric
	case "msl", "":
		a.Altitude.Ref = position.MSL
	default:
		return nil, bad("altitude.ref", "%q: want msl, geometric or baro", j.Altitude.Ref)
	}
	if err := a.Validate(); err != nil {
		// Validate names a.ID; name the input instead.
		msg := strings.TrimPrefix(err.Error(), ErrBadAuthorisation.Error()+": "+a.ID+": ")
		return nil, fmt.Errorf("%w: %s: %s", ErrBadAuthorisation, name, msg)
	}
	return a, nil
}

type fieldError struct{ field, msg string }

// parseArea reads one GeoJSON Polygon or MultiPolygon geometry.
func parseArea(raw json.RawMessage) ([][][][2]float64, *fieldError) {
	var g jsonGeometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, &fieldError{"", fmt.Sprintf("not a GeoJSON geometry: %v", err)}
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			return nil, &fieldError{".coordinates", fmt.Sprintf("not an array of rings of [lon, lat]: %v", err)}
		}
		polys = [][][][]float64{rings}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, &fieldError{".coordinates", fmt.Sprintf("not an array of polygons: %v", err)}
		}
	default:
		return nil, &fieldError{".type", fmt.Sprintf("%q: want Polygon or MultiPolygon", g.Type)}
	}
	out := make([][][][2]float64, 0, len(polys))
	for pi, rings := range polys {
		prefix := ".coordinates"
		if g.Type == "MultiPolygon" {
			prefix = fmt.Sprintf(".coordinates[%d]", pi)
		}
		if len(rings) == 0 {
			return nil, &fieldError{prefix, "polygon without rings"}
		}
		poly := make([][][2]float64, len(rings))
		for r, ring := range rings {
			if len(ring) < 4 {
				return nil, &fieldError{fmt.Sprintf("%s[%d]", prefix, r), fmt.Sprintf("%d positions, want a closed ring of at least 4", len(ring))}
			}
			pts := make([][2]float64, len(ring))
			for k, p := range ring {
				f := fmt.Sprintf("%s[%d][%d]", prefix, r, k)
				if len(p) < 2 || len(p) > 3 {
					return nil, &fieldError{f, fmt.Sprintf("%d coordinates, want [lon, lat]", len(p))}
				}
				pts[k] = [2]float64{p[0], p[1]}
				if err := checkLonLat(pts[k]); err != nil {
					return nil, &fieldError{f, err.Error()}
				}
			}
			if pts[0] != pts[len(pts)-1] {
				return nil, &fieldError{fmt.Sprintf("%s[%d]", prefix, r), "ring not closed: first position differs from last"}
			}
			poly[r] = pts
		}
		out = append(out, poly)
	}
	return out, nil
}

// MarshalJSON writes the authorisation in the form ParseAuthorisation
// reads, areas as one GeoJSON MultiPolygon.
func (a *Authorisation) MarshalJSON() ([]byte, error) {
	j := struct {
		ID       string         `json:"id"`
		Aircraft []string       `json:"aircraft"`
		Operator string         `json:"operator"`
		Airspace string         `json:"airspace"`
		Areas    []any          `json:"areas"`
		Windows  []jsonWindow   `json:"windows"`
		Altitude map[string]any `json:"altitude"`
		Created  *time.Time     `json:"created,omitempty"`
		Revoked  *time.Time     `json:"revoked,omitempty"`
		Note     string         `json:"note,omitempty"`
	}{ID: a.ID, Aircraft: slices.Clone(a.Aircraft), Operator: a.Operator, Airspace: a.Airspace, Revoked: a.Revoked, Note: a.Note,
		Altitude: map[string]any{"min_m": float64(a.Altitude.Min), "max_m": float64(a.Altitude.Max), "ref": a.Altitude.Ref.String()}}
	if j.Aircraft == nil {
		j.Aircraft = []string{}
	}
	if !a.Created.IsZero() {
		c := a.Created
		j.Created = &c
	}
	j.Areas = []any{map[string]any{"type": "MultiPolygon", "coordinates": a.Areas}}
	for _, w := range a.Windows {
		s, e := w.Start, w.End
		j.Windows = append(j.Windows, jsonWindow{Start: &s, End: &e})
	}
	return json.Marshal(j)
}
