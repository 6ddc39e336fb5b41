package airspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestClassifyCSV(t *testing.T) {
	s := embeddedForTest(t)
	in := strings.Join([]string{
		"Lon,Lat,name",
		"-117.0382,32.5149,Tijuana",
		"",
		"# a comment",
		"-117.1611, 32.7157 ,San Diego",
		`"-110.9559","29.0729"`,
		"abc,32",
		"-117.0",
		"-117.0,-91",
		"-92,25",
		"-92,25,x\r",
	}, "\n")
	var out bytes.Buffer
	var bad []string
	st, err := s.ClassifyCSV(context.Background(), strings.NewReader(in), &out, func(line int64, err error) {
		if !errors.Is(err, ErrBadLine) {
			t.Errorf("line %d: error %v does not wrap ErrBadLine", line, err)
		}
		bad = append(bad, fmt.Sprintf("%d: %v", line, err))
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != 11 || st.Classified != 5 || st.Skipped != 3 {
		t.Errorf("stats %+v, want 11 lines, 5 classified, 3 skipped", st)
	}
	want := []string{"7: bad point line: field lon", "8: bad point line: want lon,lat: no comma", "9: bad point line: field lat: -91 outside"}
	for i, w := range want {
		if i >= len(bad) || !strings.HasPrefix(bad[i], w) {
			t.Errorf("bad line report %d = %v, want prefix %q", i, bad, w)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	wantOut := []string{"lon,lat,country,depth_m", "-117.0382,32.5149,MEX,", "-117.1611,32.7157,USA,", "-110.9559,29.0729,MEX,", "-92,25,,", "-92,25,,"}
	if len(lines) != len(wantOut) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i, w := range wantOut {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestClassifyCSVLongLine(t *testing.T) {
	s := embeddedForTest(t)
	in := "-117,32.5\n" + strings.Repeat("9", 3*maxLine) + "\n-116,32.6"
	var out bytes.Buffer
	var bad []int64
	st, err := s.ClassifyCSV(context.Background(), strings.NewReader(in), &out, func(line int64, err error) { bad = append(bad, line) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Classified != 2 || len(bad) != 1 || bad[0] != 2 {
		t.Errorf("stats %+v, bad lines %v; want 2 classified and line 2 reported", st, bad)
	}
}

// pointSource produces n lines of points near the border without holding
// them in memory.
type pointSource struct {
	n, i int
	buf  []byte
}

func (p *pointSource) Read(b []byte) (int, error) {
	for len(p.buf) < len(b) && p.i < p.n {
		p.buf = strconv.AppendFloat(p.buf, -117.2+float64(p.i%4000)*0.0005, 'f', 5, 64)
		p.buf = append(p.buf, ',')
		p.buf = strconv.AppendFloat(p.buf, 32.4+float64(p.i%3000)*0.0001, 'f', 5, 64)
		p.buf = append(p.buf, '\n')
		p.i++
	}
	if len(p.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf)
	p.buf = p.buf[:copy(p.buf, p.buf[n:])]
	return n, nil
}

// TestClassifyCSVStreams checks that memory does not grow with the input:
// ten times the lines cost no more allocation than the fixed buffers.
func TestClassifyCSVStreams(t *testing.T) {
	s := embeddedForTest(t)
	alloc := func(n int) uint64 {
		in, err := io.ReadAll(&pointSource{n: n})
		if err != nil {
			t.Fatal(err)
		}
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		st, err := s.ClassifyCSV(context.Background(), bytes.NewReader(in), io.Discard, func(int64, error) { t.Fatal("bad line") }, nil)
		runtime.ReadMemStats(&m1)
		if err != nil || st.Classified != int64(n) {
			t.Fatalf("%d lines: %+v, %v", n, st, err)
		}
		return m1.TotalAlloc - m0.TotalAlloc
	}
	small, large := alloc(5000), alloc(50000)
	if large > small+64<<10 {
		t.Fatalf("allocation grows with input: %d bytes for 5,000 lines, %d for 50,000", small, large)
	}
	t.Logf("allocated %d bytes for 5,000 lines, %d for 50,000", small, large)
}

func TestClassifyCSVCancelled(t *testing.T) {
	s := embeddedForTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.ClassifyCSV(ctx, &pointSource{n: 100000}, io.Discard, func(int64, error) {}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
