package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/vigia/vigia/internal/progress"
)

// progressMin is the smallest input, in bytes, for which a command reports
// progress: below it the work is over before a bar would help.
const progressMin = 1 << 20

// input is what a command reads: a file, standard input, or a stream that a
// scheme (tcp://, udp://) opened.
type input struct {
	name  string    // for messages: the file name, "stdin" or the address
	r     io.Reader // the bytes
	size  int64     // length of a regular file; 0 when unknown
	live  bool      // not a regular file: flush output as it comes
	close func() error
}

// opener opens a source named by a scheme, e.g. "tcp://host:port".
type opener func(name string) (io.ReadCloser, error)

// openInput opens name: "-" is standard input, a name that one of schemes
// recognises (by its prefix) is opened by it, and anything else is a file.
// The caller must call in.Close.
func openInput(e *env, name string, schemes map[string]opener) (*input, error) {
	if name == "-" {
		return &input{name: "stdin", r: e.stdin, live: true, close: func() error { return nil }}, nil
	}
	for prefix, open := range schemes {
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			rc, err := open(name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return &input{name: name, r: rc, live: true, close: rc.Close}, nil
		}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	in := &input{name: name, r: f, live: true, close: f.Close}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		in.size, in.live = st.Size(), false
	}
	return in, nil
}

// Close closes the source (not standard input).
func (in *input) Close() error { return in.close() }

// progress returns a reporter of the bytes of a regular file over
// progressMin, named work, or nil when there is nothing to report or quiet
// is set. Wrapping in.r with countBytes feeds it.
func (in *input) progress(e *env, work string, quiet bool) *progress.Reporter {
	if quiet || in.size <= progressMin {
		return nil
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	return progress.New(e.stderr, log, work, in.size, &progress.Options{Unit: "bytes", Detect: true})
}

// countingReader reports the bytes read to a progress reporter.
type countingReader struct {
	r io.Reader
	p *progress.Reporter
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(int64(n))
	return n, err
}
