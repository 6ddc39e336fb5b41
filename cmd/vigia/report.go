package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/compliance"
)

func reportCommand() command {
	return command{
		name:    "report",
		summary: "a flight's report against sovereign airspace and authorisations (flight)",
		run:     runReport,
	}
}

const reportHelp = `
A flight report gives the time and distance in each airspace, every border
crossing, the maximum depth, the share of partner-airspace time that was
authorised, and every alert, from what the store holds.

Subcommands:
  flight [--data DIR|--db URL] [--format json|geojson|html] ID

Example:
  vigia report flight --data /var/lib/vigia --format html icao:AE1F10@2026-03-02T16:00:00.000Z > report.html
`

func runReport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(e, "report", "vigia report flight [flags] ID", reportHelp)
		if err := parseFlags(e, fs, args); err != nil {
			return err
		}
		fs.Usage()
		return errUsage
	}
	if args[0] != "flight" {
		fmt.Fprintf(e.stderr, "vigia report: unknown subcommand %q (want flight)\n", args[0])
		return errUsage
	}
	fs := newFlags(e, "report flight", "vigia report flight [--data DIR|--db URL] [--format json|geojson|html] ID", `
Prints the report of flight ID (as vigia serve names it: the aircraft's
position id, "@", and the flight's start time) in JSON, GeoJSON (the track
coloured by verdict, crossings and alerts as points) or as a printable
HTML page with a map of the track drawn without network tiles. The
formats are in docs/FORMATS.md.

Example:
  vigia report flight --data /var/lib/vigia --format html icao:AE1F10@2026-03-02T16:00:00.000Z > report.html`)
	sf := addStoreFlags(fs)
	format := fs.String("format", "json", "`FORMAT`: json, geojson or html")
	if err := parseFlags(e, fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "vigia report flight: want exactly one flight ID")
		return errUsage
	}
	switch *format {
	case "json", "geojson", "html":
	default:
		fmt.Fprintf(e.stderr, "vigia report flight: --format: want json, geojson or html, got %q\n", *format)
		return errUsage
	}
	set, err := loadAirspace("")
	if err != nil {
		return err
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id := fs.Arg(0)
	r, err := api.FlightReport(ctx, st, set, id)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	switch *format {
	case "json":
		err = compliance.WriteJSON(out, &r)
	case "geojson":
		err = compliance.WriteGeoJSON(out, &r)
	case "html":
		err = compliance.WriteHTML(out, &r, set)
	}
	if err != nil {
		return err
	}
	return out.Flush()
}
