package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/feed/klv"
	"github.com/vigia/vigia/internal/feed/mpegts"
	"github.com/vigia/vigia/internal/testenv"
)

// klvTestdata is the published ST 0902 Annex C packets of the klv
// package's tests (see internal/feed/klv/vectors_test.go).
func klvTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "feed", "klv", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ndjson(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		objs = append(objs, m)
	}
	return objs
}

func simKLV(t *testing.T, i int, designation string) []byte {
	t.Helper()
	b, err := klv.Encode(nil, []klv.Value{
		{Tag: klv.TagPrecisionTimeStamp, Time: time.Date(2026, 11, 23, 21, 0, i, 500, time.UTC)},
		{Tag: klv.TagMissionID, Str: "SONORA-1"},
		{Tag: klv.TagPlatformDesignation, Str: designation},
		{Tag: klv.TagSensorLatitude, Float: 30.5},
		{Tag: klv.TagSensorLongitude, Float: -110.25},
		{Tag: klv.TagSensorTrueAltitude, Float: 7000},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeKLVRaw(t *testing.T) {
	only := klvTestdata(t, "st0902_dynamic_only.bin")
	bad := klvTestdata(t, "st0902_dynamic_constant.bin") // stored checksum wrong
	in := string(only) + "junk" + string(bad)
	out, errOut, code := vigia(t, in, "decode", "klv", "-")
	objs := ndjson(t, out)
	if code != 0 || len(objs) != 2 {
		t.Fatalf("exit %d, %d objects, stderr %s", code, len(objs), errOut)
	}
	if objs[0]["offset"] != 0.0 || objs[0]["checksum_ok"] != true || objs[0]["precision_time_stamp"] != "2009-01-12T22:08:22.000000Z" {
		t.Errorf("first %v", objs[0])
	}
	if objs[1]["offset"] != float64(len(only)+4) || objs[1]["checksum_ok"] != false || objs[1]["mission_id"] != "Mission 12" {
		t.Errorf("second %v", objs[1])
	}
	out, errOut, code = vigia(t, in, "decode", "klv", "--strict", "-")
	if objs := ndjson(t, out); code != exitPartial || len(objs) != 1 || !strings.Contains(errOut, "offset 118") {
		t.Errorf("--strict: exit %d, %d objects, stderr %s", code, len(objs), errOut)
	}
	// A truncated packet is reported with its offset; the others print.
	out, errOut, code = vigia(t, string(only)+string(only[:50]), "decode", "klv", "-")
	if objs := ndjson(t, out); code != exitPartial || len(objs) != 1 || !strings.Contains(errOut, "offset 114") || !strings.Contains(errOut, "truncated") {
		t.Errorf("truncated: exit %d, %d objects, stderr %s", code, len(objs), errOut)
	}
}

// TestDecodeKLVTS muxes packets of two platforms into transport streams of
// both carriages and decodes them back with their PTS.
func TestDecodeKLVTS(t *testing.T) {
	for _, c := range []mpegts.Carriage{mpegts.Async, mpegts.Sync} {
		var ts bytes.Buffer
		m, err := mpegts.NewMuxer(&ts, mpegts.MuxOptions{Carriage: c})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			pts := int64(90000 + 3000*i)
			if err := m.WriteVideoFrame(pts); err != nil {
				t.Fatal(err)
			}
			des := []string{"MQ-9", "HERMES-900"}[i%2]
			if err := m.WriteMetadata(pts, simKLV(t, i, des)); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "sim.ts")
		if err := os.WriteFile(path, ts.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := vigia(t, "", "decode", "klv", path)
		objs := ndjson(t, out)
		if code != 0 || len(objs) != 6 {
			t.Fatalf("%v: exit %d, %d objects, stderr %s", c, code, len(objs), errOut)
		}
		for i, o := range objs {
			pts := float64(90000 + 3000*i)
			if o["pts"] != pts || o["pts_s"] != pts/90000 || o["checksum_ok"] != true || !closeTo(o["sensor_latitude_deg"], 30.5, 1e-7) {
				t.Errorf("%v: packet %d: %v", c, i, o)
			}
			if _, ok := o["pid"]; !ok {
				t.Errorf("%v: packet %d has no pid", c, i)
			}
		}
		out, _, code = vigia(t, "", "decode", "klv", "--designation", "HERMES-900", path)
		if objs := ndjson(t, out); code != 0 || len(objs) != 3 || objs[0]["platform_designation"] != "HERMES-900" {
			t.Errorf("%v: --designation: exit %d, %v", c, code, objs)
		}
	}
}

func TestDecodeKLVUsage(t *testing.T) {
	out, _, code := vigia(t, "", "decode", "klv", "--help")
	if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "--strict") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	if _, _, code := vigia(t, "", "decode", "klv"); code != exitUsage {
		t.Errorf("no input: exit %d, want %d", code, exitUsage)
	}
	if _, _, code := vigia(t, "", "decode", "klv", "/nonexistent/file.klv"); code != exitFailure {
		t.Errorf("missing file: exit %d, want %d", code, exitFailure)
	}
}

func closeTo(v any, want, tol float64) bool {
	f, ok := v.(float64)
	return ok && f >= want-tol && f <= want+tol
}

// TestDecodeKLVUDP sends a transport stream to decode klv over UDP on the
// loopback interface, again until the first packets are printed (datagrams
// sent before the listener is bound are lost), then stops it.
func TestDecodeKLVUDP(t *testing.T) {
	var ts bytes.Buffer
	m, err := mpegts.NewMuxer(&ts, mpegts.MuxOptions{Carriage: mpegts.Async})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		pts := int64(90000 + 3000*i)
		if err := m.WriteVideoFrame(pts); err != nil {
			t.Fatal(err)
		}
		if err := m.WriteMetadata(pts, simKLV(t, i, "MQ-9")); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	probe, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	dst := probe.LocalAddr().(*net.UDPAddr)
	probe.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut testenv.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runDecodeKLV(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut},
			[]string{"udp://" + dst.String()})
	}()
	conn, err := net.DialUDP("udp4", nil, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream := ts.Bytes()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no output; stderr %s", errOut.String())
		}
		for i := 0; i < len(stream); i += 7 * mpegts.PacketSize {
			conn.Write(stream[i:min(len(stream), i+7*mpegts.PacketSize)])
		}
		select {
		case err := <-done:
			t.Fatalf("decode klv ended: %v; stderr %s", err, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("decode klv: %v", err)
	}
	objs := ndjson(t, out.String()[:strings.LastIndex(out.String(), "\n")+1])
	if len(objs) == 0 || objs[0]["platform_designation"] != "MQ-9" || objs[0]["checksum_ok"] != true || objs[0]["pts"] == nil {
		t.Errorf("objects %v", objs)
	}
}

// TestDecodeKLVFromFFmpeg extracts the KLV stream of a transport stream
// with ffmpeg ("-map 0:d -c copy -f data", a real tool we did not write) and
// checks that decode klv reads the same packets from ffmpeg's raw KLV as
// from the TS itself, for both carriages.
func TestDecodeKLVFromFFmpeg(t *testing.T) {
	ffmpeg := testenv.Tool(t, "ffmpeg")
	for _, c := range []mpegts.Carriage{mpegts.Async, mpegts.Sync} {
		var ts bytes.Buffer
		m, err := mpegts.NewMuxer(&ts, mpegts.MuxOptions{Carriage: c})
		if err != nil {
			t.Fatal(err)
		}
		var sent []byte
		for i := range 10 {
			pts := int64(90000 + 3000*i)
			if err := m.WriteVideoFrame(pts); err != nil {
				t.Fatal(err)
			}
			k := simKLV(t, i, "MQ-9")
			sent = append(sent, k...)
			if err := m.WriteMetadata(pts, k); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		tsPath, klvPath := filepath.Join(dir, "sim.ts"), filepath.Join(dir, "out.klv")
		if err := os.WriteFile(tsPath, ts.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(ffmpeg, "-v", "error", "-i", tsPath, "-map", "0:d", "-c", "copy", "-f", "data", klvPath)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: ffmpeg: %v\n%s", c, err, out)
		}
		if got, err := os.ReadFile(klvPath); err != nil || !bytes.Equal(got, sent) {
			t.Errorf("%v: ffmpeg's KLV (%d bytes, %v) differs from the %d bytes sent", c, len(got), err, len(sent))
		}
		fromTS, _, code1 := vigia(t, "", "decode", "klv", tsPath)
		fromRaw, errOut, code2 := vigia(t, "", "decode", "klv", klvPath)
		a, b := ndjson(t, fromTS), ndjson(t, fromRaw)
		if code1 != 0 || code2 != 0 || len(a) != 10 || len(b) != 10 {
			t.Fatalf("%v: exit %d/%d, %d and %d packets; stderr %s", c, code1, code2, len(a), len(b), errOut)
		}
		for i := range a {
			for _, k := range []string{"offset", "pid", "pts", "pts_s"} {
				delete(a[i], k)
				delete(b[i], k)
			}
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Errorf("%v: packet %d: from TS %v, from ffmpeg's KLV %v", c, i, a[i], b[i])
			}
		}
	}
}
