package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/server"
	"github.com/vigia/vigia/internal/store"
)

func ingestCommand() command {
	return command{name: "ingest", summary: "replay recorded feeds (AVR, Beast, SBS, MPEG-TS with KLV) through the accounting", run: runIngest}
}

const ingestHelp = `
Pushes recorded telemetry through the same pipeline as vigia serve: each
FILE (or "-" for standard input) is decoded — AVR, Beast, SBS or MPEG-TS
with MISB ST 0601 KLV, detected — and its positions, at their recorded
times, are published to the event log, tracked, judged and stored, as fast
as the machine allows, with a progress bar. It returns when everything is
stored, and prints what was accounted. Ingesting the same file again
changes nothing.

Receiver timestamps (AVR "@", Beast) count from an unknown zero: give it
with --start (the UTC time of the receiver clock's zero), or positions
without a time of their own are dropped and counted.

Example:
  vigia ingest --data /var/lib/vigia --start 2026-03-02T15:00:00Z border.avr border-sonora.ts
`

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ingest", "vigia ingest [flags] FILE...", ingestHelp)
	format := fs.String("format", "auto", "`FORMAT` of every file: auto, avr, beast, sbs or klv")
	start := fs.String("start", "", "UTC `TIME` (RFC 3339) of the receiver clock's zero")
	receiver := fs.String("receiver", "", "receiver position `LAT,LON` for local CPR decoding")
	quiet := fs.Bool("quiet", false, "no progress bar")
	pf := addPipelineFlags(fs, 5*time.Second)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "vigia ingest: want at least one FILE")
		return errUsage
	}
	cfg, _, err := pf.config(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigia ingest: %v\n", err)
		return errUsage
	}
	var t0 time.Time
	if *start != "" {
		if t0, err = time.Parse(time.RFC3339Nano, *start); err != nil {
			fmt.Fprintf(e.stderr, "vigia ingest: --start: want an RFC 3339 time such as 2026-03-02T15:00:00Z\n")
			return errUsage
		}
	}
	var rcv *geo.LatLon
	if *receiver != "" {
		var lat, lon float64
		if _, err := fmt.Sscanf(*receiver, "%g,%g", &lat, &lon); err != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			fmt.Fprintf(e.stderr, "vigia ingest: --receiver: want LAT,LON in degrees\n")
			return errUsage
		}
		rcv = &geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
	}
	for _, name := range fs.Args() {
		in, err := openInput(e, name, nil)
		if err != nil {
			return err
		}
		defer in.Close()
		var r io.Reader = in.r
		if p := in.progress(e, "ingest "+in.name, *quiet); p != nil {
			r = &countingReader{r: r, p: p}
			defer p.Done()
		}
		cfg.Feeds = append(cfg.Feeds, server.Feed{Name: in.name, Format: *format, Mode: "file", Addr: name, Reader: r, Start: t0.UTC(), Receiver: rcv})
	}
	s, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	st := s.Store()
	before, err := counts(ctx, st)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := s.Run(ctx, true); err != nil {
		return err
	}
	published := s.Published()
	// The store is closed by Run; reopen it for the totals.
	st, err = pf.sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	after, err := counts(ctx, st)
	if err != nil {
		return err
	}
	secs := time.Since(began).Seconds()
	fmt.Fprintf(e.stdout, "ingested %d positions in %.1f s (%.0f/s); store: %d flights (+%d), %d alerts (+%d)\n",
		published, secs, float64(published)/secs, after.flights, after.flights-before.flights, after.alerts, after.alerts-before.alerts)
	return nil
}

type storeCounts struct{ flights, alerts int }

func counts(ctx context.Context, st store.Store) (storeCounts, error) {
	fl, err := st.Flights(ctx, store.FlightFilter{})
	if err != nil {
		return storeCounts{}, err
	}
	al, err := st.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		return storeCounts{}, err
	}
	return storeCounts{len(fl), len(al)}, nil
}
