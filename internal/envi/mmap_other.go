//go:build !linux

package envi

import "os"

// mapFile does not map on this system: Cube reads with ReadAt instead.
func mapFile(f *os.File, size int64) ([]byte, error) { return nil, nil }

func unmapFile(b []byte) error { return nil }

func dropPages(data, span []byte) {}

func populate(span []byte) {}
