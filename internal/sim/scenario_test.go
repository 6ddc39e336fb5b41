package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/mpegts"
)

func TestLoadBorder(t *testing.T) {
	sc, err := Load("border")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "border" || sc.Duration != 20*time.Minute || !sc.Start.Equal(time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("header: %q %v %v", sc.Name, sc.Duration, sc.Start)
	}
	if len(sc.Aircraft) != 5 || len(sc.Authorisations) != 3 {
		t.Fatalf("%d aircraft, %d authorisations", len(sc.Aircraft), len(sc.Authorisations))
	}
	carriages := map[mpegts.Carriage]int{}
	var kinds [3]int
	for i := range sc.Aircraft {
		a := &sc.Aircraft[i]
		kinds[a.Kind]++
		if a.KLV {
			carriages[a.Carriage]++
		}
	}
	if kinds[Drone] != 3 || kinds[Manned] != 2 || carriages[mpegts.Async] == 0 || carriages[mpegts.Sync] == 0 {
		t.Errorf("kinds %v, carriages %v: want 3 drones, 2 manned, both carriages", kinds, carriages)
	}
	for i := range sc.Aircraft[:3] {
		n := 0
		for j := range sc.Authorisations {
			if sc.Authorisations[j].Covers(&sc.Aircraft[i]) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: covered by %d authorisations, want 1", sc.Aircraft[i].ID, n)
		}
	}
	if got := Names(); len(got) == 0 || got[0] != "border" {
		t.Errorf("Names() = %v", got)
	}
	// Load by path too.
	b, _ := embedded.ReadFile("scenarios/border.toml")
	p := filepath.Join(t.TempDir(), "b.toml")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if sc2, err := Load(p); err != nil || len(sc2.Aircraft) != 5 {
		t.Errorf("load by path: %v", err)
	}
	if _, err := Load("no-such"); err == nil || !strings.Contains(err.Error(), "border") {
		t.Errorf("unknown name: %v", err)
	}
}

const minimal = `name = "t"
start = 2026-01-01T00:00:00Z
duration = "1m"

[[aircraft]]
id = "a"
kind = "manned"
icao = "ABC123"

[aircraft.pattern]
type = "orbit"
center = [-110.0, 30.0]
radius_m = 9000

[[aircraft]]
id = "b"
kind = "drone"
klv = true
platform_designation = "MQ-9"
mission_id = "M1"

[aircraft.pattern]
type = "route"
waypoints = [{ lon = -110.0, lat = 30.0 }, { lon = -109.9, lat = 30.1 }]

[aircraft.sensor]
target = [-110.0, 30.05]

[[authorisation]]
id = "A1"
country = "MEX"
mission_ids = ["M1"]
area = [[-111, 29], [-109, 29], [-109, 31], [-111, 29]]
`

// TestParseErrors: each broken scenario is rejected with the file, the
// line and the key named.
func TestParseErrors(t *testing.T) {
	if _, err := Parse("ok.toml", []byte(minimal)); err != nil {
		t.Fatalf("minimal scenario: %v", err)
	}
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"syntax", `duration = "1m"`, `duration = "1m`, []string{"x.toml:3:"}},
		{"bad duration", `duration = "1m"`, `duration = "soon"`, []string{"x.toml:3:", "duration", "soon"}},
		{"no start", "start = 2026-01-01T00:00:00Z\n", "", []string{"start", "missing"}},
		{"local start", "start = 2026-01-01T00:00:00Z", "start = 2026-01-01T00:00:00", []string{"x.toml:2:", "start", "UTC offset"}},
		{"unknown key", `kind = "manned"`, "kind = \"manned\"\nwingspan_m = 20", []string{"x.toml:8:", "aircraft[0].wingspan_m", "unknown key"}},
		{"bad kind", `kind = "manned"`, `kind = "balloon"`, []string{"x.toml:7:", "aircraft[0].kind", "balloon"}},
		{"bad icao", `icao = "ABC123"`, `icao = "XYZ"`, []string{"x.toml:8:", "aircraft[0].icao"}},
		{"tight orbit", `radius_m = 9000`, `radius_m = 900`, []string{"x.toml:13:", "aircraft[0].pattern.radius_m", "tighter"}},
		{"bad center", `center = [-110.0, 30.0]`, `center = [-110.0, 95.0]`, []string{"x.toml:12:", "aircraft[0].pattern.center"}},
		{"no mission", `mission_id = "M1"`, ``, []string{"aircraft[1].mission_id", "missing"}},
		{"bad pattern type", `type = "route"`, `type = "spiral"`, []string{"x.toml:23:", "aircraft[1].pattern.type", "spiral"}},
		{"one waypoint", `, { lon = -109.9, lat = 30.1 }]`, `]`, []string{"x.toml:24:", "aircraft[1].pattern.waypoints"}},
		{"sensor fov", "target = [-110.0, 30.05]", "target = [-110.0, 30.05]\nhfov_deg = 90", []string{"x.toml:28:", "aircraft[1].sensor.hfov_deg"}},
		{"open area", `[-109, 31], [-111, 29]]`, `[-109, 31], [-111, 30]]`, []string{"x.toml:33:", "authorisation[0].area", "not closed"}},
		{"no grantee", `mission_ids = ["M1"]`, ``, []string{"authorisation[0].icao", "grants no aircraft"}},
		{"sends nothing", "klv = true\n", "", []string{"aircraft[1].klv", "sends nothing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(minimal, tc.old, tc.new, 1)
			if src == minimal {
				t.Fatalf("replacement of %q did nothing", tc.old)
			}
			_, err := Parse("x.toml", []byte(src))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrScenario) {
				t.Errorf("error %v does not wrap ErrScenario", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
