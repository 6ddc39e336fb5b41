package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigia/vigia/internal/compliance"
)

func authzCommand() command {
	return command{
		name:    "authz",
		summary: "add, list and revoke the partner's authorisations (add, list, revoke)",
		run:     runAuthz,
	}
}

const authzHelp = `
An authorisation grants aircraft (by ICAO address, registration or mission
id) the right to be in a partner's airspace inside given areas, time
windows and an altitude band. Its JSON form is in docs/FORMATS.md. They are
kept in the store: SQLite under --data, or PostgreSQL with --db.

Subcommands:
  add    [--data DIR|--db URL] FILE|-        store one authorisation (JSON)
  list   [--data DIR|--db URL] [--all]       print the authorisations, one JSON object per line
  revoke [--data DIR|--db URL] [--at TIME] ID   revoke one from TIME (default now)

Example:
  vigia authz add --data /var/lib/vigia aut-mex-son-01.json
  vigia authz revoke --data /var/lib/vigia --at 2026-03-02T18:00:00Z AUT-MEX-SON-01
`

func runAuthz(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(e, "authz", "vigia authz <add|list|revoke> [flags]", authzHelp)
		if err := parseFlags(e, fs, args); err != nil {
			return err
		}
		fs.Usage()
		return errUsage
	}
	switch args[0] {
	case "add":
		return runAuthzAdd(ctx, e, args[1:])
	case "list":
		return runAuthzList(ctx, e, args[1:])
	case "revoke":
		return runAuthzRevoke(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "vigia authz: unknown subcommand %q (want add, list or revoke)\n", args[0])
	return errUsage
}

func runAuthzAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "authz add", "vigia authz add [--data DIR|--db URL] FILE|-", `
Reads one authorisation as JSON (docs/FORMATS.md) from FILE, or standard
input for "-", checks it, and stores it. An invalid one is refused with
the field named and nothing is stored; adding the same content again
changes nothing; other content under a stored id is refused.

Example:
  vigia authz add --data /var/lib/vigia aut-mex-son-01.json`)
	sf := addStoreFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "vigia authz add: want exactly one FILE or -")
		return errUsage
	}
	src, err := openInput(e, fs.Arg(0), nil)
	if err != nil {
		return err
	}
	defer src.Close()
	a, err := compliance.ParseAuthorisation(src.r, src.name)
	if err != nil {
		return err
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.AddAuthorisation(ctx, a); err != nil {
		return err // names the authorisation
	}
	fmt.Fprintf(e.stdout, "stored authorisation %s\n", a.ID)
	return nil
}

func runAuthzList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "authz list", "vigia authz list [--data DIR|--db URL] [--all]", `
Prints the stored authorisations in force, one JSON object per line
(docs/FORMATS.md), ordered by id; --all adds the revoked ones.

Example:
  vigia authz list --data /var/lib/vigia --all`)
	sf := addStoreFlags(fs)
	all := fs.Bool("all", false, "include revoked authorisations")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "vigia authz list: takes no arguments")
		return errUsage
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := st.Authorisations(ctx, *all)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(out)
	for _, a := range as {
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	return out.Flush()
}

func runAuthzRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "authz revoke", "vigia authz revoke [--data DIR|--db URL] [--at TIME] ID", `
Revokes authorisation ID from TIME (RFC 3339; default now): fixes at or
after TIME are no longer covered by it, earlier fixes still are.

Example:
  vigia authz revoke --data /var/lib/vigia --at 2026-03-02T18:00:00Z AUT-MEX-SON-01`)
	sf := addStoreFlags(fs)
	at := fs.String("at", "", "revoke from `TIME` (RFC 3339; default now)")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "vigia authz revoke: want exactly one ID")
		return errUsage
	}
	when := time.Now().UTC()
	if *at != "" {
		t, err := time.Parse(time.RFC3339Nano, *at)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigia authz revoke: --at: want an RFC 3339 time, got %q\n", *at)
			return errUsage
		}
		when = t.UTC()
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id := fs.Arg(0)
	if err := st.RevokeAuthorisation(ctx, id, when); err != nil {
		return err // names the authorisation
	}
	fmt.Fprintf(e.stdout, "revoked authorisation %s from %s\n", id, when.Format(time.RFC3339))
	return nil
}
