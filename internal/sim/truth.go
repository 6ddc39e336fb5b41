package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/feed/mpegts"
)

// TruthHeader is the first record of a truth file: the scenario as run,
// enough to reproduce it (start, duration, seed) and to account its flights
// (aircraft identities and authorisations) without the TOML file.
type TruthHeader struct {
	Type            string          `json:"type"` // "scenario"
	Name            string          `json:"name"`
	Start           time.Time       `json:"start"`
	DurationS       float64         `json:"duration_s"`
	Seed            uint64          `json:"seed"`
	GeoidUndulation float64         `json:"geoid_undulation_m"`
	ClockHz         int             `json:"clock_hz"` // receiver clock: ticks since start
	PTSBase         int64           `json:"pts_base"` // 90 kHz PTS of the start in every TS
	Aircraft        []TruthAircraft `json:"aircraft"` // in scenario order
	Authorisations  []TruthAuth     `json:"authorisations"`
}

// TruthAircraft describes one aircraft in the truth header.
type TruthAircraft struct {
	ID                  string    `json:"id"`
	Kind                string    `json:"kind"`
	ICAO                string    `json:"icao,omitempty"` // six upper-case hex digits, when it sends ADS-B
	PositionID          []string  `json:"position_ids"`   // the position.Position IDs its feeds yield
	Callsign            string    `json:"callsign,omitempty"`
	Category            string    `json:"category,omitempty"`
	MissionID           string    `json:"mission_id,omitempty"`
	PlatformDesignation string    `json:"platform_designation,omitempty"`
	TSFile              string    `json:"ts_file,omitempty"`
	Carriage            string    `json:"carriage,omitempty"`
	Pattern             string    `json:"pattern"`
	SensorTarget        []float64 `json:"sensor_target,omitempty"` // [lon, lat]
	Authorisations      []string  `json:"authorisations"`          // ids of the authorisations that name it
}

// TruthAuth is one authorisation in the truth header, with absolute times.
type TruthAuth struct {
	ID         string       `json:"id"`
	Country    string       `json:"country"`
	ICAO       []string     `json:"icao"`
	MissionIDs []string     `json:"mission_ids"`
	Area       [][2]float64 `json:"area"` // closed ring of [lon, lat]
	From       time.Time    `json:"from"`
	Until      time.Time    `json:"until"`
	MinAltM    float64      `json:"min_altitude_m"`
	MaxAltM    float64      `json:"max_altitude_m"`
}

// TruthState is one truth record: the true state of an aircraft when a
// message was emitted.
type TruthState struct {
	Type         string    `json:"type"` // "state"
	Time         time.Time `json:"time"`
	TS           float64   `json:"t_s"` // seconds since the start
	Ticks        *int64    `json:"ticks,omitempty"`
	PTS          *int64    `json:"pts,omitempty"`
	ID           string    `json:"id"`
	Msg          string    `json:"msg"`
	Lat          float64   `json:"lat"`
	Lon          float64   `json:"lon"`
	AltMSL       float64   `json:"alt_msl_m"`
	AltHAE       float64   `json:"alt_hae_m"`
	Speed        float64   `json:"speed_mps"`
	Heading      float64   `json:"heading_deg"`
	Pitch        float64   `json:"pitch_deg"`
	Roll         float64   `json:"roll_deg"`
	VerticalRate float64   `json:"vertical_rate_mps"`
}

// Header returns the truth header of the scenario.
func (s *Sim) Header() TruthHeader {
	sc := s.Scenario
	h := TruthHeader{Type: "scenario", Name: sc.Name, Start: sc.Start, DurationS: sc.Duration.Seconds(), Seed: sc.Seed,
		GeoidUndulation: float64(sc.GeoidUndulation), ClockHz: TicksPerSecond, PTSBase: PTSBase,
		Aircraft: []TruthAircraft{}, Authorisations: []TruthAuth{}}
	for i := range sc.Aircraft {
		a := &sc.Aircraft[i]
		ta := TruthAircraft{ID: a.ID, Kind: a.Kind.String(), Pattern: a.Pattern.Kind.String(), Authorisations: []string{}, PositionID: []string{}}
		if a.ADSB {
			ta.ICAO = fmt.Sprintf("%06X", a.ICAO)
			ta.Callsign, ta.Category = strings.TrimSpace(a.Callsign), a.Category
			ta.PositionID = append(ta.PositionID, "icao:"+ta.ICAO)
		}
		if a.KLV {
			ta.MissionID, ta.PlatformDesignation, ta.TSFile = a.MissionID, a.PlatformDesignation, a.ID+".ts"
			ta.Carriage = "async"
			if a.Carriage == mpegts.Sync {
				ta.Carriage = "sync"
			}
			ta.PositionID = append(ta.PositionID, "klv:"+a.PlatformDesignation+"/"+a.MissionID)
		}
		if a.Sensor != nil {
			ta.SensorTarget = []float64{float64(a.Sensor.Target.Lon), float64(a.Sensor.Target.Lat)}
		}
		for j := range sc.Authorisations {
			if sc.Authorisations[j].Covers(a) {
				ta.Authorisations = append(ta.Authorisations, sc.Authorisations[j].ID)
			}
		}
		h.Aircraft = append(h.Aircraft, ta)
	}
	for i := range sc.Authorisations {
		au := &sc.Authorisations[i]
		from, until := au.Window(sc.Start)
		t := TruthAuth{ID: au.ID, Country: au.Country, ICAO: []string{}, MissionIDs: append([]string{}, au.MissionIDs...),
			From: from, Until: until, MinAltM: float64(au.MinAlt), MaxAltM: float64(au.MaxAlt)}
		for _, x := range au.ICAO {
			t.ICAO = append(t.ICAO, fmt.Sprintf("%06X", x))
		}
		for _, p := range au.Area {
			t.Area = append(t.Area, [2]float64{float64(p.Lon), float64(p.Lat)})
		}
		h.Authorisations = append(h.Authorisations, t)
	}
	return h
}

// truthWriter writes NDJSON truth records; its error is sticky.
type truthWriter struct {
	w   io.Writer
	enc *json.Encoder
	err error
}

func newTruthWriter(w io.Writer) *truthWriter {
	t := &truthWriter{w: w}
	if w != nil {
		t.enc = json.NewEncoder(w)
	}
	return t
}

func (t *truthWriter) write(v any) error {
	if t.enc == nil || t.err != nil {
		return t.err
	}
	if err := t.enc.Encode(v); err != nil {
		t.err = fmt.Errorf("write truth: %w", err)
	}
	return t.err
}

func (t *truthWriter) header(s *Sim) error {
	h := s.Header()
	return t.write(&h)
}

// round rounds x to n decimals, for compact records.
func round(x float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(x*p) / p
}

// state writes one record; ticks or pts < 0 means absent.
func (t *truthWriter) state(sc *Scenario, a *Aircraft, kind MsgKind, s *State, ticks, pts int64) error {
	if t.enc == nil {
		return nil
	}
	r := TruthState{Type: "state", Time: sc.Start.Add(s.T), TS: s.T.Seconds(), ID: a.ID, Msg: kind.String(),
		Lat: round(float64(s.Pos.Lat), 9), Lon: round(float64(s.Pos.Lon), 9),
		AltMSL: round(float64(s.Alt), 3), AltHAE: round(float64(s.Alt+sc.GeoidUndulation), 3),
		Speed: round(s.Speed, 3), Heading: round(float64(s.Heading), 4), Pitch: round(float64(s.Pitch), 4),
		Roll: round(float64(s.Roll), 4), VerticalRate: round(s.VerticalRate, 3)}
	if ticks >= 0 {
		r.Ticks = &ticks
	}
	if pts >= 0 {
		r.PTS = &pts
	}
	return t.write(&r)
}
