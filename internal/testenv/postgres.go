package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// Database is the database created in every cluster.
	Database = "vigia"
	// superuser is the cluster's superuser (initdb -U), trusted without password.
	superuser = "postgres"

	startTimeout = 60 * time.Second
	stopTimeout  = 15 * time.Second
)

// Postgres starts a fresh PostgreSQL cluster for the test, creates the
// database "vigia" in it and returns a DSN for it, such as
// "postgres://postgres@127.0.0.1:41234/vigia?sslmode=disable". The cluster
// is stopped and deleted in t.Cleanup. If PostgreSQL is not installed the
// test is skipped (or fails, see [Require] with "postgres").
func Postgres(t testing.TB) (dsn string) {
	t.Helper()
	c := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		t.Fatalf("testenv: connecting to fresh cluster: %v\n%s", err, c.logTail())
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+Database); err != nil {
		t.Fatalf("testenv: CREATE DATABASE %s: %v", Database, err)
	}
	return c.dsn(Database)
}

// PostGIS is [Postgres] followed by CREATE EXTENSION postgis in the database
// "vigia". If PostgreSQL or the PostGIS extension is not installed the test
// is skipped (or fails if VIGIA_REQUIRE names "postgres" or "postgis").
func PostGIS(t testing.TB) (dsn string) {
	t.Helper()
	if _, err := binDir(); err != nil {
		Unavailable(t, []string{"postgres", "postgis"}, "testenv: PostgreSQL not found: %v", err)
	}
	dsn = Postgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	defer conn.Close(ctx)
	var available bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')").Scan(&available); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if !available {
		Unavailable(t, []string{"postgres", "postgis"}, "testenv: the PostGIS extension is not installed for this PostgreSQL (Debian: apt-get install postgresql-15-postgis-3)")
	}
	if _, err := conn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		t.Fatalf("testenv: CREATE EXTENSION postgis: %v", err)
	}
	return dsn
}

// Connect opens a pgx connection to dsn that is closed in t.Cleanup.
func Connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("testenv: connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

var (
	binDirOnce sync.Once
	binDirPath string
	binDirErr  error
)

// binDir locates the directory holding initdb, postgres and pg_ctl.
func binDir() (string, error) {
	binDirOnce.Do(func() { binDirPath, binDirErr = findBinDir() })
	return binDirPath, binDirErr
}

func findBinDir() (string, error) {
	var tried []string
	ok := func(dir string) bool {
		if dir == "" {
			return false
		}
		tried = append(tried, dir)
		for _, b := range []string{"initdb", "postgres", "pg_ctl"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("VIGIA_PG_BINDIR"); d != "" {
		if ok(d) {
			return d, nil
		}
		return "", fmt.Errorf("VIGIA_PG_BINDIR=%s lacks initdb, postgres or pg_ctl", d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); ok(d) {
			return d, nil
		}
	}
	// Debian/Ubuntu layout: /usr/lib/postgresql/<major>/bin, newest first.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	sort.SliceStable(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	dirs = append(dirs, "/usr/local/pgsql/bin", "/usr/pgsql-15/bin")
	for _, d := range dirs {
		if ok(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && ok(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no directory with initdb, postgres and pg_ctl (tried pg_config --bindir, %s and $PATH)", strings.Join(tried, ", "))
}

// cluster is one running PostgreSQL server.
type cluster struct {
	bin, dir, data, logPath string
	port                    int
	as                      *user.User // nil: run as ourselves
	cmd                     *exec.Cmd
	exited                  chan struct{}
}

func (c *cluster) dsn(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, c.port, db)
}

func (c *cluster) logTail() string {
	b, _ := os.ReadFile(c.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "postgres log " + c.logPath + ":\n" + string(b)
}

// command builds a command for one of the PostgreSQL binaries, run as the
// unprivileged user when we are root.
func (c *cluster) command(name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C", "TZ=UTC")
	attr, err := sysProcAttr(c.as)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = attr
	return cmd, nil
}

func startCluster(t testing.TB) *cluster {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		Unavailable(t, []string{"postgres"}, "testenv: PostgreSQL not found: %v", err)
	}
	c := &cluster{bin: bin}
	if os.Geteuid() == 0 {
		for _, name := range []string{"postgres", "nobody"} {
			if u, err := user.Lookup(name); err == nil {
				c.as = u
				break
			}
		}
		if c.as == nil {
			t.Fatalf("testenv: running as root and there is neither a user postgres nor nobody to run PostgreSQL as")
		}
	}

	// Our own short directory rather than t.TempDir: the unix socket path
	// must stay under ~107 bytes, and as root the directory (and every
	// parent) must be reachable by the unprivileged user.
	base := os.TempDir()
	if len(base) > 40 {
		base = "/tmp"
	}
	c.dir, err = os.MkdirTemp(base, "vigia-pg-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(c.dir) })
	if c.as != nil {
		uid, _ := strconv.Atoi(c.as.Uid)
		gid, _ := strconv.Atoi(c.as.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	c.data = filepath.Join(c.dir, "data")
	c.logPath = filepath.Join(c.dir, "postgres.log")

	initdb, err := c.command("initdb", "-D", c.data, "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}

	// The free port is found by binding :0 and closing, so another process
	// may grab it before postgres binds it; retry with a new port then.
	deadline := time.Now().Add(startTimeout)
	for attempt := 1; ; attempt++ {
		err := c.start(t, deadline)
		if err == nil {
			break
		}
		if errors.Is(err, errPortInUse) && attempt < 5 {
			t.Logf("testenv: port %d taken, retrying", c.port)
			continue
		}
		t.Fatalf("testenv: starting postgres: %v\n%s", err, c.logTail())
	}
	t.Cleanup(c.stop)
	return c
}

var errPortInUse = errors.New("port in use")

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start launches postgres and waits until it accepts connections.
func (c *cluster) start(t testing.TB, deadline time.Time) error {
	var err error
	if c.port, err = freePort(); err != nil {
		return err
	}
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd, err := c.command("postgres", "-D", c.data,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port="+strconv.Itoa(c.port),
		"-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=50",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning",
	)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	c.cmd = cmd
	c.exited = make(chan struct{})
	go func() { cmd.Wait(); close(c.exited) }()

	var lastErr error
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		select {
		case <-c.exited:
			b, _ := os.ReadFile(c.logPath)
			if strings.Contains(string(b), "Address already in use") {
				return errPortInUse
			}
			return fmt.Errorf("postgres exited during startup: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			c.stop()
			return fmt.Errorf("postgres not accepting connections after %v: %v", startTimeout, lastErr)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.dsn("postgres"))
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-c.exited:
		case <-time.After(wait):
		}
	}
}

// stop shuts the server down at once (pg_ctl stop -m immediate), killing it
// if that does not work.
func (c *cluster) stop() {
	select {
	case <-c.exited:
		return
	default:
	}
	if cmd, err := c.command("pg_ctl", "stop", "-D", c.data, "-m", "immediate", "-w", "-t", "10"); err == nil {
		cmd.Run()
	}
	select {
	case <-c.exited:
	case <-time.After(stopTimeout):
		c.cmd.Process.Kill()
		<-c.exited
	}
}
