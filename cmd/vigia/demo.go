package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/compliance"
	"github.com/vigia/vigia/internal/server"
	"github.com/vigia/vigia/internal/sim"
	"github.com/vigia/vigia/internal/store"
)

func demoCommand() command {
	return command{name: "demo", summary: "run the border scenario live through vigia serve and report every flight", run: runDemo}
}

const demoHelp = `
Runs the US–Mexico border scenario end to end on this machine: vigia serve
starts (embedded NATS and SQLite under --data, the HTTP API on --http), the
partner's authorisations are added through it, and the simulator streams
the scenario live at --speed times real time into its feeds — ADS-B (Beast)
over TCP and each drone's MPEG-TS with MISB ST 0601 KLV over UDP. Every fix
is tracked, located against sovereign airspace and judged; alerts stream at
/api/alerts/stream while it runs. At the end it prints each flight's
account (fixes, verdicts, crossings, alerts), writes an HTML report per
flight under --data/reports, and exits — or, with --serve, keeps serving
until interrupted.

Example:
  vigia demo --speed 60 --data /tmp/vigia-demo
`

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "vigia demo [--data DIR] [--http ADDR] [--speed N] [--duration D] [--serve]", demoHelp)
	data := fs.String("data", "", "state `DIR` (default: a new temporary directory)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "HTTP API listening `ADDR` (another free port is taken if it is busy)")
	speed := fs.Float64("speed", 60, "speed-up `factor` of the scenario (1 is real time)")
	duration := fs.Duration("duration", 0, "scenario `duration` (default: the scenario's 20 min)")
	keep := fs.Bool("serve", false, "keep serving after the scenario until SIGINT or SIGTERM")
	verbose := fs.Bool("v", false, "log the service's work on standard error")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if !(*speed > 0) || *duration < 0 {
		fmt.Fprintln(e.stderr, "vigia demo: --speed must be positive and --duration not negative")
		return errUsage
	}
	sc, err := sim.Load("border")
	if err != nil {
		return err
	}
	if *duration > 0 {
		sc.Duration = *duration
	}
	if *data == "" {
		if *data, err = os.MkdirTemp("", "vigia-demo-"); err != nil {
			return err
		}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))

	// The feeds: ADS-B on a TCP port, and one UDP port per drone.
	drones := 0
	for _, a := range sc.Aircraft {
		if a.KLV {
			drones++
		}
	}
	udp, err := freeUDPRun(drones)
	if err != nil {
		return err
	}
	start := sc.Start.Format(time.RFC3339)
	feeds := []server.Feed{}
	f, err := server.ParseFeed("beast+listen://127.0.0.1:0?name=adsb&start=" + start)
	if err != nil {
		return err
	}
	feeds = append(feeds, f)
	for i := range drones {
		f, err := server.ParseFeed(fmt.Sprintf("klv+udp://127.0.0.1:%d?name=klv%d", udp+i, i))
		if err != nil {
			return err
		}
		feeds = append(feeds, f)
	}
	if l, err := net.Listen("tcp", *httpAddr); err != nil {
		*httpAddr = "127.0.0.1:0"
	} else {
		l.Close()
	}
	set, err := loadAirspace("")
	if err != nil {
		return err
	}
	cfg := server.Config{HTTP: *httpAddr, DataDir: *data, Feeds: feeds, Airspace: set, Logger: log}
	cfg.Track.Gap = 10 * time.Minute
	cfg.Compliance.GeoidUndulation = sc.GeoidUndulation
	s, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx, false) }()
	base := "http://" + s.HTTPAddr()
	fmt.Fprintf(e.stdout, "vigia demo: state in %s\n", *data)
	fmt.Fprintf(e.stdout, "vigia demo: API      %s/api/\n", base)
	fmt.Fprintf(e.stdout, "vigia demo: alerts   %s/api/alerts/stream\n", base)
	fmt.Fprintf(e.stdout, "vigia demo: metrics  %s/metrics\n", base)

	for _, a := range scenarioAuthorisations(sc) {
		if err := s.Authorisations().Add(ctx, a); err != nil && !errors.Is(err, store.ErrExists) {
			stop()
			<-done
			return fmt.Errorf("authorisation %s: %w", a.ID, err)
		}
		fmt.Fprintf(e.stdout, "vigia demo: authorisation %s: %s over %s, %v–%v\n", a.ID, strings.Join(a.Aircraft, " "), a.Airspace,
			a.Windows[0].Start.Format("15:04"), a.Windows[0].End.Format("15:04"))
	}
	fmt.Fprintf(e.stdout, "vigia demo: streaming scenario %q (%v of flight) at %g× real time…\n", sc.Name, sc.Duration, *speed)
	var simOut bytes.Buffer
	simEnv := &env{stdin: strings.NewReader(""), stdout: &simOut, stderr: io.Discard}
	simArgs := []string{"--scenario", "border", "--live", "--quiet", "--speed", strconv.FormatFloat(*speed, 'g', -1, 64),
		"--duration", sc.Duration.String(), "--adsb-tcp", s.FeedAddr("adsb"), "--klv-udp", fmt.Sprintf("127.0.0.1:%d", udp)}
	began := time.Now()
	if err := runSimulateFlights(runCtx, simEnv, simArgs); err != nil {
		stop()
		<-done
		return fmt.Errorf("simulator: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	err = s.WaitAccounted(wctx)
	cancel()
	if err != nil {
		stop()
		<-done
		return fmt.Errorf("waiting for the accounting: %w", err)
	}
	fmt.Fprintf(e.stdout, "vigia demo: %s", simOut.String())
	fmt.Fprintf(e.stdout, "vigia demo: %d positions accounted in %.1f s\n\n", s.Published(), time.Since(began).Seconds())
	if err := demoSummary(ctx, e.stdout, s.Store(), set, filepath.Join(*data, "reports"), base); err != nil {
		stop()
		<-done
		return err
	}
	if *keep {
		fmt.Fprintf(e.stdout, "\nvigia demo: serving %s until interrupted\n", base)
		<-ctx.Done()
	}
	stop()
	return <-done
}

// demoSummary prints each flight's account and writes its HTML report.
func demoSummary(ctx context.Context, w io.Writer, st store.Store, as *airspace.Set, dir, base string) error {
	flights, err := st.Flights(ctx, store.FlightFilter{})
	if err != nil {
		return err
	}
	sort.Slice(flights, func(i, j int) bool { return flights[i].ID < flights[j].ID })
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(w, "%-44s %6s  %-44s %9s %6s\n", "flight", "fixes", "verdicts (share of fixes)", "crossings", "alerts")
	for _, fl := range flights {
		r, err := api.FlightReport(ctx, st, as, fl.ID)
		if err != nil {
			return err
		}
		var vs []string
		for _, v := range r.Verdicts {
			vs = append(vs, fmt.Sprintf("%s %.0f%%", v.Verdict, 100*float64(v.Fixes)/float64(max(r.Fixes, 1))))
		}
		fmt.Fprintf(w, "%-44s %6d  %-44s %9d %6d\n", fl.ID, r.Fixes, strings.Join(vs, ", "), len(r.Crossings), len(r.Alerts))
		name := strings.NewReplacer(":", "_", "/", "_", "@", "_").Replace(fl.ID) + ".html"
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		err = compliance.WriteHTML(f, &r, as)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	alerts, err := st.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d alerts:\n", len(alerts))
	for _, a := range alerts {
		state := "closed"
		if a.Open {
			state = "open"
		}
		fmt.Fprintf(w, "  %s %s %s in %s airspace from %s, %d unauthorised fixes, up to %.1f km inside (%s)\n", a.ID, a.Aircraft, a.Callsign, a.Airspace,
			a.Start.Format("15:04:05"), a.Fixes, float64(a.MaxDepth)/1000, state)
	}
	fmt.Fprintf(w, "\nreports: %s/*.html; live: %s/api/flights\n", dir, base)
	return nil
}

// freeUDPRun returns the first of n consecutive free UDP ports on loopback.
func freeUDPRun(n int) (int, error) {
	for try := 0; try < 50; try++ {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		base := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		ok := base+n < 65535
		for i := 0; ok && i < n; i++ {
			c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			c.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("no free UDP ports on loopback")
}
