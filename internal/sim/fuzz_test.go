package sim

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to Parse, whole and cut at an arbitrary
// point: it must return a scenario or an error, never panic; an error
// that is not a TOML syntax error wraps ErrScenario; and a scenario it
// accepts must integrate (for a few seconds) without panicking or
// producing non-finite states.
func FuzzParse(f *testing.F) {
	b, _ := embedded.ReadFile("scenarios/border.toml")
	f.Add(b, 100)
	f.Add([]byte(minimal), 0)
	f.Add([]byte(strings.Replace(minimal, "9000", "nan", 1)), 7)
	f.Add([]byte("start = 2026-01-01T00:00:00Z\n[[aircraft]]\nid = \"x\"\n[aircraft.pattern]\ntype = \"racetrack\"\nends = [[0,0]]\n"), 3)
	f.Fuzz(func(t *testing.T, src []byte, cut int) {
		check := func(src []byte) {
			sc, err := Parse("f.toml", src)
			if err != nil {
				if !errors.Is(err, ErrScenario) {
					t.Fatalf("error %v does not wrap ErrScenario", err)
				}
				return
			}
			sc.Duration = min(sc.Duration, 3*time.Second)
			s, err := New(sc)
			if err != nil {
				t.Fatal(err)
			}
			for _, fl := range s.Flights {
				for _, st := range fl.States() {
					if st.Pos.Lat != st.Pos.Lat || st.Pos.Lon != st.Pos.Lon || st.Alt != st.Alt || st.Heading != st.Heading {
						t.Fatalf("%s: non-finite state %+v", fl.Aircraft.ID, st)
					}
				}
			}
		}
		check(src)
		if len(src) > 0 {
			if cut < 0 {
				cut = -cut
			}
			check(src[:cut%len(src)])
		}
	})
}
