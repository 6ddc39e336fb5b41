package envi

import "unsafe"

// ViewFloat32 returns lines [line0, line0+nLines) of a BIL float32 cube
// in the host's byte order as they lie in the memory-mapped file, without
// copying: band b of line l (relative to line0) and sample s is
// v[(l*bands+b)*samples+s]. The pages of bands [b0, b1) of each line are
// mapped in before it returns (others fault in if read). ok is false, and
// nothing is done, when the cube is not mapped (see Cube), not BIL, not
// float32 in the host's byte order, closed, or the lines or bands are out
// of range; ReadBlock serves then. No scale factor or ignore value is
// applied. The view is read-only and valid until Close; ReleaseView drops
// its pages from the resident set once it is no longer needed, as
// ReadBlock does after each read. Safe for concurrent use, as ReadBlock.
func (c *Cube) ViewFloat32(line0, nLines, b0, b1 int) (v []float32, ok bool) {
	h := c.h
	if c.data == nil || c.closed.Load() || h.Interleave != BIL || h.DataType != Float32 || h.BigEndian == nativeLittle {
		return nil, false
	}
	if line0 < 0 || nLines <= 0 || line0 > h.Lines-nLines || b0 < 0 || b1 > h.Bands || b0 >= b1 {
		return nil, false
	}
	S, B := int64(h.Samples), int64(h.Bands)
	off := h.HeaderOffset + int64(line0)*B*S*4
	n := int64(nLines) * B * S * 4
	src := c.data[off : off+n : off+n]
	if uintptr(unsafe.Pointer(&src[0]))%4 != 0 {
		return nil, false
	}
	if 2*(b1-b0) <= h.Bands {
		for l := range int64(nLines) {
			if run := src[(l*B+int64(b0))*S*4 : (l*B+int64(b1))*S*4]; len(run) >= 1<<16 {
				populate(run)
			}
		}
	} else if n >= 1<<16 {
		populate(src)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&src[0])), n/4), true
}

// ReleaseView drops the pages of a view returned by ViewFloat32 from this
// process's resident set (they stay in the page cache; reading the view
// again maps them again). A view of another cube, or of a closed one, is
// ignored.
func (c *Cube) ReleaseView(v []float32) {
	if len(v) == 0 || c.data == nil || c.closed.Load() {
		return
	}
	p := uintptr(unsafe.Pointer(&v[0]))
	base := uintptr(unsafe.Pointer(&c.data[0]))
	n := uintptr(len(v)) * 4
	if p < base || p+n > base+uintptr(len(c.data)) {
		return
	}
	off := p - base
	c.release(c.data[off : off+n])
}
