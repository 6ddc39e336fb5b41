package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestBarShowsTotalAndFinalLine(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, nil, "classify", 200, &Options{Unit: "bytes", Redraw: time.Hour, Terminal: true})
	r.Add(50)
	r.Add(150)
	r.Done()
	out := buf.String()
	if !strings.Contains(out, "100.0%") || !strings.Contains(out, "200/200 bytes") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("bar = %q", out)
	}
}

func TestLogRecordsWhenNotATerminal(t *testing.T) {
	var out, logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	r := New(&out, log, "ingest", 0, &Options{Unit: "lines", Every: time.Hour, Detect: true})
	r.Add(7)
	r.Done()
	if out.Len() != 0 {
		t.Fatalf("wrote a bar to a non-terminal: %q", out.String())
	}
	if s := logs.String(); !strings.Contains(s, `"msg":"done"`) || !strings.Contains(s, `"done":7`) || !strings.Contains(s, `"work":"ingest"`) {
		t.Fatalf("log = %s", s)
	}
}

func TestZeroOptionsTakeDefaults(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, nil, "x", 1, &Options{Detect: true})
	r.Add(1)
	r.Done()
}
