package sim

// beastEscape is the Beast framing's escape byte: it starts every record
// and is doubled wherever it occurs inside one.
const beastEscape = 0x1A

// appendBeast appends frame (7 or 14 bytes) as a Beast record: 0x1A, type
// '2' (short) or '3' (long), the 48-bit big-endian timestamp, the signal
// byte and the frame, each 0x1A after the type byte doubled.
func appendBeast(b []byte, t Ticks, signal byte, frame []byte) []byte {
	typ := byte('3')
	if len(frame) == 7 {
		typ = '2'
	}
	b = append(b, beastEscape, typ)
	put := func(c byte) {
		if c == beastEscape {
			b = append(b, c)
		}
		b = append(b, c)
	}
	for s := 40; s >= 0; s -= 8 {
		put(byte(uint64(t) >> s))
	}
	put(signal)
	for _, c := range frame {
		put(c)
	}
	return b
}
