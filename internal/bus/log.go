package bus

import (
	"context"
	"fmt"
	"log/slog"
)

// serverLogger adapts a *slog.Logger to nats-server's Logger interface, so
// the embedded server logs through the process's structured logger instead
// of a global one. Fatalf logs at error level and never exits the process.
type serverLogger struct {
	log *slog.Logger
}

func (l serverLogger) logf(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if !l.log.Enabled(ctx, level) {
		return
	}
	l.log.Log(ctx, level, "nats-server", "msg", fmt.Sprintf(format, v...))
}

// Noticef logs at info level.
func (l serverLogger) Noticef(format string, v ...any) { l.logf(slog.LevelInfo, format, v) }

// Warnf logs at warn level.
func (l serverLogger) Warnf(format string, v ...any) { l.logf(slog.LevelWarn, format, v) }

// Fatalf logs at error level with fatal=true; it does not exit.
func (l serverLogger) Fatalf(format string, v ...any) {
	if l.log.Enabled(context.Background(), slog.LevelError) {
		l.log.Error("nats-server", "msg", fmt.Sprintf(format, v...), "fatal", true)
	}
}

// Errorf logs at error level.
func (l serverLogger) Errorf(format string, v ...any) { l.logf(slog.LevelError, format, v) }

// Debugf logs at debug level.
func (l serverLogger) Debugf(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }

// Tracef logs at debug level minus 4 (below debug).
func (l serverLogger) Tracef(format string, v ...any) { l.logf(slog.LevelDebug-4, format, v) }
