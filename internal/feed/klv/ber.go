package klv

// readBERLength reads a BER length (ISO/IEC 8825-1 definite form, as SMPTE
// 336M uses it) from b: one byte below 0x80, or 0x80|n followed by n
// big-endian bytes (1 ≤ n ≤ 8). It returns the length and the bytes read;
// n == 0 means b ended first, n < 0 a malformed length (the indefinite form
// 0x80, more than 8 bytes, or a value above maxLen).
func readBERLength(b []byte) (length int, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	if c < 0x80 {
		return int(c), 1
	}
	k := int(c & 0x7f)
	if k == 0 || k > 8 {
		return 0, -1
	}
	if len(b) < 1+k {
		return 0, 0
	}
	var v uint64
	for _, x := range b[1 : 1+k] {
		v = v<<8 | uint64(x)
	}
	if v > maxLen {
		return 0, -1
	}
	return int(v), 1 + k
}

// maxLen bounds every length read from the wire: no KLV item or packet of
// ST 0601 comes near it, and it keeps offsets far from overflow.
const maxLen = 1 << 30

// appendBERLength appends n as a BER length in its shortest form.
func appendBERLength(dst []byte, n int) []byte {
	if n < 0x80 {
		return append(dst, byte(n))
	}
	k := 0
	for v := n; v > 0; v >>= 8 {
		k++
	}
	dst = append(dst, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		dst = append(dst, byte(n>>(8*i)))
	}
	return dst
}

// berLengthSize returns the number of bytes appendBERLength writes for n.
func berLengthSize(n int) int {
	if n < 0x80 {
		return 1
	}
	k := 1
	for v := n; v > 0; v >>= 8 {
		k++
	}
	return k
}

// readBEROID reads a BER-OID integer (7 bits per byte, most significant
// first, the high bit set on every byte but the last) of at most maxBytes
// bytes. n == 0 means b ended first, n < 0 that the integer is longer than
// maxBytes.
func readBEROID(b []byte, maxBytes int) (v uint64, n int) {
	for i, c := range b {
		if i == maxBytes {
			return 0, -1
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// appendBEROID appends v as a BER-OID integer.
func appendBEROID(dst []byte, v uint64) []byte {
	k := 1
	for x := v >> 7; x > 0; x >>= 7 {
		k++
	}
	for i := k - 1; i > 0; i-- {
		dst = append(dst, 0x80|byte(v>>(7*i)))
	}
	return append(dst, byte(v&0x7f))
}

// readUint reads a big-endian unsigned integer of len(b) ≤ 8 bytes.
func readUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// readInt reads a big-endian two's complement integer of 1 ≤ len(b) ≤ 8
// bytes.
func readInt(b []byte) int64 {
	v := readUint(b)
	shift := 64 - 8*uint(len(b))
	return int64(v<<shift) >> shift
}

// appendUint appends the low size bytes of v, big-endian.
func appendUint(dst []byte, v uint64, size int) []byte {
	for i := size - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*uint(i))))
	}
	return dst
}

// uintSize returns the fewest bytes (at least 1) that hold v.
func uintSize(v uint64) int {
	k := 1
	for v >>= 8; v > 0; v >>= 8 {
		k++
	}
	return k
}

// intSize returns the fewest bytes (at least 1) that hold v in two's
// complement.
func intSize(v int64) int {
	for k := 1; k < 8; k++ {
		lim := int64(1) << (8*uint(k) - 1)
		if v >= -lim && v < lim {
			return k
		}
	}
	return 8
}
