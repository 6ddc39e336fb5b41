package airspace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/vigia/vigia/internal/geo"
)

// ErrBadLine is wrapped by the errors ClassifyCSV reports for input lines it
// skips.
var ErrBadLine = errors.New("bad point line")

// CSVStats counts what ClassifyCSV did.
type CSVStats struct {
	Lines      int64 // lines read, header and blanks included
	Classified int64 // points written
	Skipped    int64 // malformed lines reported and skipped
}

// maxLine bounds one input line; a longer one is reported and skipped.
const maxLine = 64 << 10

// ClassifyCSV reads "lon,lat" lines from r (an optional header line, blank
// lines and lines starting with '#' are passed over; further columns are
// ignored) and writes "lon,lat,country,depth_m" lines to w, with a header,
// lon and lat echoed as given and depth in metres to the millimetre. It
// streams: memory does not grow with the input. A malformed line is passed
// to bad with its 1-based number and skipped. progress, if not nil, is
// called with the bytes consumed so far after every line.
func (s *Set) ClassifyCSV(ctx context.Context, r io.Reader, w io.Writer, bad func(line int64, err error), progress func(n int64)) (CSVStats, error) {
	var st CSVStats
	br := bufio.NewReaderSize(r, 256<<10)
	bw := bufio.NewWriterSize(w, 256<<10)
	if _, err := bw.WriteString("lon,lat,country,depth_m\n"); err != nil {
		return st, fmt.Errorf("write: %w", err)
	}
	var out []byte
	var consumed int64
	for {
		if st.Lines%4096 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		line, n, tooLong, err := readLine(br)
		consumed += int64(n)
		if n == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return st, fmt.Errorf("read: %w", err)
		}
		st.Lines++
		if progress != nil {
			progress(consumed)
		}
		if tooLong {
			st.Skipped++
			bad(st.Lines, fmt.Errorf("%w: longer than %d bytes", ErrBadLine, maxLine))
			continue
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		lonF, latF, lonS, latS, perr := parsePoint(line)
		if perr != nil {
			if st.Lines == 1 && isHeader(line) {
				continue
			}
			st.Skipped++
			bad(st.Lines, perr)
			continue
		}
		code, depth := s.Classify(geo.Degrees(lonF), geo.Degrees(latF))
		out = append(out[:0], lonS...)
		out = append(out, ',')
		out = append(out, latS...)
		out = append(out, ',')
		out = append(out, code...)
		out = append(out, ',')
		out = strconv.AppendFloat(out, float64(depth), 'f', 3, 64)
		out = append(out, '\n')
		if _, err := bw.Write(out); err != nil {
			return st, fmt.Errorf("write: %w", err)
		}
		st.Classified++
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("write: %w", err)
	}
	return st, nil
}

// readLine returns the next line without its terminator, the bytes it
// consumed, and whether it was longer than maxLine (then its content is
// dropped, not buffered).
func readLine(br *bufio.Reader) (line []byte, n int, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, e := br.ReadSlice('\n')
		n += len(chunk)
		if !tooLong {
			if len(buf)+len(chunk) > maxLine {
				tooLong, buf = true, nil
			} else if buf == nil && e == nil {
				return bytes.TrimRight(chunk, "\r\n"), n, false, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), n, tooLong, e
	}
}

func isHeader(line []byte) bool {
	f := bytes.ToLower(firstField(line))
	f = bytes.Trim(f, "\" ")
	switch string(f) {
	case "lon", "long", "longitude", "x", "lng":
		return true
	}
	return false
}

func firstField(line []byte) []byte {
	if i := bytes.IndexByte(line, ','); i >= 0 {
		return line[:i]
	}
	return line
}

// parsePoint parses the first two comma-separated fields as lon and lat.
func parsePoint(line []byte) (lon, lat float64, lonS, latS []byte, err error) {
	i := bytes.IndexByte(line, ',')
	if i < 0 {
		return 0, 0, nil, nil, fmt.Errorf("%w: want lon,lat: no comma", ErrBadLine)
	}
	lonS = bytes.Trim(line[:i], " \t\"")
	rest := line[i+1:]
	if j := bytes.IndexByte(rest, ','); j >= 0 {
		rest = rest[:j]
	}
	latS = bytes.Trim(rest, " \t\"")
	lon, err = strconv.ParseFloat(string(lonS), 64)
	if err != nil || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return 0, 0, nil, nil, fmt.Errorf("%w: field lon: %q is not a number", ErrBadLine, lonS)
	}
	lat, err = strconv.ParseFloat(string(latS), 64)
	if err != nil || math.IsNaN(lat) || math.IsInf(lat, 0) {
		return 0, 0, nil, nil, fmt.Errorf("%w: field lat: %q is not a number", ErrBadLine, latS)
	}
	if lat < -90 || lat > 90 {
		return 0, 0, nil, nil, fmt.Errorf("%w: field lat: %v outside [-90, 90]", ErrBadLine, lat)
	}
	return lon, lat, lonS, latS, nil
}
