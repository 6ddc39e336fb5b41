package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/server"
	"github.com/vigia/vigia/internal/track"
)

func serveCommand() command {
	return command{name: "serve", summary: "run vigia: feeds, event log, accounting, alerts and the HTTP API", run: runServe}
}

const serveHelp = `
Runs vigia as a service: telemetry feeds are decoded and published to the
event log (NATS JetStream, embedded under --data unless --nats names a
cluster); every fix is tracked, located against sovereign airspace and
judged against the partner's authorisations; fixes, crossings, alerts and
flights are stored (SQLite under --data, or PostgreSQL with --db); an
unauthorised incursion raises an alert, streamed at /api/alerts/stream.
On SIGINT or SIGTERM it stops feeds, accounts what they published, saves
its state and exits; after a crash it resumes from its last saved state
with nothing lost or counted twice.

A feed is FORMAT+SCHEME://ADDR[?receiver=LAT,LON&start=TIME&name=NAME]:
FORMAT adsb (detect AVR, Beast or SBS), avr, beast, sbs or klv (MPEG-TS
with ST 0601); SCHEME tcp (connect to a receiver, reconnecting), listen
(receivers connect here) or udp (KLV in TS, unicast or multicast).

Several processes share the accounting against one external NATS and one
PostgreSQL with --shard I/N (each aircraft is tracked by one of them).

Flags may also come from a TOML file (--config), whose keys are the flag
names (feed as a list; fleet as [[fleet]] tables with id, operator and
registration); flags given on the command line win.

Example:
  vigia serve --data /var/lib/vigia --feed beast+tcp://127.0.0.1:30005 --feed klv+udp://239.10.10.10:5000
`

// serveFile is the TOML form of vigia serve's flags.
type serveFile struct {
	HTTP       string   `toml:"http"`
	Data       string   `toml:"data"`
	DB         string   `toml:"db"`
	NATS       string   `toml:"nats"`
	NATSListen string   `toml:"nats-listen"`
	Feed       []string `toml:"feed"`
	Shard      string   `toml:"shard"`
	Reorder    string   `toml:"reorder"`
	Gap        string   `toml:"gap"`
	Airspace   string   `toml:"airspace"`
	Geoid      *float64 `toml:"geoid"`
	LogLevel   string   `toml:"log-level"`
	LogFormat  string   `toml:"log-format"`
	Programme  *bool    `toml:"programme-only"`
	Fleet      []struct {
		ID           string `toml:"id"`
		Operator     string `toml:"operator"`
		Registration string `toml:"registration"`
	} `toml:"fleet"`
}

// feedList is a repeatable --feed flag.
type feedList []string

func (l *feedList) String() string     { return strings.Join(*l, ",") }
func (l *feedList) Set(s string) error { *l = append(*l, s); return nil }

// pipelineFlags are the flags vigia serve and vigia ingest share.
type pipelineFlags struct {
	sf                  storeFlags
	nats, shard         *string
	reorder, gap        *time.Duration
	airspace            *string
	geoid               *float64
	logLevel, logFormat *string
	programmeOnly       *bool
}

func addPipelineFlags(fs *flag.FlagSet, reorder time.Duration) pipelineFlags {
	return pipelineFlags{
		sf:            addStoreFlags(fs),
		nats:          fs.String("nats", "", "external NATS JetStream `URL` (nats://host:4222); default: embedded under --data"),
		shard:         fs.String("shard", "1/1", "the `I/N` share of the accounting this process takes"),
		reorder:       fs.Duration("reorder", reorder, "how late (message time) a fix may come and still be placed in order; each fix waits this long"),
		gap:           fs.Duration("gap", 10*time.Minute, "silence that ends a flight"),
		airspace:      fs.String("airspace", "", "sovereign airspace GeoJSON `FILE` or directory (default: the embedded USA and Mexico set)"),
		geoid:         fs.Float64("geoid", -28, "geoid height above the WGS84 ellipsoid in `METRES` for altitude bands (about -28 over Sonora)"),
		logLevel:      fs.String("log-level", "info", "`LEVEL`: debug, info, warn or error"),
		logFormat:     fs.String("log-format", "text", "`FORMAT` of logs on standard error: text or json"),
		programmeOnly: fs.Bool("programme-only", false, "account only the programme's aircraft (in the fleet or named by an authorisation); skip other traffic"),
	}
}

// config builds the server configuration the flags describe.
func (p pipelineFlags) config(e *env) (server.Config, *slog.Logger, error) {
	var cfg server.Config
	var level slog.Level
	if err := level.UnmarshalText([]byte(*p.logLevel)); err != nil {
		return cfg, nil, fmt.Errorf("--log-level: %w", err)
	}
	hopts := &slog.HandlerOptions{Level: level}
	var log *slog.Logger
	switch *p.logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(e.stderr, hopts))
	case "json":
		log = slog.New(slog.NewJSONHandler(e.stderr, hopts))
	default:
		return cfg, nil, fmt.Errorf("--log-format: want text or json, got %q", *p.logFormat)
	}
	set, err := loadAirspace(*p.airspace)
	if err != nil {
		return cfg, nil, err
	}
	shard, err := server.ParseShard(*p.shard)
	if err != nil {
		return cfg, nil, fmt.Errorf("--shard: %w", err)
	}
	if *p.reorder < 0 || *p.gap <= 0 {
		return cfg, nil, errors.New("--reorder must be ≥ 0 and --gap > 0")
	}
	cfg = server.Config{
		DataDir: *p.sf.data, DB: *p.sf.db, NATS: *p.nats, Shard: shard, Airspace: set, Logger: log, ProgrammeOnly: *p.programmeOnly,
		Track:      track.Options{Gap: *p.gap, Reorder: *p.reorder, MaxSpeed: track.DefaultOptions().MaxSpeed},
		Compliance: compliance.Options{GeoidUndulation: geo.Meters(*p.geoid)},
	}
	return cfg, log, nil
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "vigia serve [flags]", serveHelp)
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP API listening `ADDR`")
	natsListen := fs.String("nats-listen", "", "let the embedded NATS server also listen on `ADDR` for other processes")
	configFile := fs.String("config", "", "TOML `FILE` of flag values")
	var feedSpecs feedList
	fs.Var(&feedSpecs, "feed", "a telemetry `FEED` (repeatable; see above)")
	pf := addPipelineFlags(fs, 0)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(e.stderr, "vigia serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	var fleet []compliance.FleetEntry
	if *configFile != "" {
		var err error
		if fleet, err = applyConfigFile(fs, *configFile, &feedSpecs); err != nil {
			return err
		}
	}
	cfg, log, err := pf.config(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigia serve: %v\n", err)
		return errUsage
	}
	cfg.HTTP, cfg.NATSListen, cfg.Fleet = *httpAddr, *natsListen, fleet
	for _, spec := range feedSpecs {
		f, err := server.ParseFeed(spec)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigia serve: --feed: %v\n", err)
			return errUsage
		}
		if f.Mode == "file" {
			fmt.Fprintf(e.stderr, "vigia serve: --feed %s: a file is replayed with vigia ingest\n", spec)
			return errUsage
		}
		cfg.Feeds = append(cfg.Feeds, f)
	}
	s, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	if a := s.HTTPAddr(); a != "" {
		fmt.Fprintf(e.stdout, "vigia serve: API      http://%s/api/\n", a)
		fmt.Fprintf(e.stdout, "vigia serve: alerts   http://%s/api/alerts/stream\n", a)
		fmt.Fprintf(e.stdout, "vigia serve: health   http://%s/healthz  http://%s/readyz\n", a, a)
		fmt.Fprintf(e.stdout, "vigia serve: metrics  http://%s/metrics\n", a)
	}
	for _, f := range cfg.Feeds {
		switch f.Mode {
		case "listen":
			fmt.Fprintf(e.stdout, "vigia serve: feed %s listening on %s\n", f.Name, s.FeedAddr(f.Name))
		case "connect":
			fmt.Fprintf(e.stdout, "vigia serve: feed %s connecting to %s\n", f.Name, f.Addr)
		case "udp":
			fmt.Fprintf(e.stdout, "vigia serve: feed %s receiving on udp://%s\n", f.Name, f.Addr)
		}
	}
	if u := s.NATSURL(); u != "" {
		fmt.Fprintf(e.stdout, "vigia serve: event log %s\n", u)
	}
	fmt.Fprintln(e.stdout, "vigia serve: running; SIGINT or SIGTERM stops it")
	log.Info("vigia serve started", "http", s.HTTPAddr(), "feeds", len(cfg.Feeds), "shard", *pf.shard)
	return s.Run(ctx, false)
}

// applyConfigFile sets the flags not given on the command line from a TOML
// file, and returns its fleet.
func applyConfigFile(fs *flag.FlagSet, path string, feeds *feedList) ([]compliance.FleetEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c serveFile
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q", path, und[0].String())
	}
	given := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	set := func(name, v string) error {
		if v == "" || given[name] {
			return nil
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("%s: %s: %w", path, name, err)
		}
		return nil
	}
	for _, kv := range [][2]string{{"http", c.HTTP}, {"data", c.Data}, {"db", c.DB}, {"nats", c.NATS}, {"nats-listen", c.NATSListen},
		{"shard", c.Shard}, {"reorder", c.Reorder}, {"gap", c.Gap}, {"airspace", c.Airspace}, {"log-level", c.LogLevel}, {"log-format", c.LogFormat}} {
		if err := set(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if c.Programme != nil {
		if err := set("programme-only", fmt.Sprint(*c.Programme)); err != nil {
			return nil, err
		}
	}
	if c.Geoid != nil {
		if err := set("geoid", fmt.Sprint(*c.Geoid)); err != nil {
			return nil, err
		}
	}
	if !given["feed"] {
		*feeds = append(*feeds, c.Feed...)
	}
	var fleet []compliance.FleetEntry
	for i, f := range c.Fleet {
		if f.ID == "" || len(f.Operator) != 3 {
			return nil, fmt.Errorf("%s: fleet[%d]: want an id and a three-letter operator", path, i)
		}
		fleet = append(fleet, compliance.FleetEntry{ID: f.ID, Operator: f.Operator, Registration: f.Registration})
	}
	return fleet, nil
}
