package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// truthStart reads the start time from the header of a truth file.
func truthStart(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Type  string `json:"type"`
		Start string `json:"start"`
		Seed  uint64 `json:"seed"`
	}
	if err := json.Unmarshal(line, &h); err != nil || h.Type != "scenario" {
		t.Fatalf("truth header %q: %v", line, err)
	}
	return h.Start
}

func TestSimulateFlightsFiles(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := vigia(t, "", "simulate", "flights", "--scenario", "border", "--duration", "20s", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "ADS-B messages") || !strings.Contains(out, "KLV packets") {
		t.Errorf("summary: %q", out)
	}
	for _, name := range []string{"adsb.avr", "adsb.beast", "truth.ndjson", "sonora-orbit.ts", "sinaloa-orbit.ts", "sonora-stray.ts"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	start := truthStart(t, filepath.Join(dir, "truth.ndjson"))
	if start != "2026-03-02T16:00:00Z" {
		t.Errorf("start %q", start)
	}
	// A positional scenario and overrides.
	dir2 := t.TempDir()
	_, errs, code = vigia(t, "", "simulate", "flights", "border", "--start", "2027-01-02T03:04:05Z", "--seed", "7", "--duration", "5s", "--out", dir2)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if s := truthStart(t, filepath.Join(dir2, "truth.ndjson")); s != "2027-01-02T03:04:05Z" {
		t.Errorf("--start: truth start %q", s)
	}
	if !strings.Contains(errs, "simulate") {
		t.Errorf("no progress on stderr: %q", errs)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "adsb.avr"))
	b, _ := os.ReadFile(filepath.Join(dir2, "adsb.avr"))
	if bytes.HasPrefix(a, b) {
		t.Error("--seed did not change the ADS-B timing")
	}
}

func TestSimulateFlightsErrors(t *testing.T) {
	out, _, code := vigia(t, "", "simulate", "flights", "--help")
	if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "--klv-udp") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	if _, errs, code := vigia(t, "", "simulate", "flights"); code != exitUsage || !strings.Contains(errs, "--out") {
		t.Errorf("no output: exit %d, %q", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("name = \"x\"\nstart = 2026-01-01T00:00:00Z\nduration = \"later\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := vigia(t, "", "simulate", "flights", "--scenario", bad, "--out", t.TempDir()); code != exitFailure || !strings.Contains(errs, "bad.toml:3: duration") {
		t.Errorf("bad scenario: exit %d, %q", code, errs)
	}
	if _, errs, code := vigia(t, "", "simulate", "flights", "--scenario", "atlantis", "--out", t.TempDir()); code != exitFailure || !strings.Contains(errs, "border") {
		t.Errorf("unknown scenario: exit %d, %q", code, errs)
	}
	if _, _, code := vigia(t, "", "simulate", "flights", "--live", "--out", t.TempDir()); code != exitUsage {
		t.Errorf("--live without a destination: exit %d", code)
	}
}

// TestSimulateFlightsLive streams ADS-B live to a TCP server at a high
// speed-up while also writing files: the server gets the bytes of the file.
func TestSimulateFlightsLive(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	dir := t.TempDir()
	_, errs, code := vigia(t, "", "simulate", "flights", "--duration", "10s", "--live", "--speed", "200",
		"--adsb-tcp", ln.Addr().String(), "--adsb-format", "avr", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want, err := os.ReadFile(filepath.Join(dir, "adsb.avr"))
	if err != nil {
		t.Fatal(err)
	}
	if b := <-got; len(want) == 0 || !bytes.Equal(b, want) {
		t.Errorf("TCP got %d bytes, file has %d", len(b), len(want))
	}
}
