package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSimulateScene(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scene")
	out, errs, code := vigia(t, "", "simulate", "scene", "--out", dir, "--lines", "40", "--samples", "32", "--bands", "40",
		"--first-nm", "2100", "--last-nm", "2500", "--plumes", "2", "--seed", "5", "--igm", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"radiance.hdr", "radiance.img", "truth.hdr", "truth.img", "truth.json", "radiance_igm.hdr", "radiance_igm.img"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "radiance.img")); err != nil || st.Size() != 40*32*40*4 {
		t.Errorf("radiance.img: %v, %v", st, err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || lines[1] != "id,line,sample,lon,lat,rate_kg_h,peak_ppm_m,wind_from_deg" {
		t.Errorf("output:\n%s", out)
	}
	var truth struct {
		Sources []struct {
			Lon, Lat float64
		} `json:"sources"`
		EPSG int `json:"epsg"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil || len(truth.Sources) != 2 || truth.EPSG != 32613 {
		t.Errorf("truth.json (%v): %s", err, b)
	}
	// The scene is centred on the default place, Sinaloa.
	if s := truth.Sources[0]; s.Lat < 24.7 || s.Lat > 24.8 || s.Lon < -107.5 || s.Lon > -107.4 {
		t.Errorf("source at %g, %g", s.Lat, s.Lon)
	}
	// The same seed gives the same cube.
	dir2 := filepath.Join(t.TempDir(), "again")
	if _, errs, code := vigia(t, "", "simulate", "scene", "--out", dir2, "--lines", "40", "--samples", "32", "--bands", "40",
		"--first-nm", "2100", "--last-nm", "2500", "--plumes", "2", "--seed", "5", "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "radiance.img"))
	c, _ := os.ReadFile(filepath.Join(dir2, "radiance.img"))
	if string(a) != string(c) {
		t.Error("same seed, different cubes")
	}
}

func TestSimulateSceneErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--lines", "10"}, exitUsage, "--out"},
		{[]string{"--out", t.TempDir(), "--stability", "Q"}, exitUsage, "stability"},
		{[]string{"--out", t.TempDir(), "--lines", "3"}, exitFailure, "lines"},
		{[]string{"--out", t.TempDir(), "--wind", "-1"}, exitFailure, "wind"},
	} {
		_, errs, code := vigia(t, "", append([]string{"simulate", "scene", "--quiet"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	out, _, code := vigia(t, "", "simulate", "scene", "--help")
	if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "--wind") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}
