package position

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

// jsonPosition is the wire form of a Position; see docs/FORMATS.md.
type jsonPosition struct {
	ID           string      `json:"id"`
	Source       string      `json:"source"`
	Time         time.Time   `json:"t"`
	Lat          float64     `json:"lat"`
	Lon          float64     `json:"lon"`
	AltitudeM    *float64    `json:"alt_m,omitempty"`
	AltitudeRef  string      `json:"alt_ref,omitempty"`
	GroundSpeed  *float64    `json:"gs_mps,omitempty"`
	Track        *float64    `json:"track_deg,omitempty"`
	VerticalRate *float64    `json:"vrate_mps,omitempty"`
	OnGround     *bool       `json:"on_ground,omitempty"`
	Accuracy     *float64    `json:"accuracy_m,omitempty"`
	Callsign     string      `json:"callsign,omitempty"`
	Squawk       string      `json:"squawk,omitempty"`
	Footprint    *jsonFootpr `json:"footprint,omitempty"`
}

type jsonFootpr struct {
	Center     [2]float64     `json:"center"`            // lon, lat
	Corners    *[4][2]float64 `json:"corners,omitempty"` // lon, lat each
	SlantRange *float64       `json:"slant_range_m,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// MarshalJSON writes the Position in the form documented in
// docs/FORMATS.md; absent optional fields are left out.
func (p Position) MarshalJSON() ([]byte, error) {
	j := jsonPosition{
		ID: p.ID, Source: p.Source.String(), Time: p.Time.UTC(),
		Lat: float64(p.Lat), Lon: float64(p.Lon),
		Callsign: p.Callsign, Squawk: p.Squawk,
	}
	if p.Has&HasAltitude != 0 {
		j.AltitudeM, j.AltitudeRef = ptr(float64(p.Altitude)), p.AltitudeRef.String()
	}
	if p.Has&HasGroundSpeed != 0 {
		j.GroundSpeed = ptr(p.GroundSpeed)
	}
	if p.Has&HasTrack != 0 {
		j.Track = ptr(float64(p.Track))
	}
	if p.Has&HasVerticalRate != 0 {
		j.VerticalRate = ptr(p.VerticalRate)
	}
	if p.Has&HasOnGround != 0 {
		j.OnGround = ptr(p.OnGround)
	}
	if p.Has&HasAccuracy != 0 {
		j.Accuracy = ptr(float64(p.Accuracy))
	}
	if f := p.Footprint; f != nil {
		j.Footprint = &jsonFootpr{Center: [2]float64{float64(f.Center.Lon), float64(f.Center.Lat)}}
		if f.HasCorners {
			var c [4][2]float64
			for i, ll := range f.Corners {
				c[i] = [2]float64{float64(ll.Lon), float64(ll.Lat)}
			}
			j.Footprint.Corners = &c
		}
		if f.SlantRange > 0 {
			j.Footprint.SlantRange = ptr(float64(f.SlantRange))
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the form written by MarshalJSON. It rejects an
// unknown source, a latitude outside [-90, 90], a longitude outside
// [-180, 180] and non-finite numbers, naming the field.
func (p *Position) UnmarshalJSON(b []byte) error {
	var j jsonPosition
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	src, ok := ParseSource(j.Source)
	if !ok {
		return fmt.Errorf("position: field source: unknown source %q", j.Source)
	}
	if !(j.Lat >= -90 && j.Lat <= 90) {
		return fmt.Errorf("position: field lat: %v out of [-90, 90]", j.Lat)
	}
	if !(j.Lon >= -180 && j.Lon <= 180) {
		return fmt.Errorf("position: field lon: %v out of [-180, 180]", j.Lon)
	}
	q := Position{ID: j.ID, Source: src, Time: j.Time.UTC(), Lat: geo.Degrees(j.Lat), Lon: geo.Degrees(j.Lon),
		Callsign: j.Callsign, Squawk: j.Squawk}
	opt := []struct {
		name string
		v    *float64
		bit  Has
		set  func(float64)
	}{
		{"alt_m", j.AltitudeM, HasAltitude, func(v float64) { q.Altitude = geo.Meters(v) }},
		{"gs_mps", j.GroundSpeed, HasGroundSpeed, func(v float64) { q.GroundSpeed = v }},
		{"track_deg", j.Track, HasTrack, func(v float64) { q.Track = geo.Degrees(v) }},
		{"vrate_mps", j.VerticalRate, HasVerticalRate, func(v float64) { q.VerticalRate = v }},
		{"accuracy_m", j.Accuracy, HasAccuracy, func(v float64) { q.Accuracy = geo.Meters(v) }},
	}
	for _, o := range opt {
		if o.v == nil {
			continue
		}
		if math.IsNaN(*o.v) || math.IsInf(*o.v, 0) {
			return fmt.Errorf("position: field %s: not a finite number", o.name)
		}
		q.Has |= o.bit
		o.set(*o.v)
	}
	if q.Has&HasAltitude != 0 {
		switch j.AltitudeRef {
		case "", "baro":
			q.AltitudeRef = Barometric
		case "geometric":
			q.AltitudeRef = Geometric
		case "msl":
			q.AltitudeRef = MSL
		default:
			return fmt.Errorf("position: field alt_ref: unknown reference %q", j.AltitudeRef)
		}
	}
	if j.OnGround != nil {
		q.Has |= HasOnGround
		q.OnGround = *j.OnGround
	}
	if f := j.Footprint; f != nil {
		q.Footprint = &Footprint{Center: geo.LatLon{Lat: geo.Degrees(f.Center[1]), Lon: geo.Degrees(f.Center[0])}}
		if f.Corners != nil {
			q.Footprint.HasCorners = true
			for i, c := range f.Corners {
				q.Footprint.Corners[i] = geo.LatLon{Lat: geo.Degrees(c[1]), Lon: geo.Degrees(c[0])}
			}
		}
		if f.SlantRange != nil {
			q.Footprint.SlantRange = geo.Meters(*f.SlantRange)
		}
	}
	*p = q
	return nil
}
