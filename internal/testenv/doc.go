// Package testenv starts real servers for tests: a throwaway PostgreSQL
// cluster per call, optionally with PostGIS.
//
// Each call to [Postgres] or [PostGIS] runs initdb into a fresh temporary
// directory, starts its own postgres listening on 127.0.0.1 at a free port
// (and on a unix socket in that directory) with fsync off, waits until it
// accepts connections, creates the database "vigia" and returns a pgx DSN
// for it. The server is stopped (pg_ctl stop -m immediate) and the directory
// removed in t.Cleanup, so calls are independent and safe in parallel tests.
// Starting a cluster takes about a second.
//
// The PostgreSQL binaries are found in $VIGIA_PG_BINDIR, else via
// `pg_config --bindir`, else in /usr/lib/postgresql/*/bin (newest first),
// /usr/local/pgsql/bin or $PATH. PostgreSQL refuses to run as root, so when
// the test runs as root the cluster is created and run as the user
// "postgres" (or "nobody" if there is no such user).
//
// When the binaries (or the PostGIS extension) are missing, the test is
// skipped — unless the comma-separated environment variable VIGIA_REQUIRE
// names the dependency ("postgres"; for PostGIS, "postgres" or "postgis"),
// in which case the test fails. CI sets VIGIA_REQUIRE=postgres so that a
// broken installation cannot silently skip the database tests.
package testenv
