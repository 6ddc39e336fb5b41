package klv

import (
	"math"
	"strings"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// Position returns the platform's normalised position: ID "klv:" followed
// by the platform designation (tag 10; the tail number, tag 4, when 10 is
// absent) and the mission id (tag 3) joined by "/", Source position.KLV, Time from tag 2, latitude and longitude from
// tags 13 and 14, altitude from tag 75 (height above the ellipsoid,
// AltitudeRef Geometric; tag 104 when 75 is absent) or else tag 15 (MSL),
// vertical rate from tag 51, callsign from tag 59, ground speed from tag 56, track from tag 112 (course), else from the
// sensor's north and east velocities (79, 80) when it moves, else the
// platform heading (5). The footprint holds the frame centre (23, 24), the
// corners (offsets 26–33 added to the centre, or else 82–89) and the slant
// range (21). It reports false when the packet lacks a valid time or
// platform latitude and longitude.
func (p *Packet) Position() (position.Position, bool) {
	tv, ok := p.Get(TagPrecisionTimeStamp)
	if !ok {
		return position.Position{}, false
	}
	lat, ok1 := p.Float(TagSensorLatitude)
	lon, ok2 := p.Float(TagSensorLongitude)
	if !ok1 || !ok2 {
		return position.Position{}, false
	}
	var des, mis string
	if v, ok := p.Get(TagPlatformDesignation); ok {
		des = strings.TrimSpace(v.Str)
	}
	if des == "" {
		if v, ok := p.Get(TagPlatformTailNumber); ok {
			des = strings.TrimSpace(v.Str)
		}
	}
	if v, ok := p.Get(TagMissionID); ok {
		mis = strings.TrimSpace(v.Str)
	}
	pos := position.Position{
		ID:     "klv:" + des + "/" + mis,
		Source: position.KLV,
		Time:   tv.Time,
		Lat:    geo.Degrees(lat),
		Lon:    geo.Degrees(lon),
	}
	if h, ok := p.Float(TagSensorEllipsoidHeight); ok {
		pos.Has |= position.HasAltitude
		pos.Altitude, pos.AltitudeRef = geo.Meters(h), position.Geometric
	} else if h, ok := p.Float(TagSensorEllipsoidHeightExtended); ok {
		pos.Has |= position.HasAltitude
		pos.Altitude, pos.AltitudeRef = geo.Meters(h), position.Geometric
	} else if h, ok := p.Float(TagSensorTrueAltitude); ok {
		pos.Has |= position.HasAltitude
		pos.Altitude, pos.AltitudeRef = geo.Meters(h), position.MSL
	}
	if vs, ok := p.Float(TagPlatformVerticalSpeed); ok {
		pos.Has |= position.HasVerticalRate
		pos.VerticalRate = vs
	}
	if v, ok := p.Get(TagPlatformCallSign); ok {
		pos.Callsign = strings.TrimSpace(v.Str)
	}
	if gs, ok := p.Float(TagPlatformGroundSpeed); ok {
		pos.Has |= position.HasGroundSpeed
		pos.GroundSpeed = gs
	}
	north, okN := p.Float(TagSensorNorthVelocity)
	east, okE := p.Float(TagSensorEastVelocity)
	if c, ok := p.Float(TagPlatformCourseAngle); ok {
		pos.Has |= position.HasTrack
		pos.Track = normTrack(c)
	} else if okN && okE && math.Hypot(north, east) > 0.5 {
		pos.Has |= position.HasTrack
		pos.Track = normTrack(math.Atan2(east, north) * 180 / math.Pi)
	} else if h, ok := p.Float(TagPlatformHeading); ok {
		pos.Has |= position.HasTrack
		pos.Track = normTrack(h)
	}
	if c, ok := p.Footprint(); ok {
		pos.Footprint = &c
	}
	return pos, true
}

// normTrack brings an angle in degrees into [0, 360).
func normTrack(d float64) geo.Degrees {
	d = math.Mod(d, 360)
	if d < 0 {
		d += 360
	}
	if d >= 360 {
		d = 0
	}
	return geo.Degrees(d)
}

// Footprint returns where the sensor looks: the frame centre (tags 23 and
// 24), the four image corners and the slant range (tag 21, 0 if absent).
// Corners come from the offsets of tags 26–33 added to the frame centre
// when all eight are present and valid, or else from the full corners of
// tags 82–89; HasCorners is false when neither set is complete. It reports
// false when the packet has no valid frame centre.
func (p *Packet) Footprint() (position.Footprint, bool) {
	var f position.Footprint
	clat, ok1 := p.Float(TagFrameCenterLatitude)
	clon, ok2 := p.Float(TagFrameCenterLongitude)
	if !ok1 || !ok2 {
		return f, false
	}
	f.Center = geo.LatLon{Lat: geo.Degrees(clat), Lon: geo.Degrees(clon)}
	if c, ok := p.Corners(); ok {
		f.Corners, f.HasCorners = c, true
	}
	if r, ok := p.Float(TagSlantRange); ok {
		f.SlantRange = geo.Meters(r)
	}
	return f, true
}

// Corners returns the absolute image corners, points 1 to 4 (upper left,
// upper right, lower right, lower left): the frame centre plus the offsets
// of tags 26–33 when all are present and valid, else tags 82–89. Corner
// longitudes are brought back into [-180, 180].
func (p *Packet) Corners() ([4]geo.LatLon, bool) {
	var c [4]geo.LatLon
	clat, ok1 := p.Float(TagFrameCenterLatitude)
	clon, ok2 := p.Float(TagFrameCenterLongitude)
	if ok1 && ok2 {
		ok := true
		for i := range 4 {
			dlat, a := p.Float(TagOffsetCornerLatitude1 + Tag(2*i))
			dlon, b := p.Float(TagOffsetCornerLongitude1 + Tag(2*i))
			if !a || !b {
				ok = false
				break
			}
			c[i] = geo.LatLon{Lat: geo.Degrees(clat + dlat), Lon: geo.NormalizeLon(geo.Degrees(clon + dlon))}
		}
		if ok {
			return c, true
		}
	}
	for i := range 4 {
		lat, a := p.Float(TagCornerLatitude1Full + Tag(2*i))
		lon, b := p.Float(TagCornerLongitude1Full + Tag(2*i))
		if !a || !b {
			return [4]geo.LatLon{}, false
		}
		c[i] = geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
	}
	return c, true
}
