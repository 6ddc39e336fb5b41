package klv

import (
	"fmt"
	"math"
)

// Encode appends one complete ST 0601 packet to dst: the Universal Label,
// the BER length, the items of vals in the given order, and tag 1, the
// checksum, computed and appended last. Numeric values are rounded to the
// nearest step of the tag's mapping (IMAPB values are floored, as ST 1201
// prescribes) and must lie in the tag's range (see Tag.Range); a Value with
// Invalid set is written as the tag's error indicator. vals must not
// contain tag 1 or an unknown tag. On error dst is returned unchanged.
func Encode(dst []byte, vals []Value) ([]byte, error) {
	start := len(dst)
	dst = append(dst, UniversalLabel[:]...)
	// Reserve the longest BER length we may need; the body is moved down
	// once its size is known.
	const reserve = 5
	dst = append(dst, make([]byte, reserve)...)
	body := len(dst)
	for i := range vals {
		out, err := appendValue(dst, &vals[i])
		if err != nil {
			return dst[:start], fmt.Errorf("klv: encode value %d: %w", i, err)
		}
		dst = out
	}
	n := len(dst) - body + 4 // items and the checksum item
	k := berLengthSize(n)
	if k > reserve {
		return dst[:start], fmt.Errorf("klv: encode: packet of %d bytes too long", n)
	}
	hdr := start + 16
	copy(dst[hdr+k:], dst[body:])
	dst = dst[:len(dst)-(reserve-k)]
	appendBERLength(dst[hdr:hdr], n)
	dst = append(dst, byte(TagChecksum), 2)
	sum := Checksum(dst[start:])
	return append(dst, byte(sum>>8), byte(sum)), nil
}

// appendItem appends tag t, a BER length and the value written by f,
// moving the value if its length needs more than one byte.
func appendItem(dst []byte, t Tag, f func([]byte) ([]byte, error)) ([]byte, error) {
	dst = appendBEROID(dst, uint64(t))
	at := len(dst)
	dst = append(dst, 0)
	out, err := f(dst)
	if err != nil {
		return nil, err
	}
	n := len(out) - at - 1
	k := berLengthSize(n)
	if k == 1 {
		out[at] = byte(n)
		return out, nil
	}
	out = append(out, make([]byte, k-1)...)
	copy(out[at+k:], out[at+1:at+1+n])
	appendBERLength(out[at:at], n)
	return out, nil
}

func appendValue(dst []byte, v *Value) ([]byte, error) {
	t := v.Tag
	in := t.info()
	if t == TagChecksum {
		return nil, fmt.Errorf("tag 1: the checksum is computed by Encode")
	}
	if in.kind == KindNone {
		return nil, fmt.Errorf("tag %d: unknown tag", t)
	}
	return appendItem(dst, t, func(dst []byte) ([]byte, error) {
		x := v.Float
		numeric := in.kind == KindUint || in.kind == KindInt || in.kind == KindIMAPB ||
			in.kind == KindUintRaw || in.kind == KindIntRaw || in.kind == KindFrameRate
		if numeric && !v.Invalid && (math.IsNaN(x) || math.IsInf(x, 0)) {
			return nil, fmt.Errorf("tag %d (%s): %v is not a finite number", t, in.name, x)
		}
		rangeErr := func() error {
			return fmt.Errorf("tag %d (%s): %v out of [%v, %v]", t, in.name, x, in.min, in.max)
		}
		switch in.kind {
		case KindUint:
			if v.Invalid {
				return nil, fmt.Errorf("tag %d (%s): no error indicator", t, in.name)
			}
			if x < in.min || x > in.max {
				return nil, rangeErr()
			}
			top := math.Exp2(float64(8*in.size)) - 1
			r := math.Round((x - in.min) * top / (in.max - in.min))
			return appendUint(dst, uint64(math.Min(r, top)), in.size), nil
		case KindInt:
			lim := int64(1)<<(8*uint(in.size)-1) - 1
			if v.Invalid {
				if !in.errInd {
					return nil, fmt.Errorf("tag %d (%s): no error indicator", t, in.name)
				}
				return appendUint(dst, uint64(-lim-1), in.size), nil
			}
			if x < -in.max || x > in.max {
				return nil, rangeErr()
			}
			r := int64(math.Round(x * float64(lim) / in.max))
			r = max(-lim, min(lim, r))
			return appendUint(dst, uint64(r), in.size), nil
		case KindIMAPB:
			size := in.size
			if v.Size != 0 {
				if v.Size < 1 || v.Size > 8 {
					return nil, fmt.Errorf("tag %d (%s): IMAPB size %d out of [1, 8]", t, in.name, v.Size)
				}
				size = v.Size
			}
			if v.Invalid {
				b := append(dst, 0xD0) // ST 1201 positive quiet NaN: the value is unknown
				return append(b, make([]byte, size-1)...), nil
			}
			if x < in.min || x > in.max {
				return nil, rangeErr()
			}
			return tagMaps[t][size].encode(dst, x), nil
		case KindString:
			return append(dst, v.Str...), nil
		case KindTime:
			us := v.Time.UnixMicro()
			if v.Time.IsZero() || us < 0 {
				return nil, fmt.Errorf("tag %d (%s): time %v before 1970", t, in.name, v.Time)
			}
			size := in.size
			if in.variable {
				size = uintSize(uint64(us))
			}
			return appendUint(dst, uint64(us), size), nil
		case KindUintRaw:
			if x < in.min || x > in.max || x != math.Trunc(x) {
				return nil, fmt.Errorf("tag %d (%s): %v is not an integer in [%v, %v]", t, in.name, x, in.min, in.max)
			}
			size := in.size
			if in.variable {
				size = uintSize(uint64(x))
			}
			return appendUint(dst, uint64(x), size), nil
		case KindIntRaw:
			if x < in.min || x > in.max || x != math.Trunc(x) {
				return nil, fmt.Errorf("tag %d (%s): %v is not an integer in [%v, %v]", t, in.name, x, in.min, in.max)
			}
			return appendUint(dst, uint64(int64(x)), intSize(int64(x))), nil
		case KindFrameRate:
			if !(x > 0 && x < 1e9) {
				return nil, fmt.Errorf("tag %d (%s): %v out of (0, 1e9)", t, in.name, x)
			}
			num, den := frameRate(x)
			dst = appendBEROID(dst, num)
			if den != 1 {
				dst = appendBEROID(dst, den)
			}
			return dst, nil
		case KindSecurity:
			return appendSecurity(dst, v.Security)
		case KindVMTI:
			return appendVMTI(dst, v.VMTI)
		case KindCountryCodes:
			return appendCountryCodesPack(dst, v.Countries)
		case KindBytes:
			return append(dst, v.Bytes...), nil
		}
		return nil, fmt.Errorf("tag %d: cannot encode", t)
	})
}

// frameRate returns a numerator and denominator for x Hz: exact for whole
// rates and for the NTSC family (24000/1001, 30000/1001, 60000/1001),
// otherwise to a thousandth.
func frameRate(x float64) (num, den uint64) {
	for _, d := range []float64{1, 1001, 1000} {
		n := math.Round(x * d)
		if math.Abs(n/d-x) <= 1e-9*x {
			return uint64(n), uint64(d)
		}
	}
	return uint64(math.Round(x * 1000)), 1000
}
