package klv

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the packet as one JSON object (see AppendJSONFields)
// to dst.
func (p *Packet) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	dst = p.AppendJSONFields(dst)
	return append(dst, '}')
}

// MarshalJSON returns AppendJSON's object.
func (p *Packet) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// AppendJSONFields appends the members of the packet's JSON object, without
// braces, to dst: "checksum_ok" first (false when the checksum is wrong or
// missing), then each tag under its Tag.Name in packet order (a tag sent
// twice appears once, with its first value; a tag sent with its error
// indicator is null), then "corners_deg" (the absolute corners, see
// Packet.Corners) and "unknown_tags" and "malformed_tags" when not zero.
// Numbers are in the unit the name ends with, times are RFC 3339 in UTC
// with microseconds, opaque values are lower-case hex strings. The fields
// are documented in docs/FORMATS.md.
func (p *Packet) AppendJSONFields(dst []byte) []byte {
	dst = append(dst, `"checksum_ok":`...)
	dst = strconv.AppendBool(dst, p.ChecksumOK)
	var seen [MaxTag + 1]bool
	for i := range p.Values {
		v := &p.Values[i]
		if v.Tag > MaxTag || seen[v.Tag] {
			continue
		}
		seen[v.Tag] = true
		in := v.Tag.info()
		dst = append(dst, ',', '"')
		dst = append(dst, in.name...)
		dst = append(dst, '"', ':')
		dst = appendJSONValue(dst, v, in.kind)
	}
	if c, ok := p.Corners(); ok {
		dst = append(dst, `,"corners_deg":[`...)
		for i, ll := range c {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = appendFloat(dst, float64(ll.Lat))
			dst = append(dst, ',')
			dst = appendFloat(dst, float64(ll.Lon))
			dst = append(dst, ']')
		}
		dst = append(dst, ']')
	}
	if p.Unknown > 0 {
		dst = append(dst, `,"unknown_tags":`...)
		dst = strconv.AppendInt(dst, int64(p.Unknown), 10)
	}
	if p.Malformed > 0 {
		dst = append(dst, `,"malformed_tags":`...)
		dst = strconv.AppendInt(dst, int64(p.Malformed), 10)
	}
	return dst
}

func appendJSONValue(dst []byte, v *Value, k Kind) []byte {
	if v.Invalid {
		return append(dst, "null"...)
	}
	switch k {
	case KindString:
		return appendJSONString(dst, v.Str)
	case KindTime:
		return appendTime(dst, v)
	case KindSecurity:
		return appendSecurityJSON(dst, v.Security)
	case KindVMTI:
		return appendVMTIJSON(dst, v.VMTI)
	case KindCountryCodes:
		return appendCountriesJSON(dst, v.Countries)
	case KindBytes:
		dst = append(dst, '"')
		const hex = "0123456789abcdef"
		for _, c := range v.Bytes {
			dst = append(dst, hex[c>>4], hex[c&15])
		}
		return append(dst, '"')
	}
	return appendFloat(dst, v.Float)
}

func appendTime(dst []byte, v *Value) []byte {
	dst = append(dst, '"')
	dst = v.Time.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	return append(dst, '"')
}

// appendFloat appends x in the shortest form that reads back exactly;
// non-finite numbers (never produced by decoding) become null.
func appendFloat(dst []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(dst, "null"...)
	}
	return strconv.AppendFloat(dst, x, 'g', -1, 64)
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					dst = append(dst, '\\', 'n')
				case '\r':
					dst = append(dst, '\\', 'r')
				case '\t':
					dst = append(dst, '\\', 't')
				default:
					dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
				}
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return append(dst, '"')
}

func appendSecurityJSON(dst []byte, s *Security) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"classification":`...)
	dst = strconv.AppendInt(dst, int64(s.Classification), 10)
	dst = append(dst, `,"classifying_country_coding_method":`...)
	dst = strconv.AppendInt(dst, int64(s.ClassifyingCountryCodingMethod), 10)
	str := func(name, v string) {
		if v != "" {
			dst = append(dst, ',', '"')
			dst = append(dst, name...)
			dst = append(dst, '"', ':')
			dst = appendJSONString(dst, v)
		}
	}
	str("classifying_country", s.ClassifyingCountry)
	str("sci_shi", s.SCISHI)
	str("caveats", s.Caveats)
	str("releasing_instructions", s.ReleasingInstructions)
	str("classified_by", s.ClassifiedBy)
	str("derived_from", s.DerivedFrom)
	str("classification_reason", s.ClassificationReason)
	str("declassification_date", s.DeclassificationDate)
	str("marking_system", s.MarkingSystem)
	if s.ObjectCountryCodingMethod != 0 {
		dst = append(dst, `,"object_country_coding_method":`...)
		dst = strconv.AppendInt(dst, int64(s.ObjectCountryCodingMethod), 10)
	}
	str("object_country_codes", s.ObjectCountryCodes)
	str("comments", s.Comments)
	if s.Version != 0 {
		dst = append(dst, `,"version":`...)
		dst = strconv.AppendInt(dst, int64(s.Version), 10)
	}
	return append(dst, '}')
}

func appendVMTIJSON(dst []byte, m *VMTI) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"system_name":`...)
	dst = appendJSONString(dst, m.SystemName)
	num := func(name string, v int64) {
		dst = append(dst, ',', '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		dst = strconv.AppendInt(dst, v, 10)
	}
	num("version", int64(m.Version))
	num("total_targets", int64(m.TotalTargets))
	num("reported_targets", int64(m.ReportedTargets))
	num("frame_number", int64(m.FrameNumber&math.MaxInt64))
	num("frame_width_px", int64(m.FrameWidth))
	num("frame_height_px", int64(m.FrameHeight))
	if m.SourceSensor != "" {
		dst = append(dst, `,"source_sensor":`...)
		dst = appendJSONString(dst, m.SourceSensor)
	}
	if m.HorizontalFOV != 0 {
		dst = append(dst, `,"horizontal_fov_deg":`...)
		dst = appendFloat(dst, m.HorizontalFOV)
	}
	if m.VerticalFOV != 0 {
		dst = append(dst, `,"vertical_fov_deg":`...)
		dst = appendFloat(dst, m.VerticalFOV)
	}
	dst = append(dst, `,"targets":[`...)
	for i := range m.Targets {
		t := &m.Targets[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = strconv.AppendUint(dst, t.ID, 10)
		if t.Has&HasCentroid != 0 {
			num("centroid_pixel", int64(t.Centroid&math.MaxInt64))
		}
		if t.Has&HasBox != 0 {
			num("box_top_left_pixel", int64(t.TopLeft&math.MaxInt64))
			num("box_bottom_right_pixel", int64(t.BottomRight&math.MaxInt64))
		}
		if t.Has&HasPriority != 0 {
			num("priority", int64(t.Priority))
		}
		if t.Has&HasConfidence != 0 {
			num("confidence_pct", int64(t.Confidence))
		}
		if t.Has&HasHAE != 0 {
			dst = append(dst, `,"height_above_ellipsoid_m":`...)
			dst = appendFloat(dst, t.HAE)
		}
		if t.Has&HasLocation != 0 {
			dst = append(dst, `,"latitude_deg":`...)
			dst = appendFloat(dst, t.Lat)
			dst = append(dst, `,"longitude_deg":`...)
			dst = appendFloat(dst, t.Lon)
			dst = append(dst, `,"location_hae_m":`...)
			dst = appendFloat(dst, t.LocationHAE)
		}
		if t.Has&HasRowColumn != 0 {
			num("centroid_row", int64(t.Row&math.MaxInt64))
			num("centroid_column", int64(t.Column&math.MaxInt64))
		}
		dst = append(dst, '}')
	}
	return append(dst, ']', '}')
}

func appendCountriesJSON(dst []byte, c *CountryCodes) []byte {
	if c == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"coding_method":`...)
	dst = strconv.AppendUint(dst, c.CodingMethod, 10)
	for _, f := range []struct{ name, v string }{
		{"overflight_country", c.OverflightCountry},
		{"operator_country", c.OperatorCountry},
		{"country_of_manufacture", c.CountryOfManufacture},
	} {
		if f.v != "" {
			dst = append(dst, ',', '"')
			dst = append(dst, f.name...)
			dst = append(dst, '"', ':')
			dst = appendJSONString(dst, f.v)
		}
	}
	return append(dst, '}')
}
