package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/vigia/vigia/internal/feed/klv"
	"github.com/vigia/vigia/internal/feed/mpegts"
)

const decodeKLVHelp = `
Decodes MISB ST 0601 (UAS Datalink Local Set) KLV metadata and prints one
JSON object per packet (NDJSON; every field is in docs/FORMATS.md):
"offset" (byte offset of the packet, or for MPEG-TS of the TS packet that
began its PES packet), for MPEG-TS "pid", "pts" (90 kHz ticks) and "pts_s"
(seconds), then "checksum_ok" and every tag under a snake_case name with
its unit: precision_time_stamp (RFC 3339 UTC, microseconds),
sensor_latitude_deg, sensor_longitude_deg, sensor_true_altitude_m,
platform_heading_deg, frame_center_latitude_deg, ... and corners_deg, the
image corners computed from the frame centre and tags 26-33 (or 82-89).

Input is FILE, "-" for standard input, or udp://HOST:PORT for a live
stream (unicast, or a multicast group that is joined). It may be raw KLV
(as "ffmpeg -map 0:d -c copy -f data" writes it; packets are found by their
16-byte key, other bytes skipped) or an MPEG-TS, detected from its sync
bytes; in a TS every KLV stream of every program is read, in both the
asynchronous (stream_type 0x06, "KLVA") and the synchronous (0x15)
carriage.

A packet whose checksum (tag 1) is wrong or missing is printed with
"checksum_ok": false, or dropped with --strict. A truncated or malformed
packet is reported on standard error with its offset and skipped; the
exit status is then 3 (as it is when --strict drops a packet).
--designation keeps only the packets of one platform designation (tag 10).
For a regular FILE over 1 MiB, progress is shown on standard error.

Example:
  vigia decode klv flight.ts
  vigia decode klv --strict --designation MQ-9 udp://239.1.1.1:5000
  ffmpeg -i flight.ts -map 0:d -c copy -f data - | vigia decode klv -
`

// maxKLVReports caps the bad packets reported on standard error.
const maxKLVReports = 20

// klvRun holds the state of one decode klv run.
type klvRun struct {
	e           *env
	name        string
	out         *bufio.Writer
	live        bool
	strict      bool
	designation string
	pkt         klv.Packet
	buf         []byte
	bad         int64 // truncated or malformed packets
	dropped     int64 // bad checksums dropped by --strict
	reports     int
}

func runDecodeKLV(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "decode klv", "vigia decode klv [--strict] [--designation NAME] [--quiet] FILE|-|udp://HOST:PORT", decodeKLVHelp)
	strict := fs.Bool("strict", false, "drop packets whose checksum is wrong or missing")
	designation := fs.String("designation", "", "print only packets whose platform designation (tag 10) is `NAME`")
	quiet := fs.Bool("quiet", false, "do not show progress")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "vigia decode klv: want exactly one FILE, - or udp://HOST:PORT")
		return errUsage
	}
	src, err := openInput(e, fs.Arg(0), map[string]opener{
		"udp://": func(name string) (io.ReadCloser, error) { return mpegts.NewUDPReader(ctx, name) },
	})
	if err != nil {
		return err
	}
	defer src.Close()
	name, in, live := src.name, src.r, src.live
	if p := src.progress(e, "decode klv", *quiet); p != nil {
		in = &countingReader{r: in, p: p}
		defer p.Done()
	}
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	defer out.Flush()
	r := &klvRun{e: e, name: name, out: out, live: live, strict: *strict, designation: *designation}
	br := bufio.NewReaderSize(in, 64<<10)
	prefix, _ := br.Peek(2*mpegts.PacketSize + 1)
	if mpegts.IsTS(prefix) {
		err = r.ts(ctx, br)
	} else {
		err = r.raw(ctx, br)
	}
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if r.bad > 0 || r.dropped > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%s: skipped %d truncated or malformed packets and dropped %d with a bad checksum", name, r.bad, r.dropped)}
	}
	return nil
}

// raw decodes a stream of KLV packets.
func (r *klvRun) raw(ctx context.Context, in io.Reader) error {
	s := klv.NewScanner(in)
	for n := 0; ; n++ {
		b, off, err := s.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if err := r.emit(b, off, nil); err != nil {
			return err
		}
		if n%1024 == 0 && ctx.Err() != nil {
			return nil
		}
	}
}

// ts decodes the KLV streams of an MPEG transport stream.
func (r *klvRun) ts(ctx context.Context, in io.Reader) error {
	d := mpegts.NewDemuxer(in)
	for n := 0; ; n++ {
		u, err := d.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		for data := u.Data; len(data) > 0; {
			b, _, next := klv.Find(data)
			if b == nil {
				break
			}
			if err := r.emit(b, u.Offset, &u); err != nil {
				return err
			}
			data = data[next:]
		}
		if n%1024 == 0 && ctx.Err() != nil {
			return nil
		}
	}
}

// emit decodes one packet and prints it.
func (r *klvRun) emit(b []byte, off int64, u *mpegts.Unit) error {
	if err := r.pkt.DecodeFrom(b); err != nil {
		r.bad++
		r.report("%s: packet at offset %d: %v", r.name, off, err)
		return nil
	}
	if r.strict && !r.pkt.ChecksumOK {
		r.dropped++
		r.report("%s: packet at offset %d: checksum %#04x wrong or missing; dropped (--strict)", r.name, off, r.pkt.Checksum)
		return nil
	}
	if r.designation != "" {
		if v, ok := r.pkt.Get(klv.TagPlatformDesignation); !ok || v.Str != r.designation {
			return nil
		}
	}
	buf := append(r.buf[:0], `{"offset":`...)
	buf = strconv.AppendInt(buf, off, 10)
	if u != nil {
		buf = append(buf, `,"pid":`...)
		buf = strconv.AppendUint(buf, uint64(u.PID), 10)
		if u.HasPTS {
			buf = append(buf, `,"pts":`...)
			buf = strconv.AppendInt(buf, u.PTS, 10)
			buf = append(buf, `,"pts_s":`...)
			buf = strconv.AppendFloat(buf, float64(u.PTS)/90000, 'f', -1, 64)
		}
	}
	buf = append(buf, ',')
	buf = r.pkt.AppendJSONFields(buf)
	buf = append(buf, '}', '\n')
	r.buf = buf
	if _, err := r.out.Write(buf); err != nil {
		return err
	}
	if r.live {
		return r.out.Flush()
	}
	return nil
}

func (r *klvRun) report(format string, args ...any) {
	if r.reports++; r.reports <= maxKLVReports {
		fmt.Fprintf(r.e.stderr, format+"\n", args...)
	} else if r.reports == maxKLVReports+1 {
		fmt.Fprintf(r.e.stderr, "%s: further bad packets are counted but not reported\n", r.name)
	}
}
