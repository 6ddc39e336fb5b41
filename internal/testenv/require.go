package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Require reports whether the environment variable VIGIA_REQUIRE (a
// comma-separated list, e.g. "postgres,postgis") names what, i.e. whether a
// missing dependency what must fail the test instead of skipping it.
func Require(t testing.TB, what string) bool {
	t.Helper()
	for _, w := range strings.Split(os.Getenv("VIGIA_REQUIRE"), ",") {
		if strings.EqualFold(strings.TrimSpace(w), what) {
			return true
		}
	}
	return false
}

// Unavailable ends the test because dependency what is missing: t.Fatalf if
// VIGIA_REQUIRE names any of what (see [Require]), otherwise t.Skipf.
func Unavailable(t testing.TB, what []string, format string, args ...any) {
	t.Helper()
	for _, w := range what {
		if Require(t, w) {
			t.Fatalf("VIGIA_REQUIRE=%s: "+format, append([]any{os.Getenv("VIGIA_REQUIRE")}, args...)...)
		}
	}
	t.Skipf(format+" (set VIGIA_REQUIRE=%s to make this a failure)", append(args, strings.Join(what, ","))...)
}

// Tool returns the path of the program name, for tests that run a real tool
// (ffmpeg, gdalinfo, dump1090-mutability, nats-server). When it is missing
// the test is skipped, or fails if VIGIA_REQUIRE names the program.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, []string{name}, "%s not installed", name)
	}
	return p
}
