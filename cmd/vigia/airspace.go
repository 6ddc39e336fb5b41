package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigia/vigia/internal/airspace"
)

func airspaceCommand() command {
	return command{
		name:    "airspace",
		summary: "classify positions against sovereign airspace (classify, info)",
		run:     runAirspace,
	}
}

const airspaceHelp = `
Sovereign airspace is land plus the 12 nm territorial sea. vigia ships the
airspace of the USA and Mexico; --airspace loads any other GeoJSON set (a
file, or a directory of *.geojson files), one feature per country with its
ISO 3166-1 alpha-3 code in a property (A3, ISO_A3, ADM0_A3, ...).

Containment is exact: edges are straight in lon/lat and a point on the
boundary is inside (the rule of GeoJSON and of PostGIS ST_Covers). Depth is
the geodesic distance on WGS84 to the nearest boundary of the containing
airspace; outside every airspace, to the nearest one.

Subcommands:
  classify [--airspace DIR|FILE] FILE|-   lon,lat lines in; lon,lat,country,depth_m out
  info     [--airspace DIR|FILE]          the loaded countries and their size

Example:
  vigia airspace classify testdata/border_points.csv
  echo "-117.0,32.55" | vigia airspace classify -

Data: ` + airspace.Attribution

func runAirspace(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(e, "airspace", "vigia airspace <classify|info> [flags]", airspaceHelp)
		if err := parseFlags(e, fs, args); err != nil {
			return err
		}
		fs.Usage()
		return errUsage
	}
	switch args[0] {
	case "classify":
		return runAirspaceClassify(ctx, e, args[1:])
	case "info":
		return runAirspaceInfo(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "vigia airspace: unknown subcommand %q (want classify or info)\n", args[0])
	return errUsage
}

// loadAirspace returns the set named by --airspace, or the embedded one.
func loadAirspace(path string) (*airspace.Set, error) {
	if path == "" {
		return airspace.Embedded()
	}
	return airspace.LoadPath(path, nil)
}

func runAirspaceClassify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "airspace classify", "vigia airspace classify [--airspace DIR|FILE] FILE|-", `
Reads lon,lat lines (decimal degrees; CSV with or without a header; further
columns ignored) from FILE, or from standard input for "-", and prints
lon,lat,country,depth_m: country is the ISO alpha-3 code of the covering
airspace, empty outside all of them, and depth_m the geodesic distance in
metres to its nearest boundary (outside: to the nearest airspace). Memory
does not grow with the input. A malformed line is reported on standard
error with its line number and skipped; the exit status is then 3.
For a regular FILE over 1 MiB, progress is drawn as a bar on a terminal
and logged on standard error otherwise.

Example:
  vigia airspace classify testdata/border_points.csv
  vigia airspace classify --airspace my-countries/ points.csv > labelled.csv

Data: `+airspace.Attribution)
	dir := fs.String("airspace", "", "GeoJSON `file or directory` of airspaces to use instead of the embedded USA and Mexico")
	quiet := fs.Bool("quiet", false, "do not draw a progress bar")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "vigia airspace classify: want exactly one FILE or -")
		return errUsage
	}
	set, err := loadAirspace(*dir)
	if err != nil {
		return err
	}
	src, err := openInput(e, fs.Arg(0), nil)
	if err != nil {
		return err
	}
	defer src.Close()
	name, in := src.name, src.r
	var onProgress func(int64)
	if p := src.progress(e, "classify", *quiet); p != nil {
		defer p.Done()
		var last int64
		onProgress = func(n int64) { p.Add(n - last); last = n }
	}
	st, err := set.ClassifyCSV(ctx, in, e.stdout, func(line int64, err error) {
		fmt.Fprintf(e.stderr, "%s:%d: %v (skipped)\n", name, line, err)
	}, onProgress)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if st.Skipped > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%s: skipped %d malformed of %d lines", name, st.Skipped, st.Lines)}
	}
	return nil
}

func runAirspaceInfo(e *env, args []string) error {
	fs := newFlags(e, "airspace info", "vigia airspace info [--airspace DIR|FILE]", `
Prints the countries of the airspace set with their polygon, ring and
vertex counts and bounding boxes, and the data attribution.

Example:
  vigia airspace info
  vigia airspace info --airspace my-countries/

Data: `+airspace.Attribution)
	dir := fs.String("airspace", "", "GeoJSON `file or directory` of airspaces to use instead of the embedded USA and Mexico")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	set, err := loadAirspace(*dir)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "code,polygons,rings,vertices,lon_min,lat_min,lon_max,lat_max")
	for _, s := range set.Summary() {
		fmt.Fprintf(e.stdout, "%s,%d,%d,%d,%g,%g,%g,%g\n", s.Code, s.Polygons, s.Rings, s.Vertices, s.LonMin, s.LatMin, s.LonMax, s.LatMax)
	}
	if *dir == "" {
		fmt.Fprintln(e.stdout, "\n"+airspace.Attribution)
	}
	return nil
}
