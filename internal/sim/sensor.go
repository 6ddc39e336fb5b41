package sim

import (
	"math"

	"github.com/vigia/vigia/internal/geo"
)

// WGS84 constants for Earth-centred, Earth-fixed (ECEF) coordinates.
const (
	wgsA  = 6378137.0
	wgsF  = 1 / 298.257223563
	wgsB  = wgsA * (1 - wgsF)
	wgsE2 = wgsF * (2 - wgsF)
)

type vec3 [3]float64

func (v vec3) add(w vec3) vec3      { return vec3{v[0] + w[0], v[1] + w[1], v[2] + w[2]} }
func (v vec3) sub(w vec3) vec3      { return vec3{v[0] - w[0], v[1] - w[1], v[2] - w[2]} }
func (v vec3) scale(k float64) vec3 { return vec3{v[0] * k, v[1] * k, v[2] * k} }
func (v vec3) norm() float64        { return math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2]) }
func (v vec3) cross(w vec3) vec3 {
	return vec3{v[1]*w[2] - v[2]*w[1], v[2]*w[0] - v[0]*w[2], v[0]*w[1] - v[1]*w[0]}
}

// ecef returns the ECEF coordinates (m) of p at height h above the
// ellipsoid.
func ecef(p geo.LatLon, h geo.Meters) vec3 {
	sp, cp := math.Sincos(p.Lat.Radians())
	sl, cl := math.Sincos(p.Lon.Radians())
	n := wgsA / math.Sqrt(1-wgsE2*sp*sp)
	r := (n + float64(h)) * cp
	return vec3{r * cl, r * sl, (n*(1-wgsE2) + float64(h)) * sp}
}

// geodetic returns the position and ellipsoidal height of ECEF point x
// (iterated to well below a millimetre).
func geodetic(x vec3) (geo.LatLon, geo.Meters) {
	lon := math.Atan2(x[1], x[0])
	p := math.Hypot(x[0], x[1])
	lat := math.Atan2(x[2], p*(1-wgsE2))
	var h float64
	for range 6 {
		s, c := math.Sincos(lat)
		n := wgsA / math.Sqrt(1-wgsE2*s*s)
		h = p/c - n
		lat = math.Atan2(x[2], p*(1-wgsE2*n/(n+h)))
	}
	return geo.LatLon{Lat: geo.Degrees(lat * deg), Lon: geo.Degrees(lon * deg)}, geo.Meters(h)
}

// nedToECEF returns the rotation taking north-east-down components at p to
// ECEF components (its transpose goes back).
func nedToECEF(p geo.LatLon) [3]vec3 {
	sp, cp := math.Sincos(p.Lat.Radians())
	sl, cl := math.Sincos(p.Lon.Radians())
	return [3]vec3{
		{-sp * cl, -sl, -cp * cl},
		{-sp * sl, cl, -cp * sl},
		{cp, 0, -sp},
	}
}

func mul(m [3]vec3, v vec3) vec3 {
	return vec3{
		m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2],
	}
}

func transpose(m [3]vec3) [3]vec3 {
	return [3]vec3{{m[0][0], m[1][0], m[2][0]}, {m[0][1], m[1][1], m[2][1]}, {m[0][2], m[1][2], m[2][2]}}
}

// bodyFromNED returns the rotation taking north-east-down components to
// the aircraft's body axes (x forward, y right wing, z down) for heading,
// pitch and roll applied in that order (aerospace Z-Y-X Euler angles).
func bodyFromNED(heading, pitch, roll geo.Degrees) [3]vec3 {
	sy, cy := math.Sincos(heading.Radians())
	sp, cp := math.Sincos(pitch.Radians())
	sr, cr := math.Sincos(roll.Radians())
	return [3]vec3{
		{cp * cy, cp * sy, -sp},
		{sr*sp*cy - cr*sy, sr*sp*sy + cr*cy, sr * cp},
		{cr*sp*cy + sr*sy, cr*sp*sy - sr*cy, cr * cp},
	}
}

// View is where a sensor looks from a platform state: the angles relative
// to the airframe that MISB ST 0601 tags 18–20 carry, the slant range (tag
// 21), and the image corners on the ground (from which tags 26–33 are the
// offsets from the frame centre).
type View struct {
	RelAzimuth   geo.Degrees // clockwise from the nose, [0, 360)
	RelElevation geo.Degrees // up from the airframe's x-y plane; negative looks down
	RelRoll      geo.Degrees // rotation about the line of sight; always 0 here
	SlantRange   geo.Meters
	Center       geo.LatLon // the target
	// Corners are upper left, upper right, lower right, lower left;
	// HasCorners is false when a corner ray misses the ground.
	Corners    [4]geo.LatLon
	HasCorners bool
}

// Look computes the sensor's view from state s towards its target;
// geoidN converts heights above mean sea level to the ellipsoid.
func (sn *Sensor) Look(s *State, geoidN geo.Meters) View {
	p := ecef(s.Pos, s.Alt+geoidN)
	hT := sn.TargetElevation + geoidN
	t := ecef(sn.Target, hT)
	los := t.sub(p)
	r := los.norm()
	n2e := nedToECEF(s.Pos)
	b := bodyFromNED(s.Heading, s.Pitch, s.Roll)
	vb := mul(b, mul(transpose(n2e), los.scale(1/r)))
	v := View{SlantRange: geo.Meters(r), Center: sn.Target}
	az := math.Atan2(vb[1], vb[0])
	el := math.Atan2(-vb[2], math.Hypot(vb[0], vb[1]))
	v.RelAzimuth = norm360(az * deg)
	v.RelElevation = geo.Degrees(el * deg)
	// Image axes in the body frame: f the boresight, rt to the image's
	// right, up towards its top (relative roll 0).
	f := vb
	rt := vec3{-math.Sin(az), math.Cos(az), 0}
	up := rt.cross(f)
	tx := math.Tan(sn.HFOV.Radians() / 2)
	ty := math.Tan(sn.VFOV.Radians() / 2)
	bt := transpose(b)
	v.HasCorners = true
	for i, c := range [4][2]float64{{-1, 1}, {1, 1}, {1, -1}, {-1, -1}} {
		ray := f.add(rt.scale(c[0] * tx)).add(up.scale(c[1] * ty))
		dir := mul(n2e, mul(bt, ray))
		g, ok := hitEllipsoid(p, dir, float64(hT))
		if !ok {
			v.HasCorners = false
			break
		}
		v.Corners[i], _ = geodetic(g)
	}
	return v
}

// hitEllipsoid returns the first point where the ray p + t·d (t > 0) meets
// the ellipsoid raised by h.
func hitEllipsoid(p, d vec3, h float64) (vec3, bool) {
	a2 := (wgsA + h) * (wgsA + h)
	b2 := (wgsB + h) * (wgsB + h)
	qa := (d[0]*d[0]+d[1]*d[1])/a2 + d[2]*d[2]/b2
	qb := 2 * ((p[0]*d[0]+p[1]*d[1])/a2 + p[2]*d[2]/b2)
	qc := (p[0]*p[0]+p[1]*p[1])/a2 + p[2]*p[2]/b2 - 1
	disc := qb*qb - 4*qa*qc
	if disc < 0 {
		return vec3{}, false
	}
	t := (-qb - math.Sqrt(disc)) / (2 * qa)
	if t <= 0 {
		return vec3{}, false
	}
	return p.add(d.scale(t)), true
}
