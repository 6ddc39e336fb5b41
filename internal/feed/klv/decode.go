package klv

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"
)

// UniversalLabel is the 16-byte SMPTE Universal Label (key) of the MISB ST
// 0601 UAS Datalink Local Set.
var UniversalLabel = [16]byte{0x06, 0x0E, 0x2B, 0x34, 0x02, 0x0B, 0x01, 0x01, 0x0E, 0x01, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00}

// Sentinel errors, for errors.Is. Errors returned by Decode wrap one of them
// and name the byte offset, counted from the first byte of the
// Universal Label.
var (
	// ErrNoKey: the bytes do not begin with UniversalLabel.
	ErrNoKey = errors.New("klv: no ST 0601 universal label")
	// ErrTruncated: the packet, or an item in it, ends after the input.
	ErrTruncated = errors.New("klv: truncated")
	// ErrMalformed: a BER length or tag cannot be read.
	ErrMalformed = errors.New("klv: malformed")
)

// Value is one decoded or to-be-encoded item, in SI units (or SI-prefixed
// ones) and degrees, as the tag's JSON name says (see Tag.Name). Exactly one
// of Float, Str, Time, Bytes, Security, VMTI and Countries is meaningful
// per tag, as Tag.Kind says.
type Value struct {
	Tag   Tag
	Float float64   // numeric tags, in the tag's unit; integers (counts, enumerations, flags) are whole numbers
	Str   string    // string tags
	Time  time.Time // tags 2, 72 and 131, UTC
	// Bytes holds the raw value of opaque and nested tags. After Decode it
	// aliases the input: copy it to keep it beyond the input's life.
	Bytes []byte

	// Invalid reports that the tag was sent with its error indicator (or an
	// ST 1201 special value such as "below minimum" or NaN): the tag is
	// present but its value is unknown, and Float is 0. Encode writes the
	// error indicator for a Value with Invalid set.
	Invalid bool

	// Size is the length in bytes of an IMAPB value (tags 96, 103–105,
	// 109, 112–114, 117–120, 132, 134): after Decode, the length it was
	// sent with; for Encode, the length to write it with (1 to 8; 0 means
	// the tag's default). Longer fields carry finer precision.
	Size int

	// Security (tag 48, MISB ST 0102) and Countries (tag 122) are never
	// modified once decoded: DecodeFrom hands the same pointer to the next
	// packet while the set's bytes repeat. VMTI (tag 74, MISB ST 0903) is
	// decoded by DecodeFrom into one VMTI owned by the Packet, overwritten
	// by the next DecodeFrom: copy it to keep it. Decode returns fresh ones.
	Security  *Security
	VMTI      *VMTI
	Countries *CountryCodes
}

// Packet is one decoded ST 0601 local set.
type Packet struct {
	// Values holds the known items in the order they were sent, the
	// checksum excepted. Decoding into a Packet reuses the array.
	Values []Value
	// Length is the size of the whole packet in bytes, key and length
	// included.
	Length int
	// HasChecksum reports that tag 1 was present; ChecksumOK that the
	// 16-bit running sum of the packet up to and including the checksum's
	// tag and length bytes equals the stored Checksum.
	HasChecksum bool
	ChecksumOK  bool
	Checksum    uint16
	// Unknown counts items with tags this package does not know; they are
	// skipped. Malformed counts known items whose value could not be read
	// (a wrong length for the tag's type); they are skipped too.
	Unknown   int
	Malformed int

	reuse nestedCache
}

// nestedCache keeps what DecodeFrom reuses from one packet to the next: the
// last security set and country codes with their raw bytes (shared, never
// modified, while the bytes repeat), and the VMTI set decoded into.
type nestedCache struct {
	secRaw    []byte
	sec       *Security
	ccRaw     []byte
	countries *CountryCodes
	vmti      *VMTI
	vmtiUsed  bool // vmti holds a value of the packet being decoded
}

// Get returns the first value of tag t in the packet.
func (p *Packet) Get(t Tag) (Value, bool) {
	for i := range p.Values {
		if p.Values[i].Tag == t {
			return p.Values[i], true
		}
	}
	return Value{}, false
}

// Float returns the numeric value of tag t (in the unit of its name) when
// t is a numeric tag present in the packet with a valid value.
func (p *Packet) Float(t Tag) (float64, bool) {
	switch t.Kind() {
	case KindUint, KindInt, KindIMAPB, KindUintRaw, KindIntRaw, KindFrameRate:
	default:
		return 0, false
	}
	for i := range p.Values {
		if v := &p.Values[i]; v.Tag == t {
			return v.Float, !v.Invalid
		}
	}
	return 0, false
}

// Decode decodes one packet that starts with UniversalLabel at b[0]; bytes
// after the packet are ignored (Packet.Length says where it ended). A
// packet whose checksum is wrong or missing is returned with ChecksumOK
// false and no error: deciding to drop it is the caller's.
func Decode(b []byte) (Packet, error) {
	var p Packet
	err := p.DecodeFrom(b)
	return p, err
}

// DecodeFrom decodes one packet like Decode into p, reusing p.Values; the
// previous contents of p are lost. Strings equal to those at the same place
// in the previous packet, the security set and country codes while their
// bytes repeat, and the VMTI set's storage are reused (see Value), so
// decoding a stream of like packets does not allocate.
func (p *Packet) DecodeFrom(b []byte) error {
	prev := p.Values
	*p = Packet{Values: p.Values[:0], reuse: p.reuse}
	p.reuse.vmtiUsed = false
	if len(b) < len(UniversalLabel) {
		if bytes.HasPrefix(UniversalLabel[:], b) {
			return fmt.Errorf("%w: offset %d: key cut short", ErrTruncated, len(b))
		}
		return fmt.Errorf("%w: offset 0", ErrNoKey)
	}
	if !bytes.Equal(b[:16], UniversalLabel[:]) {
		return fmt.Errorf("%w: offset 0", ErrNoKey)
	}
	length, n := readBERLength(b[16:])
	switch {
	case n == 0:
		return fmt.Errorf("%w: offset 16: packet length cut short", ErrTruncated)
	case n < 0:
		return fmt.Errorf("%w: offset 16: bad BER length 0x%02x", ErrMalformed, b[16])
	}
	start := 16 + n
	end := start + length
	if end > len(b) {
		return fmt.Errorf("%w: offset %d: packet runs to offset %d", ErrTruncated, len(b), end)
	}
	p.Length = end
	var sum uint16
	summed := 0 // bytes of b already added to sum
	i := start
	for i < end {
		itemOff := i
		tag, tn := readBEROID(b[i:end], 4)
		switch {
		case tn == 0:
			return fmt.Errorf("%w: offset %d: tag cut short", ErrTruncated, i)
		case tn < 0:
			return fmt.Errorf("%w: offset %d: tag longer than 4 bytes", ErrMalformed, i)
		}
		i += tn
		vlen, ln := readBERLength(b[i:end])
		switch {
		case ln == 0:
			return fmt.Errorf("%w: offset %d: length of tag %d cut short", ErrTruncated, i, tag)
		case ln < 0:
			return fmt.Errorf("%w: offset %d: bad BER length 0x%02x for tag %d", ErrMalformed, i, b[i], tag)
		}
		i += ln
		if vlen > end-i {
			return fmt.Errorf("%w: offset %d: tag %d needs %d bytes, %d left in packet", ErrTruncated, itemOff, tag, vlen, end-i)
		}
		val := b[i : i+vlen]
		i += vlen
		t := Tag(tag)
		if t == TagChecksum {
			sum = runningSum(sum, summed, b[summed:i-vlen])
			summed = i - vlen
			p.HasChecksum = true
			if vlen == 2 {
				p.Checksum = uint16(val[0])<<8 | uint16(val[1])
				p.ChecksumOK = p.Checksum == sum
			} else {
				p.ChecksumOK = false
			}
			continue
		}
		in := t.info()
		if in.kind == KindNone {
			p.Unknown++
			continue
		}
		k := len(p.Values)
		if k < cap(p.Values) {
			p.Values = p.Values[:k+1]
		} else {
			p.Values = append(p.Values, Value{})
		}
		v := &p.Values[k]
		var old string
		if k < len(prev) && prev[k].Tag == t {
			old = prev[k].Str
		}
		if !p.decodeValue(v, t, in, val, old) {
			p.Values = p.Values[:k]
			p.Malformed++
		}
	}
	return nil
}

// runningSum continues the ST 0601 checksum over b, whose first byte sits
// at offset off of the packet: bytes at even offsets are the high byte of
// a 16-bit word, at odd offsets the low byte.
func runningSum(sum uint16, off int, b []byte) uint16 {
	j := 0
	if off&1 == 1 && len(b) > 0 {
		sum += uint16(b[0])
		j = 1
	}
	for ; j+1 < len(b); j += 2 {
		sum += uint16(b[j])<<8 | uint16(b[j+1])
	}
	if j < len(b) {
		sum += uint16(b[j]) << 8
	}
	return sum
}

// Checksum returns the ST 0601 checksum of b: the 16-bit running sum of
// its bytes taken as big-endian words (an odd last byte as a high byte).
// For a packet, b runs from the first byte of the key through the
// checksum's tag and length bytes (0x01 0x02).
func Checksum(b []byte) uint16 { return runningSum(0, 0, b) }

// decodeValue fills v from the raw value of tag t. It reports false when
// val cannot be a value of t (a wrong length or nested set).
func (p *Packet) decodeValue(v *Value, t Tag, in *tagInfo, val []byte, oldStr string) bool {
	*v = Value{Tag: t}
	switch in.kind {
	case KindUint:
		if len(val) != in.size {
			return false
		}
		v.Float = in.min + float64(readUint(val))*tagScale[t]
	case KindInt:
		if len(val) != in.size {
			return false
		}
		r := readInt(val)
		lim := int64(1)<<(8*uint(in.size)-1) - 1
		if r < -lim {
			if in.errInd {
				v.Invalid = true
				return true
			}
			r = -lim
		}
		v.Float = float64(r) * tagScale[t]
	case KindIMAPB:
		if len(val) < 1 || len(val) > 8 {
			return false
		}
		x, st := tagMaps[t][len(val)].decodeInRange(val)
		v.Size = len(val)
		if st != imapbNormal {
			v.Invalid = true
			return true
		}
		v.Float = x
	case KindString:
		if string(val) == oldStr {
			v.Str = oldStr
		} else {
			v.Str = string(val)
		}
	case KindTime:
		if len(val) < 1 || len(val) > 8 || (!in.variable && len(val) != in.size) {
			return false
		}
		us := readUint(val)
		if us > math.MaxInt64 {
			return false
		}
		v.Time = time.UnixMicro(int64(us)).UTC()
	case KindUintRaw:
		if len(val) < 1 || len(val) > 8 || (!in.variable && len(val) != in.size) {
			return false
		}
		v.Float = float64(readUint(val))
		if v.Float > in.max {
			return false
		}
	case KindIntRaw:
		if len(val) < 1 || len(val) > 8 {
			return false
		}
		v.Float = float64(readInt(val))
		if v.Float < in.min || v.Float > in.max {
			return false
		}
	case KindFrameRate:
		num, n := readBEROID(val, 8)
		if n <= 0 {
			return false
		}
		den := uint64(1)
		if n < len(val) {
			d, m := readBEROID(val[n:], 8)
			if m <= 0 || n+m != len(val) || d == 0 {
				return false
			}
			den = d
		}
		v.Float = float64(num) / float64(den)
		if !(v.Float > 0 && v.Float < 1e9) {
			return false
		}
	case KindSecurity:
		c := &p.reuse
		if c.sec == nil || !bytes.Equal(val, c.secRaw) {
			s, ok := decodeSecurity(val)
			if !ok {
				return false
			}
			c.sec, c.secRaw = s, append(c.secRaw[:0], val...)
		}
		v.Security = c.sec
	case KindVMTI:
		m := p.reuse.vmti
		if m == nil || p.reuse.vmtiUsed {
			// First use, or a second tag 74 in this packet: a new set.
			m = &VMTI{}
		}
		if !decodeVMTIInto(m, val) {
			return false
		}
		if !p.reuse.vmtiUsed {
			p.reuse.vmti, p.reuse.vmtiUsed = m, true
		}
		v.VMTI = m
	case KindCountryCodes:
		c := &p.reuse
		if c.countries == nil || !bytes.Equal(val, c.ccRaw) {
			cc, ok := decodeCountryCodesPack(val)
			if !ok {
				return false
			}
			c.countries, c.ccRaw = cc, append(c.ccRaw[:0], val...)
		}
		v.Countries = c.countries
	case KindBytes:
		v.Bytes = val
	default:
		return false
	}
	return true
}
