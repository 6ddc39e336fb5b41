//go:build linux

package spectral

import (
	"syscall"
	"unsafe"
)

// mapFloat64 returns n zeroed float64 in an anonymous private mapping,
// outside the Go heap, and the function that unmaps them (the slice must
// not be used after); ok is false if the mapping failed. The cross-product
// totals at hundreds of bands take hundreds of MB: on the heap the
// collector would let the heap grow to twice that before collecting. The
// mapping is advised for transparent huge pages, so that its first touch
// faults once per 2 MiB rather than per 4 KiB where the system allows it.
func mapFloat64(n int) (b []float64, free func(), ok bool) {
	if n <= 0 {
		return nil, func() {}, true
	}
	m, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, nil, false
	}
	_ = syscall.Madvise(m, syscall.MADV_HUGEPAGE)
	return unsafe.Slice((*float64)(unsafe.Pointer(&m[0])), n), func() { _ = syscall.Munmap(m) }, true
}
