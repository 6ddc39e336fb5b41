package store_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/track"
)

func applied(seq int, t time.Time) store.Applied {
	var a store.Applied
	a.Flight.ID = "icao:AE1F01@2026-03-02T15:00:00.000Z"
	a.Fix = track.Fix{FlightID: a.Flight.ID, Seq: seq}
	a.Fix.Position.Time = t
	return a
}

func TestIsMapFix(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 15, 0, 9, 0, time.UTC)
	cases := []struct {
		name string
		a    store.Applied
		prev time.Time
		want bool
	}{
		{"first fix", applied(0, t0), time.Time{}, true},
		{"same slot", applied(5, t0), t0.Add(-time.Second), false},
		{"new slot", applied(5, t0.Add(time.Second)), t0, true},
		{"previous unknown", applied(5, t0), time.Time{}, true},
		{"crossing", func() store.Applied {
			a := applied(5, t0)
			a.Crossings = []track.Crossing{{}}
			return a
		}(), t0.Add(-time.Second), true},
		{"alert opens", func() store.Applied { a := applied(5, t0); a.Assessment.AlertNew = true; return a }(), t0.Add(-time.Second), true},
		{"alert closes", func() store.Applied {
			a := applied(5, t0)
			a.Assessment.Closed = &compliance.Alert{}
			return a
		}(), t0.Add(-time.Second), true},
	}
	for _, c := range cases {
		if got := store.IsMapFix(&c.a, c.prev); got != c.want {
			t.Errorf("%s: IsMapFix = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		field string
		mod   func(*store.Applied)
	}{
		{"flight.id", func(a *store.Applied) { a.Flight.ID = "" }},
		{"fix.flight_id", func(a *store.Applied) { a.Fix.FlightID = "other" }},
		{"fix.seq", func(a *store.Applied) { a.Fix.Seq = -1 }},
		{"fix.time", func(a *store.Applied) { a.Fix.Position.Time = time.Time{} }},
		{"fix.lat", func(a *store.Applied) { a.Fix.Position.Lat = 90.5 }},
		{"fix.lon", func(a *store.Applied) { a.Fix.Position.Lon = geo.Degrees(math.NaN()) }},
		{"fix: non-finite", func(a *store.Applied) { a.Fix.Depth = geo.Meters(math.Inf(1)) }},
		{"verdict", func(a *store.Applied) { a.Assessment.Verdict = 200 }},
		{"crossings[0].flight_id", func(a *store.Applied) { a.Crossings = []track.Crossing{{FlightID: "x"}} }},
		{"alert.id", func(a *store.Applied) { a.Assessment.Alert = &compliance.Alert{FlightID: "f"} }},
	}
	ok := applied(3, t0)
	if err := store.Validate(7, &ok); err != nil {
		t.Fatalf("valid record: %v", err)
	}
	for _, c := range cases {
		a := applied(3, t0)
		c.mod(&a)
		err := store.Validate(7, &a)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "applied[7]."+c.field) {
			t.Errorf("%s: %v", c.field, err)
		}
	}
}
