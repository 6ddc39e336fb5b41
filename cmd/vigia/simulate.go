package main

import (
	"context"
	"fmt"
	"strings"
)

func simulateCommand() command {
	return command{
		name:    "simulate",
		summary: "simulate flights (ADS-B, KLV in MPEG-TS) or spectrometer scenes",
		run:     runSimulate,
	}
}

const simulateHelp = `
Produces realistic data in the real formats, with ground truth, because no
real programme data can be had.

Subcommands:
  flights SCENARIO.toml --out DIR   ADS-B (AVR, Beast) and KLV in MPEG-TS files, or live to TCP/UDP
  scene   --out DIR                 ENVI radiance cubes with plumes of known emission rate

Example:
  vigia simulate flights --scenario border --out /tmp/sim
`

func runSimulate(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(e, "simulate", "vigia simulate <flights|scene> [flags]", simulateHelp)
		if err := parseFlags(e, fs, args); err != nil {
			return err
		}
		fs.Usage()
		return errUsage
	}
	switch args[0] {
	case "flights":
		return runSimulateFlights(ctx, e, args[1:])
	case "scene":
		return runSimulateScene(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "vigia simulate: unknown subcommand %q (want flights or scene)\n", args[0])
	return errUsage
}
