package adsb

// Beast is the binary framing of the Mode-S Beast receiver and of
// dump1090's port 30005: 0x1A, a type byte, a 48-bit big-endian timestamp,
// a signal byte and the frame; any 0x1A inside timestamp, signal or frame
// is sent twice. Types: '1' Mode A/C (2 bytes), '2' Mode S short (7), '3'
// Mode S long (14); '4' (receiver status) and '5' (Radarcape position)
// carry 14 bytes that are skipped.

const beastEsc = 0x1A

// beastBody returns the number of bytes after the type byte (timestamp,
// signal and payload, unescaped) for frame type t, or 0 if t is unknown.
func beastBody(t byte) int {
	switch t {
	case '1':
		return 6 + 1 + 2
	case '2':
		return 6 + 1 + 7
	case '3', '4', '5':
		return 6 + 1 + 14
	}
	return 0
}

// AppendBeast appends frame f (Len 2, 7 or 14) in Beast framing, escaping
// 0x1A bytes.
func AppendBeast(b []byte, f *Frame) []byte {
	t := byte('3')
	switch f.Len {
	case 2:
		t = '1'
	case 7:
		t = '2'
	}
	b = append(b, beastEsc, t)
	put := func(c byte) {
		b = append(b, c)
		if c == beastEsc {
			b = append(b, c)
		}
	}
	for s := 40; s >= 0; s -= 8 {
		put(byte(f.Ticks >> s))
	}
	put(f.Signal)
	for _, c := range f.Data[:f.Len] {
		put(c)
	}
	return b
}

// beastScan frames one Beast record at the start of p. It returns the
// bytes consumed and what they were: a frame (filled into f), a skipped
// status record, junk to skip, or a need for more input.
func beastScan(p []byte, eof bool, f *Frame) (int, scanResult) {
	if len(p) == 0 {
		return 0, scanMore
	}
	if p[0] != beastEsc {
		n := 1
		for n < len(p) && p[n] != beastEsc {
			n++
		}
		return n, scanJunk
	}
	if len(p) < 2 {
		if eof {
			return 1, scanJunk
		}
		return 0, scanMore
	}
	body := beastBody(p[1])
	if body == 0 {
		return 1, scanJunk
	}
	var raw [21]byte
	i, k := 2, 0
	for k < body {
		if i >= len(p) {
			if eof {
				return len(p), scanJunk
			}
			return 0, scanMore
		}
		c := p[i]
		if c == beastEsc {
			if i+1 >= len(p) {
				if eof {
					return len(p), scanJunk
				}
				return 0, scanMore
			}
			if p[i+1] != beastEsc {
				// A lone 0x1A: this record was cut short and a new one
				// starts here.
				return i, scanJunk
			}
			i++
		}
		raw[k] = c
		k++
		i++
	}
	if p[1] == '4' || p[1] == '5' {
		return i, scanStatus
	}
	*f = Frame{Len: body - 7, HasTicks: true, HasSignal: true, Signal: raw[6]}
	for _, c := range raw[:6] {
		f.Ticks = f.Ticks<<8 | uint64(c)
	}
	copy(f.Data[:], raw[7:body])
	return i, scanFrame
}
