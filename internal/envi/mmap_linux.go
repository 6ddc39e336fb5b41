//go:build linux

package envi

import (
	"os"
	"syscall"
	"unsafe"
)

// mapFile maps the whole file read-only and shared. An empty file is not
// mapped (ReadBlock then never touches it).
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	if int64(int(size)) != size {
		return nil, syscall.EFBIG
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func unmapFile(b []byte) error {
	if b == nil {
		return nil
	}
	return syscall.Munmap(b)
}

// madvPopulateRead is MADV_POPULATE_READ (Linux 5.14): map a range's
// pages in one call instead of one fault per page.
const madvPopulateRead = 22

// populate maps the pages of span ahead of a read; on kernels without
// MADV_POPULATE_READ it does nothing and the pages fault in as read.
func populate(span []byte) {
	if len(span) > 0 {
		_ = syscall.Madvise(span, madvPopulateRead)
	}
}

// pageSize is the system page size.
var pageSize = uintptr(os.Getpagesize())

// dropPages tells the kernel this process no longer needs the pages
// holding span (a sub-slice of data): they leave the resident set but stay
// in the page cache. The range is rounded outwards to whole pages; that
// may drop a page another reader is using, which is harmless on a
// read-only shared file mapping: the next access maps it again from the
// page cache.
func dropPages(data, span []byte) {
	if len(span) == 0 {
		return
	}
	base := uintptr(unsafe.Pointer(&data[0]))
	start := uintptr(unsafe.Pointer(&span[0])) - base
	end := start + uintptr(len(span))
	start &^= pageSize - 1 // data starts on a page boundary
	end = min((end+pageSize-1)&^(pageSize-1), uintptr(len(data)))
	_ = syscall.Madvise(data[start:end], syscall.MADV_DONTNEED)
}
