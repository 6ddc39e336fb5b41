package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version and build information",
		run: func(ctx context.Context, e *env, args []string) error {
			fs := newFlags(e, "version", "vigia version", `
Prints vigia's version, the Go toolchain that built it, the target
platform, and the module versions and build settings recorded in the binary.

Example:
  vigia version`)
			if err := parseFlags(e, fs, args); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "vigia %s\n", version)
			fmt.Fprintf(e.stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			bi, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			fmt.Fprintf(e.stdout, "module: %s %s\n", bi.Main.Path, bi.Main.Version)
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision", "vcs.time", "vcs.modified", "-race", "CGO_ENABLED", "GOAMD64":
					fmt.Fprintf(e.stdout, "%s: %s\n", s.Key, s.Value)
				}
			}
			for _, d := range bi.Deps {
				fmt.Fprintf(e.stdout, "dep: %s %s\n", d.Path, d.Version)
			}
			return nil
		},
	}
}
