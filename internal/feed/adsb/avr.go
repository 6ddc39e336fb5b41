package adsb

import "errors"

// AVR is the text framing of dump1090's raw port (30002) and of many
// receivers: one frame per line, in hex, between a start character and a
// semicolon:
//
//	*8D4840D6202CC371C32CE0576098;           plain (also ':')
//	@0000ABCD12348D4840D6202CC371C32CE0576098; 48-bit 12 MHz timestamp first (also '%')
//	<0000ABCD1234C08D4840D6202CC371C32CE0576098; timestamp, then a signal byte
//
// The payload is 4 (Mode A/C), 14 or 28 hex digits, upper or lower case.

// maxAVR is the longest AVR record: '<', 12 + 2 + 28 hex digits, ';'.
const maxAVR = 1 + 12 + 2 + 28 + 1

var errAVR = errors.New("malformed AVR record")

// hexVal maps an ASCII byte to its hex value, or 0xFF.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := byte(0); i < 10; i++ {
		t['0'+i] = i
	}
	for i := byte(0); i < 6; i++ {
		t['a'+i], t['A'+i] = 10+i, 10+i
	}
	return t
}()

func isAVRStart(c byte) bool { return c == '*' || c == '@' || c == '%' || c == '<' || c == ':' }

// ParseAVR parses one AVR record (from its start character up to and
// including the semicolon; a missing final semicolon is tolerated) into f.
// It does not allocate.
func ParseAVR(rec []byte, f *Frame) error {
	if len(rec) > 0 && rec[len(rec)-1] == ';' {
		rec = rec[:len(rec)-1]
	}
	if len(rec) < 2 || !isAVRStart(rec[0]) {
		return errAVR
	}
	*f = Frame{}
	c := rec[0]
	rec = rec[1:]
	if c == '@' || c == '%' || c == '<' {
		if len(rec) < 12 {
			return errAVR
		}
		var t uint64
		for _, h := range rec[:12] {
			v := hexVal[h]
			if v == 0xFF {
				return errAVR
			}
			t = t<<4 | uint64(v)
		}
		f.Ticks, f.HasTicks = t, true
		rec = rec[12:]
		if c == '<' {
			if len(rec) < 2 {
				return errAVR
			}
			hi, lo := hexVal[rec[0]], hexVal[rec[1]]
			if hi > 15 || lo > 15 {
				return errAVR
			}
			f.Signal, f.HasSignal = hi<<4|lo, true
			rec = rec[2:]
		}
	}
	switch len(rec) {
	case 4, 14, 28:
	default:
		return errAVR
	}
	for i := 0; i < len(rec); i += 2 {
		hi, lo := hexVal[rec[i]], hexVal[rec[i+1]]
		if hi > 15 || lo > 15 {
			return errAVR
		}
		f.Data[i/2] = hi<<4 | lo
	}
	f.Len = len(rec) / 2
	return nil
}

// AppendAVR appends frame f as an AVR record and a newline: "@" with the
// timestamp when f has one, else "*".
func AppendAVR(b []byte, f *Frame) []byte {
	if f.HasTicks {
		b = append(b, '@')
		for s := 44; s >= 0; s -= 4 {
			b = append(b, hexDigits[f.Ticks>>s&15])
		}
	} else {
		b = append(b, '*')
	}
	for _, c := range f.Data[:f.Len] {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return append(b, ';', '\n')
}
