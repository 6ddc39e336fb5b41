package main

import (
	"context"
	"fmt"
	"strings"
)

func decodeCommand() command {
	return command{
		name:    "decode",
		summary: "decode recorded or live telemetry to NDJSON (adsb, klv)",
		run:     runDecode,
	}
}

const decodeHelp = `
Decodes telemetry and prints one JSON object per accepted message (NDJSON);
the fields are documented in docs/FORMATS.md.

Subcommands:
  adsb [--format avr|beast|sbs] [--receiver LAT,LON] FILE|-   ADS-B / Mode S
  klv  [--strict] FILE|-                                        MISB ST 0601 (raw KLV or MPEG-TS)

Example:
  vigia decode adsb --format beast --receiver 32.7,-114.6 flight.beast
`

func runDecode(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(e, "decode", "vigia decode <adsb|klv> [flags] FILE|-", decodeHelp)
		if err := parseFlags(e, fs, args); err != nil {
			return err
		}
		fs.Usage()
		return errUsage
	}
	switch args[0] {
	case "klv":
		return runDecodeKLV(ctx, e, args[1:])
	case "adsb":
		return runDecodeADSB(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "vigia decode: unknown subcommand %q (want adsb or klv)\n", args[0])
	return errUsage
}
