package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/position"
	"github.com/vigia/vigia/internal/progress"
	"github.com/vigia/vigia/internal/sim"
)

const simulateFlightsHelp = `
Simulates the flights of a scenario and writes what receivers would get:
ADS-B extended squitters (DO-260B rates, CPR even/odd, velocity,
identification, operational status) as AVR and Beast with 12 MHz receiver
timestamps, MISB ST 0601 KLV in MPEG-TS (a minimal H.264 video stream and
the KLV in the scenario's carriage) per drone, and the ground truth: one
NDJSON record per message with the aircraft's true state.

--scenario names an embedded scenario (border: drones over Sonora and
Sinaloa, one straying from its authorised area, a manned patrol along the
border, another whose route overruns the border into Sonora) or a TOML file (see docs/FORMATS.md). A positional SCENARIO works
too. --start, --duration and --seed override the scenario's.

File output (--out DIR): adsb.avr, adsb.beast, <aircraft>.ts per KLV drone,
truth.ndjson, and the scenario's authorisations as authz-<ID>.json (for
"vigia authz add", operator USA); progress is shown on standard error. Decode them with
"vigia decode adsb --start START adsb.beast" (START from the first line of
truth.ndjson) and "vigia decode klv DRONE.ts".

Live output (--live): at real time, or --speed times faster, ADS-B goes to
a TCP server (--adsb-tcp HOST:PORT, as a receiver feeding a decoder) and/or
to every client of a TCP port opened here (--adsb-listen HOST:PORT, as a
receiver's output port), in Beast or AVR (--adsb-format); each drone's TS
goes over UDP, 7 packets per datagram, to --klv-udp HOST:PORT, the n-th
KLV drone (from 0, in scenario order) to port PORT+n. Multicast addresses
work. With --out as well, the same bytes are also written to files.

Example:
  vigia simulate flights --scenario border --out /tmp/sim
  vigia simulate flights --scenario border --duration 5m --live --speed 10 \
      --adsb-listen 127.0.0.1:30005 --klv-udp 239.1.1.1:5000
`

func runSimulateFlights(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "simulate flights", "vigia simulate flights [--scenario NAME|FILE.toml] --out DIR [flags]", simulateFlightsHelp)
	scenario := fs.String("scenario", "", "embedded scenario `name` ("+strings.Join(sim.Names(), ", ")+") or TOML file (default border)")
	out := fs.String("out", "", "write the files into `DIR` (created if missing)")
	duration := fs.Duration("duration", 0, "scenario `duration` (default: the scenario's)")
	seed := fs.String("seed", "", "random `seed` (default: the scenario's)")
	start := fs.String("start", "", "scenario start, RFC 3339 `time` in UTC (default: the scenario's)")
	plainAVR := fs.Bool("avr-plain", false, "write AVR without timestamps (*...;)")
	live := fs.Bool("live", false, "stream live instead of (or besides) writing files")
	speed := fs.Float64("speed", 1, "live: speed-up `factor` (1 is real time)")
	adsbTCP := fs.String("adsb-tcp", "", "live: connect to `HOST:PORT` and send ADS-B")
	adsbListen := fs.String("adsb-listen", "", "live: serve ADS-B to clients of `HOST:PORT`")
	adsbFormat := fs.String("adsb-format", "beast", "live: ADS-B `format` on TCP, beast or avr")
	wait := fs.Bool("wait", false, "live: with --adsb-listen, start the clock when the first client connects")
	klvUDP := fs.String("klv-udp", "", "live: send each drone's TS to UDP `HOST:PORT` (+1 per drone)")
	quiet := fs.Bool("quiet", false, "no progress output")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		*scenario = args[0]
		args = args[1:]
	}
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *scenario == "" && fs.NArg() == 1 {
		*scenario = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "vigia simulate flights: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *scenario == "" {
		*scenario = "border"
	}
	usage := func(msg string) error {
		fmt.Fprintln(e.stderr, "vigia simulate flights: "+msg)
		return errUsage
	}
	if *out == "" && !*live {
		return usage("want --out DIR or --live")
	}
	if *live && *adsbTCP == "" && *adsbListen == "" && *klvUDP == "" {
		return usage("--live wants --adsb-tcp, --adsb-listen or --klv-udp")
	}
	if !(*speed > 0) {
		return usage("--speed must be positive")
	}
	if *adsbFormat != "beast" && *adsbFormat != "avr" {
		return usage("--adsb-format must be beast or avr")
	}
	sc, err := sim.Load(*scenario)
	if err != nil {
		return err
	}
	if *duration != 0 {
		if *duration < 0 || *duration > sim.MaxDuration {
			return usage(fmt.Sprintf("--duration must be in (0, %v]", sim.MaxDuration))
		}
		sc.Duration = *duration
	}
	if *seed != "" {
		v, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil {
			return usage("--seed must be an unsigned integer")
		}
		sc.Seed = v
	}
	if *start != "" {
		t, err := time.Parse(time.RFC3339Nano, *start)
		if err != nil {
			return usage("--start must be an RFC 3339 time, e.g. 2026-03-02T16:00:00Z")
		}
		sc.Start = t.UTC()
	}
	s, err := sim.New(sc)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	o := &sim.Output{PlainAVR: *plainAVR, TS: map[string]io.Writer{}}
	var closers []func() error
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	// finish flushes and closes in reverse order, reporting the first
	// error; the deferred call then has nothing left to do.
	finish := func() error {
		var first error
		for i := len(closers) - 1; i >= 0; i-- {
			if err := closers[i](); err != nil && first == nil {
				first = err
			}
		}
		closers = nil
		return first
	}
	var avrW, beastW, truthW []io.Writer
	tsW := map[string][]io.Writer{}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		file := func(name string) (io.Writer, error) {
			f, err := os.Create(filepath.Join(*out, name))
			if err != nil {
				return nil, err
			}
			bw := bufio.NewWriterSize(f, 256<<10)
			closers = append(closers, func() error {
				err := bw.Flush()
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				return err
			})
			return bw, nil
		}
		for _, p := range []struct {
			name string
			dst  *[]io.Writer
		}{{"adsb.avr", &avrW}, {"adsb.beast", &beastW}, {"truth.ndjson", &truthW}} {
			w, err := file(p.name)
			if err != nil {
				return err
			}
			*p.dst = append(*p.dst, w)
		}
		for _, a := range sc.Aircraft {
			if a.KLV {
				w, err := file(a.ID + ".ts")
				if err != nil {
					return err
				}
				tsW[a.ID] = append(tsW[a.ID], w)
			}
		}
	}
	if *live {
		pick := func(w io.Writer) {
			if *adsbFormat == "avr" {
				avrW = append(avrW, w)
			} else {
				beastW = append(beastW, w)
			}
		}
		if *adsbTCP != "" {
			c, err := sim.DialTCP(ctx, *adsbTCP)
			if err != nil {
				return err
			}
			closers = append(closers, c.Close)
			pick(c)
		}
		if *adsbListen != "" {
			b, err := sim.Listen(*adsbListen, log)
			if err != nil {
				return err
			}
			closers = append(closers, b.Close)
			fmt.Fprintf(e.stderr, "vigia simulate flights: serving %s ADS-B on %s\n", *adsbFormat, b.Addr())
			if *wait {
				if err := b.WaitClient(ctx); err != nil {
					return err
				}
			}
			pick(b)
		}
		if *klvUDP != "" {
			host, port, err := net.SplitHostPort(strings.TrimPrefix(*klvUDP, "udp://"))
			p0, perr := strconv.Atoi(port)
			if err != nil || perr != nil {
				return usage("--klv-udp must be HOST:PORT")
			}
			n := 0
			for _, a := range sc.Aircraft {
				if !a.KLV {
					continue
				}
				addr := net.JoinHostPort(host, strconv.Itoa(p0+n))
				u, err := sim.DialUDP(addr)
				if err != nil {
					return err
				}
				closers = append(closers, u.Close)
				tsW[a.ID] = append(tsW[a.ID], u)
				fmt.Fprintf(e.stderr, "vigia simulate flights: %s KLV to udp://%s\n", a.ID, addr)
				n++
			}
		}
		o.Pace = sim.NewPacer(*speed).Wait
	}
	o.AVR, o.Beast, o.Truth = multi(avrW), multi(beastW), multi(truthW)
	for id, ws := range tsW {
		o.TS[id] = multi(ws)
	}
	if !*quiet {
		p := progress.New(e.stderr, log, "simulate", int64(sc.Duration/time.Second), &progress.Options{Unit: "s", Detect: true})
		var done int64
		o.Progress = func(t time.Duration) {
			n := int64(t / time.Second)
			p.Add(n - done)
			done = n
		}
		defer p.Done()
	}
	st, err := s.Run(ctx, o)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted after %d ADS-B messages and %d KLV packets", st.ADSB, st.KLV)
		}
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	if *out != "" {
		if err := writeScenarioAuthorisations(sc, *out); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "scenario %s: start %s, %v, seed %d: %d ADS-B messages (%d lost), %d KLV packets, %d video frames\n",
		sc.Name, sc.Start.Format(time.RFC3339), sc.Duration, sc.Seed, st.ADSB, st.ADSBLost, st.KLV, st.VideoFrames)
	return nil
}

// multi returns nil for no writers, the writer for one, and an
// io.MultiWriter otherwise.
func multi(ws []io.Writer) io.Writer {
	switch len(ws) {
	case 0:
		return nil
	case 1:
		return ws[0]
	}
	return io.MultiWriter(ws...)
}

// scenarioAuthorisations converts a scenario's authorisations to the
// compliance form; the programme's aircraft are operated by the USA.
func scenarioAuthorisations(sc *sim.Scenario) []*compliance.Authorisation {
	var out []*compliance.Authorisation
	for i := range sc.Authorisations {
		a := &sc.Authorisations[i]
		au := &compliance.Authorisation{ID: a.ID, Operator: "USA", Airspace: a.Country,
			Altitude: compliance.AltitudeBand{Min: a.MinAlt, Max: a.MaxAlt, Ref: position.MSL}}
		for _, x := range a.ICAO {
			au.Aircraft = append(au.Aircraft, fmt.Sprintf("icao:%06X", x))
		}
		for _, m := range a.MissionIDs {
			au.Aircraft = append(au.Aircraft, "mission:"+m)
		}
		var ring [][2]float64
		for _, p := range a.Area {
			ring = append(ring, [2]float64{float64(p.Lon), float64(p.Lat)})
		}
		au.Areas = [][][][2]float64{{ring}}
		from, until := a.Window(sc.Start)
		au.Windows = []compliance.Window{{Start: from, End: until}}
		au.Created = sc.Start
		au.Note = "scenario " + sc.Name
		out = append(out, au)
	}
	return out
}

// writeScenarioAuthorisations writes each authorisation as authz-<ID>.json.
func writeScenarioAuthorisations(sc *sim.Scenario, dir string) error {
	for _, a := range scenarioAuthorisations(sc) {
		b, err := json.MarshalIndent(a, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "authz-"+a.ID+".json"), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
