package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for vigia: with VIGIA_RUN_MAIN set
// it runs main with the remaining arguments, so the CLI is tested end to
// end, exit status included.
func TestMain(m *testing.M) {
	if os.Getenv("VIGIA_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// vigia runs the CLI in a child process and returns its stdout, stderr and
// exit status.
func vigia(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VIGIA_RUN_MAIN=1")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestHelpShowsExamples(t *testing.T) {
	out, _, code := vigia(t, "", "--help")
	if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "airspace") {
		t.Fatalf("vigia --help: exit %d, output:\n%s", code, out)
	}
	for _, c := range commands() {
		out, _, code := vigia(t, "", c.name, "--help")
		if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "Usage:") {
			t.Errorf("vigia %s --help: exit %d, output:\n%s", c.name, code, out)
		}
	}
	for _, sub := range []string{"classify", "info"} {
		out, _, code := vigia(t, "", "airspace", sub, "--help")
		if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "OpenStreetMap") {
			t.Errorf("vigia airspace %s --help: exit %d, output:\n%s", sub, code, out)
		}
	}
}

func TestUnknownCommandAndBadFlags(t *testing.T) {
	if _, errs, code := vigia(t, "", "fly"); code != exitUsage || !strings.Contains(errs, `unknown command "fly"`) {
		t.Errorf("vigia fly: exit %d, stderr %q", code, errs)
	}
	if _, _, code := vigia(t, "", "airspace", "classify", "--no-such-flag", "x"); code != exitUsage {
		t.Errorf("bad flag: exit %d, want %d", code, exitUsage)
	}
	if _, _, code := vigia(t, ""); code != exitUsage {
		t.Errorf("no arguments: exit %d, want %d", code, exitUsage)
	}
}

func TestVersion(t *testing.T) {
	out, _, code := vigia(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "vigia ") || !strings.Contains(out, "go: go1.") {
		t.Fatalf("vigia version: exit %d, output %q", code, out)
	}
}

// TestClassifySample classifies the bundled sample of border positions and
// checks places whose airspace is known.
func TestClassifySample(t *testing.T) {
	out, errs, code := vigia(t, "", "airspace", "classify", filepath.Join("..", "..", "testdata", "border_points.csv"))
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	got := map[string]string{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "lon,lat,country,depth_m" {
		t.Fatalf("header %q", lines[0])
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		got[f[0]+","+f[1]] = f[2]
	}
	want := map[string]string{
		"-117.1611,32.7157": "USA", // San Diego
		"-117.0382,32.5149": "MEX", // Tijuana
		"-106.4850,31.7619": "USA", // El Paso
		"-106.4245,31.6904": "MEX", // Ciudad Juárez
		"-110.9559,29.0729": "MEX", // Hermosillo
		"-92.0,25.0":        "",    // the Gulf, far offshore
		"-157.8583,21.3069": "USA", // Honolulu
		"-66.1057,18.4655":  "USA", // San Juan
		"180,51.95":         "USA", // the Aleutians on the antimeridian
		"-140.0,20.0":       "",
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: country %q, want %q", k, g, w)
		}
	}
}

func TestClassifyReportsBadLines(t *testing.T) {
	in := "lon,lat\n-117.0,32.55\nnot,a number\n-117.1\n-117.2,95\n-116.9,32.6,extra\n"
	out, errs, code := vigia(t, in, "airspace", "classify", "-")
	if code != exitPartial {
		t.Errorf("exit %d, want %d", code, exitPartial)
	}
	for _, w := range []string{"stdin:3:", "field lon", "stdin:4:", "no comma", "stdin:5:", "field lat", "skipped 3 malformed of 6 lines"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("%d output lines, want header + 2:\n%s", n, out)
	}
}

func TestClassifyWithOtherAirspace(t *testing.T) {
	dir := t.TempDir()
	gj := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ISO_A3":"ZZZ"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "zzz.geojson"), []byte(gj), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := vigia(t, "0.5,0.5\n2,2\n", "airspace", "classify", "--airspace", dir, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "0.5,0.5,ZZZ,") || !strings.Contains(out, "2,2,,") {
		t.Errorf("output:\n%s", out)
	}
	bad := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"A3":"ZZZ"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}}]}`
	if err := os.WriteFile(filepath.Join(dir, "zzz.geojson"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code = vigia(t, "0.5,0.5\n", "airspace", "classify", "--airspace", dir, "-")
	if code != exitFailure || !strings.Contains(errs, "zzz.geojson: feature 0: ZZZ: polygon 0") || !strings.Contains(errs, "ring 0: not closed") {
		t.Errorf("bad GeoJSON: exit %d, stderr %q", code, errs)
	}
}

func TestRunInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader("-117.05,32.55\n"), stdout: &out, stderr: &errb}
	if code := run(context.Background(), e, []string{"airspace", "info"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "MEX,12,") || !strings.Contains(out.String(), "USA,55,") {
		t.Errorf("info:\n%s", out.String())
	}
}
