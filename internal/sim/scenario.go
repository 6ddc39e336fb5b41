package sim

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/vigia/vigia/internal/feed/mpegts"
	"github.com/vigia/vigia/internal/geo"
)

//go:embed scenarios/*.toml
var embedded embed.FS

// ErrScenario is wrapped by every error about the content of a scenario
// file; the message names the file, the line when it can be found, and the
// key.
var ErrScenario = errors.New("bad scenario")

// Kind is what sort of aircraft flies.
type Kind uint8

// Kinds of aircraft.
const (
	Drone  Kind = iota + 1 // a remotely piloted aircraft (MQ-9 class)
	Manned                 // a crewed aircraft
)

// String returns "drone" or "manned".
func (k Kind) String() string {
	if k == Manned {
		return "manned"
	}
	return "drone"
}

// PatternKind is the shape of a flight pattern.
type PatternKind uint8

// Pattern kinds.
const (
	Orbit     PatternKind = iota + 1 // a circle round Center
	Racetrack                        // two half circles round Ends joined by straight legs
	Route                            // waypoints in order, optionally looped
)

// String returns "orbit", "racetrack" or "route".
func (k PatternKind) String() string {
	switch k {
	case Orbit:
		return "orbit"
	case Racetrack:
		return "racetrack"
	}
	return "route"
}

// Scenario is a parsed scenario: when it happens, who flies, and what the
// partner has authorised. It is plain data; New turns it into Flights.
type Scenario struct {
	Name        string
	Description string
	// Start is the UTC time of the scenario's first instant; receiver
	// clocks count from it.
	Start time.Time
	// Duration is how long the scenario runs.
	Duration time.Duration
	// Seed drives every random choice (message intervals, losses).
	Seed uint64
	// GeoidUndulation is the height of the geoid above the WGS84
	// ellipsoid used for the whole scenario (there is no geoid model):
	// height above ellipsoid = height above mean sea level + GeoidUndulation.
	GeoidUndulation geo.Meters
	// Receiver is the ADS-B ground station, for signal levels; nil if none.
	Receiver *Receiver

	Aircraft       []Aircraft
	Authorisations []Authorisation
}

// Receiver is an ADS-B ground station.
type Receiver struct {
	Pos geo.LatLon
	Alt geo.Meters // above mean sea level
}

// Aircraft is one aircraft of a scenario.
type Aircraft struct {
	// ID names the aircraft in the truth file and its TS file (<ID>.ts).
	ID   string
	Kind Kind

	// ADS-B: ICAO is the 24-bit address; ADSB says whether the aircraft
	// transmits extended squitters (true when an address is given).
	ADSB     bool
	ICAO     uint32
	Callsign string // up to 8 characters of A–Z, 0–9 and space
	// Category is the DO-260B emitter category, set letter and number
	// ("A3" large aircraft, "B6" unmanned aerial vehicle).
	Category string
	// ADSBLoss is the probability that a receiver misses a message, [0, 1).
	ADSBLoss float64
	// ModeSReplies adds the DF4 and DF5 surveillance replies a secondary
	// radar turning every 5 s would elicit; Squawk is the Mode A code
	// they carry, four octal digits as 12 bits.
	ModeSReplies bool
	Squawk       uint16

	// KLV: whether the aircraft sends an ST 0601 stream, in which
	// carriage, with which identity, at what packet and video frame rates
	// (Hz).
	KLV                 bool
	Carriage            mpegts.Carriage
	PlatformDesignation string
	MissionID           string
	KLVRate             float64
	FrameRate           float64

	// Flight: cruise speed (true airspeed, m/s; no wind, so also ground
	// speed), altitude above mean sea level, the largest climb or descent
	// rate (m/s) and bank angle.
	Speed     float64
	Altitude  geo.Meters
	ClimbRate float64
	MaxBank   geo.Degrees

	Pattern Pattern
	// Sensor is the drone's imaging sensor; nil when the aircraft sends no
	// sensor fields.
	Sensor *Sensor
}

// Pattern is the path an aircraft flies.
type Pattern struct {
	Kind PatternKind
	// Center and Radius of an orbit; Radius is also the turn radius of a
	// racetrack.
	Center geo.LatLon
	Radius geo.Meters
	// Clockwise orbits and racetracks turn right.
	Clockwise bool
	// Ends are the centres of a racetrack's two turns.
	Ends [2]geo.LatLon
	// Waypoints of a route, flown in order; Loop flies back to the first
	// after the last, otherwise the aircraft holds in an orbit round the
	// last.
	Waypoints []Waypoint
	Loop      bool
}

// Waypoint is a point of a route with the altitude and speed to fly
// towards it (0: the aircraft's own).
type Waypoint struct {
	Pos      geo.LatLon
	Altitude geo.Meters
	Speed    float64
}

// Sensor is a drone's imaging sensor, kept pointing at a fixed point on the
// ground.
type Sensor struct {
	Target          geo.LatLon
	TargetElevation geo.Meters // above mean sea level
	HFOV, VFOV      geo.Degrees
}

// Authorisation grants aircraft the right to fly in the partner's airspace
// within an area, a time window and an altitude band.
type Authorisation struct {
	ID string
	// Country is the ISO 3166-1 alpha-3 code of the airspace it grants.
	Country string
	// ICAO addresses and KLV mission ids of the aircraft it covers.
	ICAO       []uint32
	MissionIDs []string
	// Area is a polygon ring of lon/lat vertices (edges straight in
	// lon/lat, as GeoJSON), closed: the first vertex equals the last.
	Area []geo.LatLon
	// From and Until bound the window, relative to the scenario start.
	From, Until time.Duration
	// MinAlt and MaxAlt bound the altitude above mean sea level.
	MinAlt, MaxAlt geo.Meters
}

// Window returns the authorisation's time window in UTC for a scenario
// starting at start.
func (a *Authorisation) Window(start time.Time) (from, until time.Time) {
	return start.Add(a.From), start.Add(a.Until)
}

// Covers reports whether the authorisation names the aircraft.
func (a *Authorisation) Covers(ac *Aircraft) bool {
	for _, x := range a.ICAO {
		if ac.ADSB && x == ac.ICAO {
			return true
		}
	}
	for _, m := range a.MissionIDs {
		if ac.KLV && m == ac.MissionID {
			return true
		}
	}
	return false
}

// Names returns the names of the embedded scenarios.
func Names() []string {
	ents, _ := embedded.ReadDir("scenarios")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	return names
}

// Load returns the scenario named by nameOrPath: an embedded scenario's
// name ("border"), or the path of a TOML file.
func Load(nameOrPath string) (*Scenario, error) {
	if !strings.ContainsAny(nameOrPath, `/\`) && !strings.HasSuffix(nameOrPath, ".toml") {
		b, err := embedded.ReadFile("scenarios/" + nameOrPath + ".toml")
		if err != nil {
			return nil, fmt.Errorf("no embedded scenario %q (have %s)", nameOrPath, strings.Join(Names(), ", "))
		}
		return Parse(nameOrPath+".toml", b)
	}
	b, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(nameOrPath), b)
}

// The file's shape, as TOML decodes it. Pointers mark optional keys.
type fileScenario struct {
	Name            string           `toml:"name"`
	Description     string           `toml:"description"`
	Start           *time.Time       `toml:"start"`
	Duration        string           `toml:"duration"`
	Seed            *int64           `toml:"seed"`
	GeoidUndulation float64          `toml:"geoid_undulation_m"`
	Receiver        *fileReceiver    `toml:"receiver"`
	Aircraft        []fileAircraft   `toml:"aircraft"`
	Authorisation   []fileAuthorised `toml:"authorisation"`
}

type fileReceiver struct {
	Lat  *float64 `toml:"lat"`
	Lon  *float64 `toml:"lon"`
	AltM float64  `toml:"alt_m"`
}

type fileAircraft struct {
	ID                  string       `toml:"id"`
	Kind                string       `toml:"kind"`
	ICAO                string       `toml:"icao"`
	ADSB                *bool        `toml:"adsb"`
	Callsign            string       `toml:"callsign"`
	Category            string       `toml:"category"`
	ADSBLoss            float64      `toml:"adsb_loss"`
	ModeSReplies        bool         `toml:"mode_s_replies"`
	Squawk              string       `toml:"squawk"`
	KLV                 bool         `toml:"klv"`
	Carriage            string       `toml:"carriage"`
	PlatformDesignation string       `toml:"platform_designation"`
	MissionID           string       `toml:"mission_id"`
	KLVRate             *float64     `toml:"klv_rate_hz"`
	FrameRate           *float64     `toml:"frame_rate_hz"`
	Speed               *float64     `toml:"speed_mps"`
	Altitude            *float64     `toml:"altitude_m"`
	ClimbRate           *float64     `toml:"climb_rate_mps"`
	MaxBank             *float64     `toml:"max_bank_deg"`
	Pattern             *filePattern `toml:"pattern"`
	Sensor              *fileSensor  `toml:"sensor"`
}

type filePattern struct {
	Type      string         `toml:"type"`
	Center    []float64      `toml:"center"`
	RadiusM   *float64       `toml:"radius_m"`
	Direction string         `toml:"direction"`
	Ends      [][]float64    `toml:"ends"`
	Waypoints []fileWaypoint `toml:"waypoints"`
	Loop      bool           `toml:"loop"`
}

type fileWaypoint struct {
	Lon      *float64 `toml:"lon"`
	Lat      *float64 `toml:"lat"`
	AltM     float64  `toml:"altitude_m"`
	SpeedMPS float64  `toml:"speed_mps"`
}

type fileSensor struct {
	Target     []float64 `toml:"target"`
	TargetElev float64   `toml:"target_elevation_m"`
	HFOV       *float64  `toml:"hfov_deg"`
	VFOV       *float64  `toml:"vfov_deg"`
}

type fileAuthorised struct {
	ID         string      `toml:"id"`
	Country    string      `toml:"country"`
	ICAO       []string    `toml:"icao"`
	MissionIDs []string    `toml:"mission_ids"`
	Area       [][]float64 `toml:"area"`
	From       string      `toml:"from"`
	Until      string      `toml:"until"`
	MinAltM    *float64    `toml:"min_altitude_m"`
	MaxAltM    *float64    `toml:"max_altitude_m"`
}

// parser turns a fileScenario into a Scenario, naming the file, line and
// key of the first problem.
type parser struct {
	name string
	src  []byte
	err  error
}

// key is where a value sits: an array of tables and its index (or ""),
// a sub-table (or ""), and the key.
type key struct {
	arr string
	idx int
	sub string
	k   string
}

func (k key) String() string {
	var b strings.Builder
	if k.arr != "" {
		fmt.Fprintf(&b, "%s[%d]", k.arr, k.idx)
	}
	for _, s := range []string{k.sub, k.k} {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// fail records the first error, at the line of k when it can be found.
func (p *parser) fail(k key, format string, args ...any) {
	if p.err != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if line := lineOf(p.src, k); line > 0 {
		p.err = fmt.Errorf("%w: %s:%d: %s: %s", ErrScenario, p.name, line, k, msg)
	} else {
		p.err = fmt.Errorf("%w: %s: %s: %s", ErrScenario, p.name, k, msg)
	}
}

// lineOf finds the line (1-based) of key k in a TOML source laid out with
// table headers ([[aircraft]], [aircraft.pattern]); 0 if not found. Keys in
// inline tables are found by name within their table.
func lineOf(src []byte, k key) int {
	arrIdx := -1
	table := ""
	header := 0
	for i, line := range bytes.Split(src, []byte("\n")) {
		l := strings.TrimSpace(string(line))
		if strings.HasPrefix(l, "[") {
			h := strings.Trim(l, "[] \t")
			if c := strings.Index(h, "#"); c >= 0 {
				h = strings.TrimSpace(strings.Trim(h[:c], "[] \t"))
			}
			if strings.HasPrefix(l, "[[") && h == k.arr {
				arrIdx++
			}
			table = h
			want := k.arr
			if k.sub != "" {
				want = strings.TrimPrefix(k.arr+"."+k.sub, ".")
			}
			if table == want && (k.arr == "" || arrIdx == k.idx) {
				header = i + 1
				if k.k == "" {
					return header
				}
			}
			continue
		}
		in := table == strings.TrimPrefix(k.arr+"."+k.sub, ".") || (k.sub == "" && table == k.arr)
		if k.arr == "" && k.sub == "" {
			in = table == ""
		}
		if !in || (k.arr != "" && arrIdx != k.idx) {
			continue
		}
		if eq := strings.IndexByte(l, '='); eq > 0 && strings.TrimSpace(l[:eq]) == k.k {
			return i + 1
		}
	}
	return header
}

// zoned matches the end of a TOML offset date-time.
var zoned = regexp.MustCompile(`(?i)(z|[+-]\d\d:\d\d)$`)

// hasOffset reports whether the date-time value on line (1-based) of src
// carries a UTC offset; TOML local date-times have none.
func hasOffset(src []byte, line int) bool {
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return true // not found: nothing to say
	}
	l := string(lines[line-1])
	if i := strings.IndexByte(l, '#'); i >= 0 {
		l = l[:i]
	}
	if i := strings.IndexByte(l, '='); i >= 0 {
		l = l[i+1:]
	}
	return zoned.MatchString(strings.TrimSpace(l))
}

// Parse parses a scenario from TOML; name is used in error messages. Every
// error wraps ErrScenario (or is a TOML syntax error) and names the line
// and key.
func Parse(name string, src []byte) (*Scenario, error) {
	var f fileScenario
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(&f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: %s:%d: %s", ErrScenario, name, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrScenario, name, err)
	}
	p := &parser{name: name, src: src}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		kk := key{k: k[len(k)-1]}
		if len(k) > 1 {
			kk.arr = k[0]
			kk.idx = countTableBefore(src, k)
			if len(k) > 2 {
				kk.sub = strings.Join(k[1:len(k)-1], ".")
			}
		}
		if kk.arr != "aircraft" && kk.arr != "authorisation" && len(k) == 2 {
			kk = key{sub: k[0], k: k[1]}
		}
		p.fail(kk, "unknown key")
		return nil, p.err
	}
	sc := p.scenario(&f)
	if p.err != nil {
		return nil, p.err
	}
	return sc, nil
}

// countTableBefore returns which [[arr]] table an undecoded key belongs to:
// the number of [[arr]] headers before the key's first line, less one.
func countTableBefore(src []byte, k toml.Key) int {
	n := -1
	for _, line := range bytes.Split(src, []byte("\n")) {
		l := strings.TrimSpace(string(line))
		if strings.HasPrefix(l, "[["+k[0]+"]]") {
			n++
		}
		if eq := strings.IndexByte(l, '='); eq > 0 && strings.TrimSpace(l[:eq]) == k[len(k)-1] && n >= 0 {
			return n
		}
	}
	return max(n, 0)
}

func (p *parser) scenario(f *fileScenario) *Scenario {
	sc := &Scenario{Name: f.Name, Description: f.Description, GeoidUndulation: geo.Meters(f.GeoidUndulation)}
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(p.name, ".toml")
	}
	if f.Start == nil {
		p.fail(key{k: "start"}, "missing (a TOML date-time, e.g. 2026-03-02T17:00:00Z)")
	} else if !hasOffset(p.src, lineOf(p.src, key{k: "start"})) {
		p.fail(key{k: "start"}, "a local date or time: give the UTC offset, e.g. 2026-03-02T17:00:00Z")
	} else {
		sc.Start = f.Start.UTC()
	}
	sc.Duration = 20 * time.Minute
	if f.Duration != "" {
		d, err := time.ParseDuration(f.Duration)
		if err != nil || d <= 0 || d > 24*time.Hour {
			p.fail(key{k: "duration"}, "%q is not a duration between 0 and 24h (e.g. \"20m\")", f.Duration)
		}
		sc.Duration = d
	}
	if f.Seed != nil {
		sc.Seed = uint64(*f.Seed)
	}
	if !(math.Abs(f.GeoidUndulation) <= 120) {
		p.fail(key{k: "geoid_undulation_m"}, "%g m is beyond the geoid's range (±120 m)", f.GeoidUndulation)
	}
	if r := f.Receiver; r != nil {
		if r.Lat == nil || r.Lon == nil {
			p.fail(key{sub: "receiver", k: "lat"}, "receiver needs lat and lon")
		} else if !(r.AltM >= -500 && r.AltM <= 10000) {
			p.fail(key{sub: "receiver", k: "alt_m"}, "%g m outside [-500, 10000]", r.AltM)
		} else {
			sc.Receiver = &Receiver{Pos: p.latLon(key{sub: "receiver", k: "lat"}, *r.Lon, *r.Lat), Alt: geo.Meters(r.AltM)}
		}
	}
	if len(f.Aircraft) == 0 {
		p.fail(key{k: "aircraft"}, "no [[aircraft]]")
	}
	ids := map[string]bool{}
	icaos := map[uint32]string{}
	for i := range f.Aircraft {
		a := p.aircraft(i, &f.Aircraft[i])
		if p.err != nil {
			return nil
		}
		if ids[a.ID] {
			p.fail(key{"aircraft", i, "", "id"}, "duplicate id %q", a.ID)
		}
		ids[a.ID] = true
		if a.ADSB {
			if other, ok := icaos[a.ICAO]; ok {
				p.fail(key{"aircraft", i, "", "icao"}, "address %06X already used by %q", a.ICAO, other)
			}
			icaos[a.ICAO] = a.ID
		}
		sc.Aircraft = append(sc.Aircraft, a)
	}
	for i := range f.Authorisation {
		sc.Authorisations = append(sc.Authorisations, p.authorisation(i, &f.Authorisation[i]))
	}
	return sc
}

// latLon checks a position given as lon, lat.
func (p *parser) latLon(k key, lon, lat float64) geo.LatLon {
	if !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		p.fail(k, "position lon %g, lat %g outside [-180, 180] × [-90, 90]", lon, lat)
	}
	return geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
}

// pair checks a [lon, lat] array.
func (p *parser) pair(k key, v []float64) geo.LatLon {
	if len(v) != 2 {
		p.fail(k, "want [lon, lat], got %d numbers", len(v))
		return geo.LatLon{}
	}
	return p.latLon(k, v[0], v[1])
}

// num returns *v, or def when v is nil; it checks lo ≤ value ≤ hi.
func (p *parser) num(k key, v *float64, def, lo, hi float64, unit string) float64 {
	x := def
	if v != nil {
		x = *v
	}
	if !(x >= lo && x <= hi) {
		if v == nil {
			p.fail(k, "missing")
		} else {
			p.fail(k, "%g %s outside [%g, %g]", x, unit, lo, hi)
		}
	}
	return x
}

// callsignOK reports whether s can be sent in an identification message.
func callsignOK(s string) bool {
	if len(s) > 8 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ') {
			return false
		}
	}
	return true
}

func (p *parser) aircraft(i int, f *fileAircraft) Aircraft {
	k := func(name string) key { return key{"aircraft", i, "", name} }
	a := Aircraft{ID: f.ID, Callsign: strings.ToUpper(f.Callsign), Category: strings.ToUpper(f.Category),
		KLV: f.KLV, PlatformDesignation: f.PlatformDesignation, MissionID: f.MissionID, ADSBLoss: f.ADSBLoss}
	if a.ID == "" || strings.ContainsAny(a.ID, `/\ `) {
		p.fail(k("id"), "missing or not usable as a file name: %q", a.ID)
	}
	defSpeed, defAlt, defClimb, defBank := 85.0, 6700.0, 5.0, 25.0
	switch f.Kind {
	case "drone":
		a.Kind = Drone
	case "manned":
		a.Kind = Manned
		defSpeed, defAlt, defClimb, defBank = 130, 7000, 10, 25
	default:
		p.fail(k("kind"), "%q: want \"drone\" or \"manned\"", f.Kind)
	}
	if f.ICAO != "" {
		v, err := strconv.ParseUint(f.ICAO, 16, 32)
		if err != nil || len(f.ICAO) != 6 || v == 0 || v == 0xFFFFFF {
			p.fail(k("icao"), "%q: want six hex digits", f.ICAO)
		}
		a.ICAO, a.ADSB = uint32(v), true
	}
	if f.ADSB != nil {
		if *f.ADSB && f.ICAO == "" {
			p.fail(k("adsb"), "ADS-B needs an icao address")
		}
		a.ADSB = *f.ADSB
	}
	if !callsignOK(a.Callsign) {
		p.fail(k("callsign"), "%q: want up to 8 of A-Z, 0-9, space", f.Callsign)
	}
	if a.Category == "" {
		a.Category = "A3"
		if a.Kind == Drone {
			a.Category = "B6"
		}
	}
	if len(a.Category) != 2 || a.Category[0] < 'A' || a.Category[0] > 'D' || a.Category[1] < '0' || a.Category[1] > '7' {
		p.fail(k("category"), "%q: want a set A-D and a number 0-7, e.g. \"A3\" or \"B6\"", f.Category)
	}
	if f.Squawk != "" {
		v, err := strconv.ParseUint(f.Squawk, 8, 16)
		if err != nil || len(f.Squawk) != 4 {
			p.fail(k("squawk"), "%q: want four octal digits", f.Squawk)
		}
		a.Squawk = uint16(v)
	}
	a.ModeSReplies = f.ModeSReplies
	if a.ModeSReplies && (!a.ADSB || f.Squawk == "") {
		p.fail(k("mode_s_replies"), "surveillance replies need an icao address, ADS-B and a squawk")
	}
	if !(a.ADSBLoss >= 0 && a.ADSBLoss < 1) {
		p.fail(k("adsb_loss"), "%g outside [0, 1)", a.ADSBLoss)
	}
	if a.KLV {
		switch f.Carriage {
		case "", "async":
			a.Carriage = mpegts.Async
		case "sync":
			a.Carriage = mpegts.Sync
		default:
			p.fail(k("carriage"), "%q: want \"async\" or \"sync\"", f.Carriage)
		}
		if a.PlatformDesignation == "" {
			p.fail(k("platform_designation"), "missing (needed with klv = true)")
		}
		if a.MissionID == "" {
			p.fail(k("mission_id"), "missing (needed with klv = true)")
		}
		if len(a.PlatformDesignation) > 127 || len(a.MissionID) > 127 {
			p.fail(k("mission_id"), "longer than 127 bytes")
		}
		a.KLVRate = p.num(k("klv_rate_hz"), f.KLVRate, 10, 0.1, 60, "Hz")
		a.FrameRate = p.num(k("frame_rate_hz"), f.FrameRate, 30, 1, 60, "Hz")
	}
	if !a.KLV && !a.ADSB {
		p.fail(k("klv"), "aircraft sends nothing: give an icao address or klv = true")
	}
	a.Speed = p.num(k("speed_mps"), f.Speed, defSpeed, 20, 300, "m/s")
	a.Altitude = geo.Meters(p.num(k("altitude_m"), f.Altitude, defAlt, -300, 15000, "m"))
	a.ClimbRate = p.num(k("climb_rate_mps"), f.ClimbRate, defClimb, 0.5, 50, "m/s")
	a.MaxBank = geo.Degrees(p.num(k("max_bank_deg"), f.MaxBank, defBank, 5, 60, "degrees"))
	if f.Pattern == nil {
		p.fail(k("pattern"), "missing [aircraft.pattern]")
	} else {
		a.Pattern = p.pattern(i, f.Pattern, &a)
	}
	if s := f.Sensor; s != nil {
		ks := func(name string) key { return key{"aircraft", i, "sensor", name} }
		sn := &Sensor{Target: p.pair(ks("target"), s.Target), TargetElevation: geo.Meters(s.TargetElev)}
		sn.HFOV = geo.Degrees(p.num(ks("hfov_deg"), s.HFOV, 8, 0.1, 60, "degrees"))
		sn.VFOV = geo.Degrees(p.num(ks("vfov_deg"), s.VFOV, float64(sn.HFOV)*9/16, 0.1, 60, "degrees"))
		if !(sn.TargetElevation >= -500 && sn.TargetElevation < a.Altitude) {
			p.fail(ks("target_elevation_m"), "target at %g m is not between -500 m and the aircraft at %g m", s.TargetElev, float64(a.Altitude))
		}
		a.Sensor = sn
	}
	return a
}

// turnRadius is the radius of a turn at speed v (m/s) and bank b.
func turnRadius(v float64, b geo.Degrees) geo.Meters {
	return geo.Meters(v * v / (gravity * math.Tan(b.Radians())))
}

func (p *parser) pattern(i int, f *filePattern, a *Aircraft) Pattern {
	k := func(name string) key { return key{"aircraft", i, "pattern", name} }
	var pt Pattern
	switch f.Direction {
	case "", "cw":
		pt.Clockwise = true
	case "ccw":
	default:
		p.fail(k("direction"), "%q: want \"cw\" or \"ccw\"", f.Direction)
	}
	minR := turnRadius(a.Speed, a.MaxBank) * 1.2
	radius := func() geo.Meters {
		r := geo.Meters(p.num(k("radius_m"), f.RadiusM, 0, 1, 500e3, "m"))
		if r < minR && p.err == nil {
			p.fail(k("radius_m"), "%g m is tighter than the aircraft can turn at %g m/s and %g° of bank (at least %.0f m)", float64(r), a.Speed, float64(a.MaxBank), float64(minR))
		}
		return r
	}
	switch f.Type {
	case "orbit":
		pt.Kind = Orbit
		pt.Center = p.pair(k("center"), f.Center)
		pt.Radius = radius()
	case "racetrack":
		pt.Kind = Racetrack
		if len(f.Ends) != 2 {
			p.fail(k("ends"), "want two [lon, lat] turn centres, got %d", len(f.Ends))
			return pt
		}
		pt.Ends[0] = p.pair(k("ends"), f.Ends[0])
		pt.Ends[1] = p.pair(k("ends"), f.Ends[1])
		pt.Radius = radius()
		if d := geo.WGS84.Distance(pt.Ends[0], pt.Ends[1]); p.err == nil && d < 2*pt.Radius {
			p.fail(k("ends"), "turn centres %.0f m apart: want at least twice radius_m", float64(d))
		}
	case "route":
		pt.Kind = Route
		pt.Loop = f.Loop
		if len(f.Waypoints) < 2 {
			p.fail(k("waypoints"), "want at least two waypoints, got %d", len(f.Waypoints))
		}
		for j, w := range f.Waypoints {
			if w.Lat == nil || w.Lon == nil {
				p.fail(k("waypoints"), "waypoint %d: needs lat and lon", j)
				return pt
			}
			wp := Waypoint{Pos: p.latLon(k("waypoints"), *w.Lon, *w.Lat), Altitude: geo.Meters(w.AltM), Speed: w.SpeedMPS}
			if wp.Speed != 0 && !(wp.Speed >= 20 && wp.Speed <= 300) {
				p.fail(k("waypoints"), "waypoint %d: speed_mps %g outside [20, 300]", j, wp.Speed)
			}
			if !(wp.Altitude >= -300 && wp.Altitude <= 15000) {
				p.fail(k("waypoints"), "waypoint %d: altitude_m %g outside [-300, 15000]", j, float64(wp.Altitude))
			}
			pt.Waypoints = append(pt.Waypoints, wp)
		}
	default:
		p.fail(k("type"), "%q: want \"orbit\", \"racetrack\" or \"route\"", f.Type)
	}
	return pt
}

func (p *parser) authorisation(i int, f *fileAuthorised) Authorisation {
	k := func(name string) key { return key{"authorisation", i, "", name} }
	a := Authorisation{ID: f.ID, Country: strings.ToUpper(f.Country), MissionIDs: f.MissionIDs}
	if a.ID == "" {
		p.fail(k("id"), "missing")
	}
	if len(a.Country) != 3 {
		p.fail(k("country"), "%q: want an ISO 3166-1 alpha-3 code", f.Country)
	}
	for _, s := range f.ICAO {
		v, err := strconv.ParseUint(s, 16, 32)
		if err != nil || len(s) != 6 {
			p.fail(k("icao"), "%q: want six hex digits", s)
		}
		a.ICAO = append(a.ICAO, uint32(v))
	}
	if len(a.ICAO) == 0 && len(a.MissionIDs) == 0 {
		p.fail(k("icao"), "grants no aircraft: give icao or mission_ids")
	}
	if len(f.Area) < 4 {
		p.fail(k("area"), "want a closed ring of at least 4 [lon, lat] vertices, got %d", len(f.Area))
	}
	for _, v := range f.Area {
		a.Area = append(a.Area, p.pair(k("area"), v))
	}
	if n := len(a.Area); n >= 4 && a.Area[0] != a.Area[n-1] {
		p.fail(k("area"), "ring not closed: first vertex differs from last")
	}
	dur := func(name, s string, def time.Duration) time.Duration {
		if s == "" {
			return def
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			p.fail(k(name), "%q is not a duration (e.g. \"-1h\", \"4h30m\")", s)
		}
		return d
	}
	a.From = dur("from", f.From, -24*time.Hour)
	a.Until = dur("until", f.Until, 48*time.Hour)
	if a.Until <= a.From {
		p.fail(k("until"), "window ends before it begins")
	}
	a.MinAlt = geo.Meters(p.num(k("min_altitude_m"), f.MinAltM, -1000, -1000, 30000, "m"))
	a.MaxAlt = geo.Meters(p.num(k("max_altitude_m"), f.MaxAltM, 30000, -1000, 30000, "m"))
	if a.MaxAlt <= a.MinAlt {
		p.fail(k("max_altitude_m"), "altitude band is empty")
	}
	return a
}
