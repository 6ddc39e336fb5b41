package bus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vigia/vigia/internal/geo"
	"github.com/vigia/vigia/internal/position"
)

// ErrBadMessage is wrapped by the errors of DecodePosition.
var ErrBadMessage = errors.New("bus: bad position message")

// wireVersion is the first byte of a binary position message.
const wireVersion = 1

// Footprint flags in the binary form.
const (
	fpPresent = 1 << iota
	fpCorners
	fpSlant
)

// AppendPosition appends the binary form of p to dst and returns the
// extended slice. The form (version 1), all integers little-endian or
// unsigned varints (uv), floats as IEEE 754 binary64 bits (f64):
//
//	version 0x01
//	id          uv length, bytes
//	source      1 byte (position.Source)
//	time        signed varint Unix seconds, uv nanoseconds
//	lat, lon    f64, f64 (degrees)
//	has         uv (position.Has bits)
//	altitude    f64 metres, 1 byte reference       if HasAltitude
//	gs          f64 m/s                            if HasGroundSpeed
//	track       f64 degrees                        if HasTrack
//	vrate       f64 m/s                            if HasVerticalRate
//	accuracy    f64 metres                         if HasAccuracy
//	on ground   1 byte 0/1                         if HasOnGround
//	callsign    uv length, bytes
//	squawk      uv length, bytes
//	footprint   1 byte flags (1 present, 2 corners, 4 slant range), then
//	            centre lat, lon; four corners lat, lon; slant range (f64 each,
//	            as the flags say)
//
// It is about ten times cheaper than the JSON form, which DecodePosition
// also accepts.
func AppendPosition(dst []byte, p *position.Position) []byte {
	dst = append(dst, wireVersion)
	dst = appendString(dst, p.ID)
	dst = append(dst, byte(p.Source))
	dst = binary.AppendVarint(dst, p.Time.Unix())
	dst = binary.AppendUvarint(dst, uint64(p.Time.Nanosecond()))
	dst = appendF64(dst, float64(p.Lat))
	dst = appendF64(dst, float64(p.Lon))
	dst = binary.AppendUvarint(dst, uint64(p.Has))
	if p.Has&position.HasAltitude != 0 {
		dst = appendF64(dst, float64(p.Altitude))
		dst = append(dst, byte(p.AltitudeRef))
	}
	if p.Has&position.HasGroundSpeed != 0 {
		dst = appendF64(dst, p.GroundSpeed)
	}
	if p.Has&position.HasTrack != 0 {
		dst = appendF64(dst, float64(p.Track))
	}
	if p.Has&position.HasVerticalRate != 0 {
		dst = appendF64(dst, p.VerticalRate)
	}
	if p.Has&position.HasAccuracy != 0 {
		dst = appendF64(dst, float64(p.Accuracy))
	}
	if p.Has&position.HasOnGround != 0 {
		b := byte(0)
		if p.OnGround {
			b = 1
		}
		dst = append(dst, b)
	}
	dst = appendString(dst, p.Callsign)
	dst = appendString(dst, p.Squawk)
	fp := p.Footprint
	if fp == nil {
		return append(dst, 0)
	}
	flags := byte(fpPresent)
	if fp.HasCorners {
		flags |= fpCorners
	}
	if fp.SlantRange != 0 {
		flags |= fpSlant
	}
	dst = append(dst, flags)
	dst = appendF64(dst, float64(fp.Center.Lat))
	dst = appendF64(dst, float64(fp.Center.Lon))
	if fp.HasCorners {
		for _, c := range fp.Corners {
			dst = appendF64(dst, float64(c.Lat))
			dst = appendF64(dst, float64(c.Lon))
		}
	}
	if fp.SlantRange != 0 {
		dst = appendF64(dst, float64(fp.SlantRange))
	}
	return dst
}

func appendF64(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decoder reads the binary form with a sticky error naming the field and
// its byte offset.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: offset %d: field %s: %s", ErrBadMessage, d.off, field, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) byte1(field string) byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail(field, "truncated")
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail(field, "bad varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail(field, "bad varint")
		return 0
	}
	d.off += n
	return v
}

// f64 reads a finite float64.
func (d *decoder) f64(field string) float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 8 {
		d.fail(field, "truncated")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.fail(field, "not a finite number")
		return 0
	}
	d.off += 8
	return v
}

// str reads a length-prefixed string no longer than max bytes and than
// what remains of the message.
func (d *decoder) str(field string, max int) string {
	n := d.uvarint(field)
	if d.err != nil {
		return ""
	}
	if n > uint64(max) || n > uint64(len(d.b)-d.off) {
		d.fail(field, "length %d too long", n)
		return ""
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s
}

// latLon reads a latitude and a longitude in range; field names them
// both.
func (d *decoder) latLon(field string) geo.LatLon {
	lat, lon := d.f64(field), d.f64(field)
	if d.err == nil && !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		d.fail(field, "%v, %v out of range", lat, lon)
	}
	return geo.LatLon{Lat: geo.Degrees(lat), Lon: geo.Degrees(lon)}
}

var cornerFields = [4]string{"footprint.corners[0]", "footprint.corners[1]", "footprint.corners[2]", "footprint.corners[3]"}

// DecodePosition reads a position message: the binary form of
// AppendPosition, or the JSON form of docs/FORMATS.md (a message starting
// with '{', as a person publishing by hand would send). Errors wrap
// ErrBadMessage and name the field and byte offset.
func DecodePosition(data []byte, p *position.Position) error {
	if len(data) > 0 && data[0] == '{' {
		if err := json.Unmarshal(data, p); err != nil {
			return fmt.Errorf("%w: %v", ErrBadMessage, err)
		}
		return nil
	}
	d := decoder{b: data}
	if v := d.byte1("version"); d.err == nil && v != wireVersion {
		d.off--
		d.fail("version", "unknown version %d", v)
	}
	var q position.Position
	q.ID = d.str("id", 1024)
	if d.err == nil && q.ID == "" {
		d.fail("id", "empty")
	}
	q.Source = position.Source(d.byte1("source"))
	if d.err == nil && q.Source.String() == "unknown" && q.Source != position.Unknown {
		d.off--
		d.fail("source", "unknown source %d", q.Source)
	}
	sec := d.varint("time")
	nsec := d.uvarint("time.nanoseconds")
	if d.err == nil && nsec >= 1e9 {
		d.fail("time.nanoseconds", "%d not below 1e9", nsec)
	}
	q.Time = time.Unix(sec, int64(nsec)).UTC()
	ll := d.latLon("lat/lon")
	q.Lat, q.Lon = ll.Lat, ll.Lon
	has := d.uvarint("has")
	const all = position.HasAltitude | position.HasGroundSpeed | position.HasTrack |
		position.HasVerticalRate | position.HasAccuracy | position.HasOnGround
	if d.err == nil && has&^uint64(all) != 0 {
		d.fail("has", "unknown bits 0x%x", has&^uint64(all))
	}
	q.Has = position.Has(has)
	if q.Has&position.HasAltitude != 0 {
		q.Altitude = geo.Meters(d.f64("altitude"))
		q.AltitudeRef = position.AltitudeRef(d.byte1("altitude reference"))
		if d.err == nil && q.AltitudeRef > position.MSL {
			d.off--
			d.fail("altitude reference", "unknown reference %d", q.AltitudeRef)
		}
	}
	if q.Has&position.HasGroundSpeed != 0 {
		q.GroundSpeed = d.f64("ground speed")
	}
	if q.Has&position.HasTrack != 0 {
		q.Track = geo.Degrees(d.f64("track"))
	}
	if q.Has&position.HasVerticalRate != 0 {
		q.VerticalRate = d.f64("vertical rate")
	}
	if q.Has&position.HasAccuracy != 0 {
		q.Accuracy = geo.Meters(d.f64("accuracy"))
	}
	if q.Has&position.HasOnGround != 0 {
		switch d.byte1("on ground") {
		case 0:
		case 1:
			q.OnGround = true
		default:
			d.off--
			d.fail("on ground", "not 0 or 1")
		}
	}
	q.Callsign = d.str("callsign", 64)
	q.Squawk = d.str("squawk", 16)
	flags := d.byte1("footprint")
	if d.err == nil && (flags&^(fpPresent|fpCorners|fpSlant) != 0 || flags != 0 && flags&fpPresent == 0) {
		d.off--
		d.fail("footprint", "bad flags 0x%02x", flags)
	}
	if d.err == nil && flags&fpPresent != 0 {
		fp := &position.Footprint{Center: d.latLon("footprint.center")}
		if flags&fpCorners != 0 {
			fp.HasCorners = true
			for i := range fp.Corners {
				fp.Corners[i] = d.latLon(cornerFields[i])
			}
		}
		if flags&fpSlant != 0 {
			fp.SlantRange = geo.Meters(d.f64("footprint.slant_range"))
		}
		q.Footprint = fp
	}
	if d.err == nil && d.off != len(d.b) {
		d.fail("end", "%d bytes after the position", len(d.b)-d.off)
	}
	if d.err != nil {
		return d.err
	}
	*p = q
	return nil
}
