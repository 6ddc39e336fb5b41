package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/adsb"
)

// The worked examples of "The 1090 Megahertz Riddle" (mode-s.org/decode):
// an airborne even/odd pair (chapter "Airborne position", the even frame
// the newer) and an identification (chapter "Identification").
const riddleAVR = "@0000000000018D40621D58C386435CC412692AD6;\n" +
	"@0000016E36008D40621D58C382D690C8AC2863A7;\n" +
	"@000002DC6C008D4840D6202CC371C32CE0576098;\n"

// allowedADSBFields are the field names docs/FORMATS.md documents.
var allowedADSBFields = map[string]bool{"df": true, "icao": true, "tc": true, "crc_ok": true, "corrected_bits": true,
	"callsign": true, "category": true, "squawk": true, "alt_baro_ft": true, "alt_geom_ft": true, "lat": true, "lon": true,
	"cpr_format": true, "gs_kt": true, "track_deg": true, "vrate_fpm": true, "ias_kt": true, "tas_kt": true, "mach": true,
	"heading_deg": true, "on_ground": true, "nic": true, "nacp": true, "source": true, "t": true}

func parseNDJSON(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		for k := range o {
			if !allowedADSBFields[k] {
				t.Errorf("undocumented field %q in %s", k, l)
			}
		}
		objs = append(objs, o)
	}
	return objs
}

func TestDecodeADSBStdin(t *testing.T) {
	out, errs, code := vigia(t, riddleAVR, "decode", "adsb", "--start", "2016-03-14T22:00:00Z", "--stats", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	objs := parseNDJSON(t, out)
	if len(objs) != 3 {
		t.Fatalf("%d objects:\n%s", len(objs), out)
	}
	p := objs[1]
	if p["icao"] != "40621D" || p["lat"] != 52.257202 || p["lon"] != 3.919373 || p["cpr_format"] != "even" ||
		p["alt_baro_ft"] != 38000.0 || p["df"] != 17.0 || p["tc"] != 11.0 || p["source"] != "adsb" || p["crc_ok"] != true {
		t.Errorf("position: %v", p)
	}
	if p["t"] != "2016-03-14T22:00:02Z" {
		t.Errorf("t = %v, want 2016-03-14T22:00:02Z (start + 24e6 ticks / 12 MHz)", p["t"])
	}
	if objs[2]["callsign"] != "KLM1023" || objs[2]["category"] != "A0" {
		t.Errorf("identification: %v", objs[2])
	}
	for _, w := range []string{"frames", "cpr_global_ok        1", "bad_crc"} {
		if !strings.Contains(errs, w) {
			t.Errorf("--stats lacks %q:\n%s", w, errs)
		}
	}
}

func TestDecodeADSBJunkAndErrors(t *testing.T) {
	in := "hello\n" + riddleAVR
	out, errs, code := vigia(t, in, "decode", "adsb", "-")
	if code != exitPartial || !strings.Contains(errs, "stdin: offset 0: skipped 6 bytes") || strings.Count(out, "\n") != 3 {
		t.Errorf("junk: exit %d, stderr %q, out %q", code, errs, out)
	}
	if _, errs, code := vigia(t, strings.Repeat("plain text\n", 500), "decode", "adsb", "-"); code != exitFailure || !strings.Contains(errs, "stdin: adsb: cannot detect") {
		t.Errorf("unknown format: exit %d, stderr %q", code, errs)
	}
	for _, args := range [][]string{
		{"--receiver", "95,0", "-"},
		{"--format", "json", "-"},
		{"--clock", "atomic", "-"},
		{"--start", "yesterday", "-"},
		{},
	} {
		if _, _, code := vigia(t, "", append([]string{"decode", "adsb"}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if out, _, code := vigia(t, "", "decode", "adsb", "--help"); code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "--receiver") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	_, errs, code = vigia(t, "", "decode", "adsb", filepath.Join(t.TempDir(), "missing.beast"))
	if code != exitFailure || !strings.Contains(errs, "missing.beast") {
		t.Errorf("missing file: exit %d, %q", code, errs)
	}
}

// TestDecodeADSBBeastFileAndTCP decodes the same Beast bytes from a file
// and from a receiver on a loopback socket.
func TestDecodeADSBBeastFileAndTCP(t *testing.T) {
	var data []byte
	for i, h := range []string{"8D40621D58C386435CC412692AD6", "8D40621D58C382D690C8AC2863A7", "8D4840D6202CC371C32CE0576098"} {
		b, _ := hex.DecodeString(h)
		f := adsb.Frame{Len: len(b), Ticks: uint64(1 + i*12e6), HasTicks: true, Signal: 0x1A}
		copy(f.Data[:], b)
		data = adsb.AppendBeast(data, &f)
	}
	path := filepath.Join(t.TempDir(), "x.beast")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := vigia(t, "", "decode", "adsb", "--receiver", "52.2,4.0", path)
	if code != 0 || len(parseNDJSON(t, out)) != 3 || !strings.Contains(out, `"lat":52.257202`) {
		t.Fatalf("file: exit %d, %s\n%s", code, errs, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write(data)
			c.Close()
		}
	}()
	out2, errs, code := vigia(t, "", "decode", "adsb", "--format", "beast", "tcp://"+ln.Addr().String())
	if code != 0 || out2 != out {
		t.Errorf("tcp: exit %d, %s\n%s\nwant\n%s", code, errs, out2, out)
	}
}

// TestDecodeADSBListen runs vigia as a listener, pushes AVR to it from a
// "receiver" over loopback, and stops it with an interrupt.
func TestDecodeADSBListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "decode", "adsb", "--listen", addr, "--stats")
	cmd.Env = append(os.Environ(), "VIGIA_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var c net.Conn
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("vigia never listened: %v", err)
		}
		<-time.After(20 * time.Millisecond)
	}
	if _, err := c.Write([]byte(riddleAVR)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 3 || !strings.Contains(lines[1], `"lat":52.257202`) || !strings.Contains(lines[2], `"callsign":"KLM1023"`) {
		t.Fatalf("pushed AVR decoded as:\n%s", strings.Join(lines, "\n"))
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("after interrupt: %v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "cpr_global_ok        1") {
		t.Errorf("stats after interrupt:\n%s", errb.String())
	}
}
