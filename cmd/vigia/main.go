// Command vigia accounts surveillance flights against sovereign airspace and
// finds emission sites from the air. Run "vigia help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand: its name, a one-line summary, and its run
// function, which parses its own flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the process: its streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// exitError carries an exit status other than 1 out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command failed
	exitUsage   = 2 // bad flags or arguments
	exitPartial = 3 // the command finished but skipped some input
)

func commands() []command {
	return []command{
		airspaceCommand(),
		authzCommand(),
		decodeCommand(),
		demoCommand(),
		detectCommand(),
		ingestCommand(),
		reportCommand(),
		serveCommand(),
		simulateCommand(),
		versionCommand(),
	}
}

const usageHead = `vigia accounts surveillance flights against sovereign airspace and the
partner's authorisations, and finds emission sites from the air.

Usage:
  vigia <command> [flags] [arguments]

Commands:
`

const usageTail = `
Run "vigia <command> --help" for a command's flags and an example.

Example:
  vigia demo
`

func usage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, usageTail)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches args to a command and returns the process exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			return run(ctx, e, []string{args[1], "--help"})
		}
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			return exitUsage
		}
		fmt.Fprintf(e.stderr, "vigia %s: %v\n", name, err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "vigia: unknown command %q\n\n", name)
	usage(e.stderr)
	return exitUsage
}

// errUsage reports bad flags or arguments, already explained to the user.
var errUsage = errors.New("usage")

// newFlags returns a flag set whose --help prints the usage line, the
// description with its example, and the flags.
func newFlags(e *env, name, usageLine, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage:\n  %s\n\n%s\n", usageLine, strings.TrimSpace(help))
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args, sending --help to stdout and turning a flag error
// into errUsage.
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		if a == "--" {
			break
		}
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	return nil
}
