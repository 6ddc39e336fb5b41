package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigia/vigia/internal/feed/adsb"
	"github.com/vigia/vigia/internal/geo"
)

const decodeADSBHelp = `
Decodes Mode S and ADS-B from a receiver's output and prints one JSON
object per accepted message (NDJSON; fields in docs/FORMATS.md): df, icao,
source, crc_ok, corrected_bits, tc, category, callsign, squawk,
alt_baro_ft, alt_geom_ft, on_ground, cpr_format, lat, lon, gs_kt,
track_deg, vrate_fpm, ias_kt, tas_kt, mach, heading_deg, nic, nacp, and t
(RFC 3339 UTC) when the input carries time.

Input is FILE, "-" for standard input, tcp://HOST:PORT to connect to a
receiver (e.g. dump1090's Beast port 30005), or --listen ADDR to accept
receivers that push to vigia. Formats: AVR text (*...; @...; %...; <...;),
Beast binary, SBS/BaseStation CSV. Without --format the format is detected
from the first record in the first 4 KiB: a 0x1A byte followed by '1'-'5'
is Beast, a line starting with * @ % < or : is AVR, a line starting with
"MSG," is SBS.

Positions come from even/odd CPR pairs (within 10 s, 25 s on the surface)
or from one frame against the aircraft's last fix or --receiver, checked
for range and speed. Time is the message's own: the 12 MHz receiver clock
(t = --start + ticks/12e6; t is printed only with --start), the Radarcape
GPS clock (--clock gps: time of day from the frame, date from --start), or
the SBS time. Frames without a timestamp are paired by order.

Bytes that are not records are skipped and reported on standard error
with their offset; the exit status is then 3. --stats prints the decoder's
counters on standard error at the end. For a regular FILE over 1 MiB,
progress is shown on standard error.

Example:
  vigia decode adsb --receiver 32.7,-114.6 --stats flight.beast
  vigia decode adsb --format avr - < capture.txt
  vigia decode adsb --start 2026-11-23T21:00:00Z tcp://127.0.0.1:30005
`

// maxJunkReports caps the junk lines printed on standard error.
const maxJunkReports = 20

func runDecodeADSB(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "decode adsb", "vigia decode adsb [--format avr|beast|sbs] [--receiver LAT,LON] [--start TIME] [--clock 12mhz|gps] [--stats] [--no-fix] FILE|-|tcp://HOST:PORT", decodeADSBHelp)
	formatFlag := fs.String("format", "", "input `format`: avr, beast or sbs (default: detected)")
	recv := fs.String("receiver", "", "receiver position `LAT,LON` in decimal degrees (reference for surface and local decoding, range check)")
	maxRange := fs.Float64("max-range", 300, "with --receiver, reject positions farther than this many `NM` (0: no limit; at most 180 also allows receiver-relative airborne decoding)")
	startFlag := fs.String("start", "", "UTC `TIME` (RFC 3339) of receiver clock zero (12mhz) or of the recording's date (gps); enables t")
	clockFlag := fs.String("clock", "12mhz", "receiver timestamp `kind`: 12mhz or gps")
	stats := fs.Bool("stats", false, "print the decoder's counters on standard error at the end")
	noFix := fs.Bool("no-fix", false, "do not correct single-bit errors in DF11/17/18")
	listen := fs.String("listen", "", "accept receivers pushing to `ADDR` (e.g. :30004) instead of reading an input")
	quiet := fs.Bool("quiet", false, "do not show progress")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if (*listen == "") != (fs.NArg() == 1) || fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "vigia decode adsb: want exactly one FILE, - or tcp://HOST:PORT, or --listen ADDR")
		return errUsage
	}
	format, err := adsb.ParseFormat(*formatFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigia decode adsb: --format: %v\n", err)
		return errUsage
	}
	opts := adsb.DefaultOptions()
	opts.FixErrors = !*noFix
	opts.MaxRange = geo.Meters(*maxRange) * geo.NauticalMile
	if *recv != "" {
		ll, err := parseLatLon(*recv)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigia decode adsb: --receiver: %v\n", err)
			return errUsage
		}
		opts.Receiver, opts.HasReceiver = ll, true
	}
	if *startFlag != "" {
		t, err := time.Parse(time.RFC3339Nano, *startFlag)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigia decode adsb: --start: want RFC 3339 time such as 2026-11-23T21:00:00Z: %v\n", err)
			return errUsage
		}
		opts.Start = t.UTC()
	}
	switch *clockFlag {
	case "12mhz":
		opts.Clock = adsb.Clock12MHz
	case "gps":
		opts.Clock = adsb.ClockGPS
	default:
		fmt.Fprintf(e.stderr, "vigia decode adsb: --clock: unknown clock %q (want 12mhz or gps)\n", *clockFlag)
		return errUsage
	}

	out := bufio.NewWriterSize(e.stdout, 64<<10)
	defer out.Flush()
	var total adsb.Stats
	if *listen != "" {
		err = decodeADSBListen(ctx, e, *listen, format, opts, out, &total)
	} else {
		err = decodeADSBInput(ctx, e, fs.Arg(0), format, opts, out, !*quiet, &total)
	}
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if *stats {
		printADSBStats(e.stderr, &total)
	}
	if err != nil {
		return err
	}
	if skipped := total.JunkBytes; skipped > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("skipped %d bytes that were not %s records (%d malformed AVR, %d malformed SBS)", skipped, formatName(format), total.MalformedAVR, total.BadSBS)}
	}
	return nil
}

func formatName(f adsb.Format) string {
	if f == adsb.FormatAuto {
		return "AVR, Beast or SBS"
	}
	return strings.ToUpper(f.String())
}

func parseLatLon(s string) (geo.LatLon, error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return geo.LatLon{}, fmt.Errorf("want LAT,LON, got %q", s)
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		return geo.LatLon{}, fmt.Errorf("want LAT in [-90, 90] and LON in [-180, 180], got %q", s)
	}
	return geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}, nil
}

// decodeADSBInput decodes one file, standard input or a dialled receiver.
func decodeADSBInput(ctx context.Context, e *env, name string, format adsb.Format, opts *adsb.Options, out *bufio.Writer, showProgress bool, total *adsb.Stats) error {
	src, err := openInput(e, name, map[string]opener{
		"tcp://": func(name string) (io.ReadCloser, error) {
			c, err := adsb.Dial(ctx, strings.TrimPrefix(name, "tcp://"))
			if err != nil {
				return nil, err
			}
			stop := context.AfterFunc(ctx, func() { c.Close() })
			return &closeFunc{c, func() error { stop(); return c.Close() }}, nil
		},
	})
	if err != nil {
		return err
	}
	defer src.Close()
	name, in, live := src.name, src.r, src.live
	dec := adsb.NewDecoder(opts)
	r := adsb.NewReader(in, format, dec)
	reports := 0
	r.OnJunk = func(off, n int64) {
		if reports++; reports <= maxJunkReports {
			fmt.Fprintf(e.stderr, "%s: offset %d: skipped %d bytes that are not %s records\n", name, off, n, formatName(r.Format()))
		} else if reports == maxJunkReports+1 {
			fmt.Fprintf(e.stderr, "%s: further skipped bytes are counted but not reported\n", name)
		}
	}
	p := src.progress(e, "decode adsb", !showProgress)
	var reported int64
	var m adsb.Message
	var buf []byte
	for n := 0; ; n++ {
		err = r.Next(&m)
		if err != nil {
			break
		}
		buf = m.AppendJSON(buf[:0])
		buf = append(buf, '\n')
		if _, werr := out.Write(buf); werr != nil {
			err = werr
			break
		}
		if live {
			if werr := out.Flush(); werr != nil {
				err = werr
				break
			}
		}
		if p != nil && n%4096 == 0 {
			off := r.Offset()
			p.Add(off - reported)
			reported = off
		}
		if n%4096 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
	}
	if p != nil {
		p.Add(r.Offset() - reported)
		p.Done()
	}
	*total = dec.Stats()
	switch {
	case err == io.EOF:
		return nil
	case ctx.Err() != nil && live:
		return nil // interrupted while reading a live source
	case errors.Is(err, adsb.ErrUnknownFormat):
		return fmt.Errorf("%s: %w; name one with --format", name, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// decodeADSBListen accepts receivers until interrupted. Each connection
// has its own Decoder: receiver clocks are not comparable.
func decodeADSBListen(ctx context.Context, e *env, addr string, format adsb.Format, opts *adsb.Options, out *bufio.Writer, total *adsb.Stats) error {
	var mu sync.Mutex
	fmt.Fprintf(e.stderr, "vigia decode adsb: listening on %s\n", addr)
	return adsb.Listen(ctx, addr, func(ctx context.Context, c net.Conn) {
		name := c.RemoteAddr().String()
		dec := adsb.NewDecoder(opts)
		r := adsb.NewReader(c, format, dec)
		var m adsb.Message
		var buf []byte
		for {
			err := r.Next(&m)
			if err != nil {
				if err != io.EOF && ctx.Err() == nil {
					fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
				}
				break
			}
			buf = m.AppendJSON(buf[:0])
			buf = append(buf, '\n')
			mu.Lock()
			out.Write(buf)
			out.Flush()
			mu.Unlock()
		}
		st := dec.Stats()
		mu.Lock()
		addStats(total, &st)
		mu.Unlock()
	})
}

func addStats(t, s *adsb.Stats) {
	t.Frames += s.Frames
	t.Accepted += s.Accepted
	t.ModeAC += s.ModeAC
	t.BadCRC += s.BadCRC
	t.Fixed += s.Fixed
	t.UnknownAddress += s.UnknownAddress
	t.Unsupported += s.Unsupported
	t.BadLength += s.BadLength
	t.BadSBS += s.BadSBS
	t.CPRGlobalOK += s.CPRGlobalOK
	t.CPRGlobalBad += s.CPRGlobalBad
	t.CPRGlobalSkipped += s.CPRGlobalSkipped
	t.CPRLocalOK += s.CPRLocalOK
	t.CPRLocalFailed += s.CPRLocalFailed
	t.CPRLocalSkipped += s.CPRLocalSkipped
	t.Implausible += s.Implausible
	t.Positions += s.Positions
	t.JunkBytes += s.JunkBytes
	t.BeastStatus += s.BeastStatus
	t.MalformedAVR += s.MalformedAVR
	t.TruncatedTail += s.TruncatedTail
}

// printADSBStats writes the counters, one "name value" per line; see
// docs/FORMATS.md.
func printADSBStats(w io.Writer, s *adsb.Stats) {
	for _, kv := range []struct {
		k string
		v uint64
	}{
		{"frames", s.Frames},
		{"accepted", s.Accepted},
		{"mode_ac", s.ModeAC},
		{"bad_crc", s.BadCRC},
		{"fixed", s.Fixed},
		{"unknown_address", s.UnknownAddress},
		{"unsupported_df", s.Unsupported},
		{"bad_length", s.BadLength},
		{"bad_sbs", s.BadSBS},
		{"cpr_global_ok", s.CPRGlobalOK},
		{"cpr_global_bad", s.CPRGlobalBad},
		{"cpr_global_skipped", s.CPRGlobalSkipped},
		{"cpr_local_ok", s.CPRLocalOK},
		{"cpr_local_failed", s.CPRLocalFailed},
		{"cpr_local_skipped", s.CPRLocalSkipped},
		{"implausible", s.Implausible},
		{"positions", s.Positions},
		{"junk_bytes", s.JunkBytes},
		{"malformed_avr", s.MalformedAVR},
		{"beast_status", s.BeastStatus},
		{"truncated_tail", s.TruncatedTail},
	} {
		fmt.Fprintf(w, "%-20s %d\n", kv.k, kv.v)
	}
}

// closeFunc is a reader with its own Close.
type closeFunc struct {
	io.Reader
	close func() error
}

func (c *closeFunc) Close() error { return c.close() }
