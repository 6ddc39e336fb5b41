package position

import (
	"time"

	"github.com/vigia/vigia/internal/geo"
)

// Source is the kind of feed a Position came from.
type Source uint8

// Sources. ADSB is an extended squitter from the aircraft itself (DF17, or
// DF18 with CF 0/1); TISB and ADSR are rebroadcasts by ground stations
// (DF18 CF 2/3/5 and CF 6); ModeS is a surveillance reply (altitude or
// identity, no position of its own); KLV is MISB ST 0601 metadata from a
// drone's video stream.
const (
	Unknown Source = iota
	ADSB
	TISB
	ADSR
	ModeS
	KLV
)

var sourceNames = [...]string{"unknown", "adsb", "tisb", "adsr", "mode_s", "klv"}

// String returns the name used in JSON: "adsb", "tisb", "adsr", "mode_s",
// "klv" or "unknown".
func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "unknown"
}

// ParseSource returns the Source named s (see [Source.String]).
func ParseSource(s string) (Source, bool) {
	for i, n := range sourceNames {
		if n == s {
			return Source(i), true
		}
	}
	return Unknown, false
}

// AltitudeRef says what an altitude is measured from.
type AltitudeRef uint8

// Altitude references. Barometric is pressure altitude (standard
// atmosphere, 1013.25 hPa), as ADS-B and Mode S report it; Geometric is
// height above the WGS84 ellipsoid (ADS-B GNSS height; KLV tag 75); MSL is
// height above mean sea level (KLV tags 15 and 25, EGM96).
const (
	Barometric AltitudeRef = iota
	Geometric
	MSL
)

var altRefNames = [...]string{"baro", "geometric", "msl"}

// String returns "baro", "geometric" or "msl".
func (r AltitudeRef) String() string {
	if int(r) < len(altRefNames) {
		return altRefNames[r]
	}
	return "baro"
}

// Has is a set of bits saying which optional fields of a Position hold a
// value.
type Has uint16

// Optional fields.
const (
	HasAltitude     Has = 1 << iota // Altitude and AltitudeRef
	HasGroundSpeed                  // GroundSpeed
	HasTrack                        // Track
	HasVerticalRate                 // VerticalRate
	HasAccuracy                     // Accuracy
	HasOnGround                     // OnGround (false means airborne, not unknown)
)

// Position is one normalised fix: who, when, where, and how well known.
//
// ID is the stable identity tracking keys on: "icao:ABC123" for a Mode S
// address (upper-case hex; TIS-B targets with a non-ICAO address are
// "tisb:ABC123"), "klv:" followed by the platform designation and mission id
// for a drone. Time is the time of the measurement in UTC, taken from the
// message (Beast clock, SBS time, KLV tag 2), never the time it arrived.
type Position struct {
	ID     string    // identity of the aircraft; see above
	Source Source    // which feed
	Time   time.Time // time of the fix, UTC
	Lat    geo.Degrees
	Lon    geo.Degrees

	Has          Has
	Altitude     geo.Meters  // see AltitudeRef
	AltitudeRef  AltitudeRef // what Altitude is measured from
	GroundSpeed  float64     // metres per second over the ground
	Track        geo.Degrees // true track over the ground, [0, 360)
	VerticalRate float64     // metres per second, positive up
	OnGround     bool

	// Accuracy is the radius in metres that contains the true position with
	// 95 % probability (ADS-B NACp; for KLV, the platform's GNSS), when
	// HasAccuracy is set.
	Accuracy geo.Meters

	Callsign string // flight identification as sent, trimmed; may be empty
	Squawk   string // Mode A code, 4 octal digits; may be empty

	// Footprint is the sensor's view on the ground, for KLV fixes that
	// carry it; nil otherwise.
	Footprint *Footprint
}

// Footprint is where a drone's sensor looks: the frame centre and the four
// corners of the image on the ground (MISB ST 0601 tags 23, 24, 26–33 and
// 82–89), and the slant range to the centre.
type Footprint struct {
	Center     geo.LatLon
	Corners    [4]geo.LatLon // upper left, upper right, lower right, lower left; zero if not sent
	HasCorners bool
	SlantRange geo.Meters // 0 if not sent
}

// LatLon returns the position as a geo.LatLon.
func (p *Position) LatLon() geo.LatLon { return geo.LatLon{Lat: p.Lat, Lon: p.Lon} }
