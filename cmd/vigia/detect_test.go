package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "scene")
	if _, errs, code := vigia(t, "", "simulate", "scene", "--out", sc, "--lines", "100", "--samples", "80", "--bands", "90",
		"--first-nm", "2060", "--last-nm", "2510", "--plumes", "2", "--min-ppmm", "1500", "--max-ppmm", "3000",
		"--wind-from", "270", "--seed", "3", "--glints", "0", "--quiet"); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errs)
	}
	out := filepath.Join(dir, "det")
	// Flags after the cube's path, as in the usage line.
	stdout, errs, code := vigia(t, "", "detect", filepath.Join(sc, "radiance.hdr"), "--out", out, "--wind", "3", "--wind-from", "270",
		"--window", "2100:2300,2300:2500", "--reestimate", "--quiet",
		"--target", filepath.Join("..", "..", "internal", "spectral", "data", "methane.csv"))
	if code != 0 {
		t.Fatalf("detect: exit %d: %s", code, errs)
	}
	for _, f := range []string{"enhancement.tif", "sigma.tif", "plumes.geojson", "quicklook.png", "summary.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "id,source_line,source_sample,lon,lat") || !strings.Contains(stdout, "background σ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	var sum struct {
		Plumes []struct {
			RateKgH float64 `json:"rate_kg_h"`
		} `json:"plumes"`
		Windows     [][2]float64 `json:"windows_nm"`
		Reestimate  bool         `json:"reestimate"`
		WindFromDeg *float64     `json:"wind_from_deg"`
		TargetFile  string       `json:"target_file"`
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Plumes) < 2 || len(sum.Windows) != 2 || !sum.Reestimate || sum.WindFromDeg == nil || *sum.WindFromDeg != 270 || !strings.HasSuffix(sum.TargetFile, "methane.csv") {
		t.Errorf("summary: %s", b)
	}
	for _, p := range sum.Plumes {
		if !(p.RateKgH > 0) {
			t.Errorf("rate %g", p.RateKgH)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	dir := t.TempDir()
	hdr := filepath.Join(dir, "c.hdr")
	if err := os.WriteFile(hdr, []byte("ENVI\nsamples = 2\nlines = 2\nbands = 2\ndata type = 4\ninterleave = bil\nbyte order = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.img"), make([]byte, 32), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{hdr}, exitUsage, "--out"},
		{[]string{hdr, "--out", dir, "--mode", "row"}, exitUsage, "--mode"},
		{[]string{hdr, "--out", dir, "--window", "2500:2100"}, exitUsage, "window"},
		{[]string{hdr, "--out", dir, "--length", "x"}, exitUsage, "--length"},
		{[]string{hdr, "--out", dir}, exitFailure, `"wavelength"`},
		{[]string{filepath.Join(dir, "none.hdr"), "--out", dir}, exitFailure, "none.hdr"},
	} {
		_, errs, code := vigia(t, "", append([]string{"detect", "--quiet"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %s", tc.args, code, errs, tc.code, tc.want)
		}
	}
}
