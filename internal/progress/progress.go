// Package progress reports the progress of long work: a bar redrawn in
// place when the output is a terminal, and structured log records at a
// steady pace otherwise.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options tunes a Reporter.
type Options struct {
	// Unit names what is counted ("bytes", "lines", "messages").
	Unit string
	// Every is the pace of log records when the output is not a terminal.
	Every time.Duration
	// Redraw is the pace of the bar on a terminal.
	Redraw time.Duration
	// Terminal forces (or, false with Detect unset, forbids) bar mode.
	Terminal bool
	// Detect decides bar mode from the output instead of Terminal.
	Detect bool
}

// DefaultOptions returns the options New uses when given nil; New also
// fills any zero field of given options from them.
func DefaultOptions() *Options {
	return &Options{Unit: "bytes", Every: 5 * time.Second, Redraw: 200 * time.Millisecond, Detect: true}
}

// Reporter counts done work against a total. Add is safe for concurrent
// use; Done must be called once, at the end.
type Reporter struct {
	w     io.Writer
	log   *slog.Logger
	what  string
	total int64
	opts  Options
	start time.Time
	done  atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
	bar   bool
}

// New starts reporting on work named what, of total units (0 or less if
// unknown). Bars go to w; log records to log (nil means discard).
func New(w io.Writer, log *slog.Logger, what string, total int64, opts *Options) *Reporter {
	d := DefaultOptions()
	if opts == nil {
		opts = d
	}
	o := *opts
	if o.Unit == "" {
		o.Unit = d.Unit
	}
	if o.Every <= 0 {
		o.Every = d.Every
	}
	if o.Redraw <= 0 {
		o.Redraw = d.Redraw
	}
	opts = &o
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reporter{w: w, log: log, what: what, total: total, opts: *opts, start: time.Now(), stop: make(chan struct{})}
	r.bar = opts.Terminal
	if opts.Detect {
		r.bar = isTerminal(w)
	}
	pace := opts.Every
	if r.bar {
		pace = opts.Redraw
	}
	r.wg.Add(1)
	go r.loop(pace)
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Add records n more units done.
func (r *Reporter) Add(n int64) { r.done.Add(n) }

// Done stops reporting and writes a final line or record.
func (r *Reporter) Done() {
	close(r.stop)
	r.wg.Wait()
	r.report(true)
}

func (r *Reporter) loop(pace time.Duration) {
	defer r.wg.Done()
	t := time.NewTicker(pace)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.report(false)
		}
	}
}

func (r *Reporter) report(final bool) {
	n := r.done.Load()
	el := time.Since(r.start)
	rate := float64(n) / el.Seconds()
	if !r.bar {
		msg := "progress"
		if final {
			msg = "done"
		}
		attrs := []any{"work", r.what, "done", n, "unit", r.opts.Unit, "elapsed", el.Round(time.Millisecond), "rate_per_s", int64(rate)}
		if r.total > 0 {
			attrs = append(attrs, "total", r.total, "percent", fmt.Sprintf("%.1f", 100*float64(n)/float64(r.total)))
		}
		r.log.Info(msg, attrs...)
		return
	}
	var line string
	if r.total > 0 {
		frac := min(float64(n)/float64(r.total), 1)
		const width = 30
		fill := int(frac * width)
		line = fmt.Sprintf("\r%s [%s%s] %5.1f%% %d/%d %s", r.what, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), 100*frac, n, r.total, r.opts.Unit)
	} else {
		line = fmt.Sprintf("\r%s %d %s", r.what, n, r.opts.Unit)
	}
	line += fmt.Sprintf(" %.0f/s", rate)
	if final {
		line += "\n"
	}
	fmt.Fprint(r.w, line)
}
