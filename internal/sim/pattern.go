package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/vigia/vigia/internal/geo"
)

const (
	// gravity is standard gravity, m/s².
	gravity = 9.80665
	// Step is the integration step of trajectories; States are stored at
	// this interval and interpolated in between.
	Step = 100 * time.Millisecond
	// MaxDuration is the longest scenario a Flight is built for.
	MaxDuration = 12 * time.Hour
	// angleOfAttack is the pitch of the airframe above its flight path.
	angleOfAttack geo.Degrees = 2
)

// State is the true state of an aircraft at one instant. There is no wind,
// so the track over the ground equals the heading and the ground speed the
// true airspeed.
type State struct {
	T            time.Duration // since the scenario start
	Pos          geo.LatLon
	Alt          geo.Meters  // above mean sea level (also the pressure altitude: standard atmosphere)
	Speed        float64     // m/s
	Heading      geo.Degrees // true, [0, 360)
	Pitch        geo.Degrees // nose up positive
	Roll         geo.Degrees // right wing down positive
	VerticalRate float64     // m/s, up positive
}

// Flight is the trajectory of one aircraft over a scenario.
type Flight struct {
	Aircraft *Aircraft
	states   []State // at k·Step
}

// NewFlight integrates the trajectory of a over [0, d].
func NewFlight(a *Aircraft, d time.Duration) (*Flight, error) {
	if d <= 0 || d > MaxDuration {
		return nil, fmt.Errorf("sim: duration %v outside (0, %v]", d, MaxDuration)
	}
	g := newGuide(a)
	n := int(d/Step) + 2
	f := &Flight{Aircraft: a, states: make([]State, 0, n)}
	s := g.start()
	for i := range n {
		s.T = time.Duration(i) * Step
		f.states = append(f.states, s)
		s = g.step(s, Step.Seconds())
	}
	return f, nil
}

// Duration returns the time the trajectory covers.
func (f *Flight) Duration() time.Duration { return time.Duration(len(f.states)-2) * Step }

// States returns the integrated states at every Step; the caller must not
// modify them.
func (f *Flight) States() []State { return f.states }

// At returns the state at time t from the scenario start (clamped to the
// trajectory), interpolated linearly between integration steps.
func (f *Flight) At(t time.Duration) State {
	if t <= 0 {
		return f.states[0]
	}
	i := int(t / Step)
	if i >= len(f.states)-1 {
		return f.states[len(f.states)-1]
	}
	a, b := &f.states[i], &f.states[i+1]
	u := float64(t-a.T) / float64(Step)
	lerp := func(x, y float64) float64 { return x + (y-x)*u }
	dh := math.Remainder(float64(b.Heading-a.Heading), 360)
	return State{
		T:            t,
		Pos:          geo.LatLon{Lat: geo.Degrees(lerp(float64(a.Pos.Lat), float64(b.Pos.Lat))), Lon: geo.Degrees(lerp(float64(a.Pos.Lon), float64(b.Pos.Lon)))},
		Alt:          geo.Meters(lerp(float64(a.Alt), float64(b.Alt))),
		Speed:        lerp(a.Speed, b.Speed),
		Heading:      norm360(float64(a.Heading) + dh*u),
		Pitch:        geo.Degrees(lerp(float64(a.Pitch), float64(b.Pitch))),
		Roll:         geo.Degrees(lerp(float64(a.Roll), float64(b.Roll))),
		VerticalRate: lerp(a.VerticalRate, b.VerticalRate),
	}
}

func norm360(x float64) geo.Degrees {
	x = math.Mod(x, 360)
	if x < 0 {
		x += 360
	}
	if x >= 360 {
		x = 0
	}
	return geo.Degrees(x)
}

// wrap180 reduces an angle difference to [-180, 180].
func wrap180(x float64) float64 { return math.Remainder(x, 360) }

const deg = 180 / math.Pi

// guide flies an aircraft along its pattern: it picks a commanded course,
// altitude and speed, and the kinematics follow within the aircraft's
// limits.
type guide struct {
	a         *Aircraft
	sign      float64 // +1 turning right (clockwise), -1 left
	lookahead float64 // m, for cross-track corrections
	rollRate  float64 // degrees per second
	accel     float64 // m/s²

	// racetrack and route: the current leg and phase
	legs  [][2]geo.LatLon // racetrack legs: [start, end]
	phase int             // racetrack: 2k straight leg k, 2k+1 the turn after it
	wp    int             // route: the waypoint flown towards
	hold  bool            // route: past the last waypoint, orbiting it
}

func newGuide(a *Aircraft) *guide {
	g := &guide{a: a, sign: -1, rollRate: 7, accel: 1}
	if a.Pattern.Clockwise {
		g.sign = 1
	}
	if a.Kind == Manned {
		g.rollRate, g.accel = 12, 1.5
	}
	g.lookahead = math.Max(1500, 1.5*float64(turnRadius(a.Speed, a.MaxBank)))
	if p := &a.Pattern; p.Kind == Racetrack {
		_, az01, az01b := geo.WGS84.Inverse(p.Ends[0].Lat, p.Ends[0].Lon, p.Ends[1].Lat, p.Ends[1].Lon)
		off := -g.sign * 90
		p1 := direct(p.Ends[0], float64(az01)+off, p.Radius)
		p2 := direct(p.Ends[1], float64(az01b)+off, p.Radius)
		q2 := direct(p.Ends[1], float64(az01b)-off, p.Radius)
		q1 := direct(p.Ends[0], float64(az01)-off, p.Radius)
		g.legs = [][2]geo.LatLon{{p1, p2}, {q2, q1}}
	}
	return g
}

func direct(p geo.LatLon, az float64, d geo.Meters) geo.LatLon {
	lat, lon, _ := geo.WGS84.Direct(p.Lat, p.Lon, geo.Degrees(az), d)
	return geo.LatLon{Lat: lat, Lon: lon}
}

// start returns the aircraft's state at time 0: on its pattern, level, at
// cruise speed.
func (g *guide) start() State {
	a := g.a
	s := State{Alt: a.Altitude, Speed: a.Speed}
	switch p := &a.Pattern; p.Kind {
	case Orbit:
		s.Pos = direct(p.Center, 180, p.Radius)
		s.Heading = norm360(180 + g.sign*90)
		s.Roll = geo.Degrees(g.sign * math.Atan(a.Speed*a.Speed/(gravity*float64(p.Radius))) * deg)
	case Racetrack:
		s.Pos = g.legs[0][0]
		_, az, _ := geo.WGS84.Inverse(s.Pos.Lat, s.Pos.Lon, g.legs[0][1].Lat, g.legs[0][1].Lon)
		s.Heading = norm360(float64(az))
	case Route:
		w0, w1 := p.Waypoints[0], p.Waypoints[1]
		s.Pos = w0.Pos
		if w0.Altitude != 0 {
			s.Alt = w0.Altitude
		}
		if w0.Speed != 0 {
			s.Speed = w0.Speed
		}
		_, az, _ := geo.WGS84.Inverse(w0.Pos.Lat, w0.Pos.Lon, w1.Pos.Lat, w1.Pos.Lon)
		s.Heading = norm360(float64(az))
		g.wp = 1
	}
	s.Pitch = angleOfAttack
	return s
}

// orbitCourse returns the course that brings the aircraft onto the circle
// round c of radius r turning with g.sign, and the turn rate (rad/s) that
// flying the circle needs.
func (g *guide) orbitCourse(s *State, c geo.LatLon, r geo.Meters) (course, ff float64) {
	d, az, _ := geo.WGS84.Inverse(c.Lat, c.Lon, s.Pos.Lat, s.Pos.Lon)
	corr := math.Atan2(float64(d-r), g.lookahead) * deg
	return float64(az) + g.sign*(90+corr), g.sign * s.Speed / float64(r)
}

// legCourse returns the course that brings the aircraft onto the geodesic
// from a to b, and the distance flown along it.
func (g *guide) legCourse(s *State, a, b geo.LatLon) (course float64, along, length geo.Meters) {
	length, az0, _ := geo.WGS84.Inverse(a.Lat, a.Lon, b.Lat, b.Lon)
	d, az, _ := geo.WGS84.Inverse(a.Lat, a.Lon, s.Pos.Lat, s.Pos.Lon)
	rel := float64(az-az0) / deg
	along = geo.Meters(float64(d) * math.Cos(rel))
	xt := float64(d) * math.Sin(rel) // right of the line positive
	_, _, lineAz := geo.WGS84.Direct(a.Lat, a.Lon, az0, max(along, 0))
	return float64(lineAz) - math.Atan2(xt, g.lookahead)*deg, along, length
}

// command returns the commanded course, feed-forward turn rate (rad/s),
// altitude and speed for state s, advancing the pattern's phase.
func (g *guide) command(s *State) (course, ff float64, alt geo.Meters, speed float64) {
	a := g.a
	alt, speed = a.Altitude, a.Speed
	switch p := &a.Pattern; p.Kind {
	case Orbit:
		course, ff = g.orbitCourse(s, p.Center, p.Radius)
	case Racetrack:
		leg := g.phase / 2
		if g.phase%2 == 0 {
			var along, length geo.Meters
			course, along, length = g.legCourse(s, g.legs[leg][0], g.legs[leg][1])
			if along >= length {
				g.phase++
			}
			return course, 0, alt, speed
		}
		next := g.legs[1-leg]
		_, nextAz, _ := geo.WGS84.Inverse(next[0].Lat, next[0].Lon, next[1].Lat, next[1].Lon)
		course, ff = g.orbitCourse(s, p.Ends[1-leg], p.Radius)
		if math.Abs(wrap180(float64(s.Heading-nextAz))) < 10 {
			g.phase = (g.phase + 1) % 4
		}
	case Route:
		n := len(p.Waypoints)
		w := p.Waypoints[g.wp%n]
		if w.Altitude != 0 {
			alt = w.Altitude
		}
		if w.Speed != 0 {
			speed = w.Speed
		}
		if g.hold {
			hr := math.Max(1.5*float64(turnRadius(speed, a.MaxBank)), 3000)
			course, ff = g.orbitCourse(s, w.Pos, geo.Meters(hr))
			return course, ff, alt, speed
		}
		prev := p.Waypoints[(g.wp-1+n)%n]
		course, _, _ = g.legCourse(s, prev.Pos, w.Pos)
		dist, _, _ := geo.WGS84.Inverse(s.Pos.Lat, s.Pos.Lon, w.Pos.Lat, w.Pos.Lon)
		// Turn anticipation: start the turn onto the next leg so as to
		// roll out on it.
		lead := 500.0
		if g.wp+1 < n || p.Loop {
			nx := p.Waypoints[(g.wp+1)%n]
			_, a1, _ := geo.WGS84.Inverse(w.Pos.Lat, w.Pos.Lon, nx.Pos.Lat, nx.Pos.Lon)
			_, _, a0 := geo.WGS84.Inverse(prev.Pos.Lat, prev.Pos.Lon, w.Pos.Lat, w.Pos.Lon)
			turn := math.Abs(wrap180(float64(a1-a0))) / deg
			lead = math.Max(lead, math.Min(float64(turnRadius(speed, a.MaxBank))*math.Tan(turn/2), 8000))
		}
		if float64(dist) < lead {
			switch {
			case g.wp+1 < n:
				g.wp++
			case p.Loop:
				g.wp = 0
			default:
				g.hold = true
			}
		}
	}
	return course, ff, alt, speed
}

// step advances s by dt seconds.
func (g *guide) step(s State, dt float64) State {
	a := g.a
	course, ff, alt, speed := g.command(&s)
	// Lateral: a commanded turn rate from the heading error (time
	// constant 10 s) plus the pattern's own turn rate, flown as a bank
	// angle within the limit, reached at the roll rate.
	herr := wrap180(course-float64(s.Heading)) / deg
	omega := ff + herr/10
	maxBank := float64(a.MaxBank)
	want := math.Max(-maxBank, math.Min(maxBank, math.Atan(s.Speed*omega/gravity)*deg))
	dr := math.Max(-g.rollRate*dt, math.Min(g.rollRate*dt, want-float64(s.Roll)))
	s.Roll += geo.Degrees(dr)
	omega = gravity * math.Tan(float64(s.Roll)/deg) / s.Speed
	// Speed within the acceleration limit.
	s.Speed += math.Max(-g.accel*dt, math.Min(g.accel*dt, speed-s.Speed))
	// Vertical: a commanded rate from the altitude error (time constant
	// 20 s) within the climb limit, reached at 0.5 m/s².
	vsWant := math.Max(-a.ClimbRate, math.Min(a.ClimbRate, float64(alt-s.Alt)/20))
	s.VerticalRate += math.Max(-0.5*dt, math.Min(0.5*dt, vsWant-s.VerticalRate))
	gamma := math.Asin(math.Max(-1, math.Min(1, s.VerticalRate/s.Speed)))
	s.Pitch = geo.Degrees(gamma*deg) + angleOfAttack
	// Move along the geodesic, then turn.
	ground := geo.Meters(s.Speed * math.Cos(gamma) * dt)
	lat, lon, az2 := geo.WGS84.Direct(s.Pos.Lat, s.Pos.Lon, s.Heading, ground)
	s.Pos = geo.LatLon{Lat: lat, Lon: geo.NormalizeLon(lon)}
	s.Alt += geo.Meters(s.VerticalRate * dt)
	s.Heading = norm360(float64(az2) + omega*deg*dt)
	return s
}
