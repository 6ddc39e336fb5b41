package bus

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startEmbedded starts a NATS server inside the process with JetStream file
// storage under opts.DataDir. The server never owns the process: it installs
// no signal handlers (NoSigs), logs only through opts.Logger, never exits,
// and listens on TCP only when opts.Listen is set.
func startEmbedded(ctx context.Context, opts *Options) (*server.Server, error) {
	if opts.DataDir == "" {
		return nil, fmt.Errorf("bus: field DataDir: required for the embedded server")
	}
	so := &server.Options{
		ServerName: "vigia",
		JetStream:  true,
		StoreDir:   opts.DataDir,
		NoSigs:     true,
		MaxPayload: 1 << 20,
	}
	if opts.Listen == "" {
		so.DontListen = true
	} else {
		host, port, err := net.SplitHostPort(opts.Listen)
		if err != nil {
			return nil, fmt.Errorf("bus: field Listen: %w", err)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("bus: field Listen: bad port %q", port)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		so.Host, so.Port = host, p
	}
	s, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("bus: new embedded server: %w", err)
	}
	lg := opts.Logger.With("component", "nats-server")
	s.SetLoggerV2(serverLogger{lg}, lg.Enabled(ctx, -4), false, false)
	s.Start()
	for !s.ReadyForConnections(100 * time.Millisecond) {
		if err := ctx.Err(); err != nil {
			s.Shutdown()
			s.WaitForShutdown()
			return nil, fmt.Errorf("bus: embedded server not ready: %w", err)
		}
		if !s.Running() {
			s.WaitForShutdown()
			return nil, fmt.Errorf("bus: embedded server stopped while starting")
		}
	}
	if !s.JetStreamEnabled() {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("bus: embedded server: JetStream did not start (store dir %s)", opts.DataDir)
	}
	return s, nil
}
