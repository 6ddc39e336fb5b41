package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the README's main job on the first ten minutes of the
// border scenario: every aircraft gets a flight, the straying drone and the
// patrol that overruns the border into Sonora raise alerts, the patrol's
// flight has its crossing, and a report is written per flight.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	dir := t.TempDir()
	out, errs, code := vigia(t, "", "demo", "--data", dir, "--http", "127.0.0.1:0", "--duration", "10m", "--speed", "200")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{
		"icao:AE1F11@", "klv:MQ-9B/SON-RTE-03@", "klv:MQ-9A/SIN-ORB-02@",
		"authorised 100%", "domestic 100%", "unauthorised",
		"alr-", "VGA211 in MEX airspace", "VGA103 in MEX airspace",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The overrunning patrol's line: one crossing (into Mexico, at about
	// 4 min 25 s) and one alert within the first ten minutes.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "icao:AE1F11@") {
			f := strings.Fields(l)
			if f[len(f)-2] != "1" || f[len(f)-1] != "1" {
				t.Errorf("patrol-overrun: %q, want 1 crossing and 1 alert", l)
			}
		}
	}
	reports, _ := filepath.Glob(filepath.Join(dir, "reports", "*.html"))
	if len(reports) != 7 {
		t.Fatalf("%d reports, want 7", len(reports))
	}
	b, err := os.ReadFile(reports[0])
	if err != nil || !strings.Contains(string(b), "data:image/png;base64,") {
		t.Fatalf("report %s: %v", reports[0], err)
	}
}
