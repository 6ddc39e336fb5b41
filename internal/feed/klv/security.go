package klv

import (
	"fmt"
	"unicode/utf16"
)

// Security is the MISB ST 0102 Security Metadata Local Set nested in ST 0601
// tag 48. Text fields are as sent; Classification is the ST 0102 code
// (1 UNCLASSIFIED, 2 RESTRICTED, 3 CONFIDENTIAL, 4 SECRET, 5 TOP SECRET).
type Security struct {
	Classification                 uint8  // tag 1
	ClassifyingCountryCodingMethod uint8  // tag 2
	ClassifyingCountry             string // tag 3, e.g. "//USA"
	SCISHI                         string // tag 4
	Caveats                        string // tag 5
	ReleasingInstructions          string // tag 6
	ClassifiedBy                   string // tag 7
	DerivedFrom                    string // tag 8
	ClassificationReason           string // tag 9
	DeclassificationDate           string // tag 10, YYYYMMDD
	MarkingSystem                  string // tag 11
	ObjectCountryCodingMethod      uint8  // tag 12
	ObjectCountryCodes             string // tag 13 (UTF-16 on the wire before ST 0102.11 is decoded to UTF-8)
	Comments                       string // tag 14
	Version                        int    // tag 22; 0 if absent
	Unknown                        int    // items of other tags, skipped
}

// securityStrings maps ST 0102 text tags to their field.
func (s *Security) text(tag uint64) *string {
	switch tag {
	case 3:
		return &s.ClassifyingCountry
	case 4:
		return &s.SCISHI
	case 5:
		return &s.Caveats
	case 6:
		return &s.ReleasingInstructions
	case 7:
		return &s.ClassifiedBy
	case 8:
		return &s.DerivedFrom
	case 9:
		return &s.ClassificationReason
	case 10:
		return &s.DeclassificationDate
	case 11:
		return &s.MarkingSystem
	case 14:
		return &s.Comments
	}
	return nil
}

// decodeSecurity parses an ST 0102 local set (BER-OID tags, BER lengths).
func decodeSecurity(b []byte) (*Security, bool) {
	s := &Security{}
	for i := 0; i < len(b); {
		tag, tn := readBEROID(b[i:], 4)
		if tn <= 0 {
			return nil, false
		}
		i += tn
		n, ln := readBERLength(b[i:])
		if ln <= 0 || n > len(b)-i-ln {
			return nil, false
		}
		i += ln
		v := b[i : i+n]
		i += n
		switch tag {
		case 1, 2, 12:
			if n != 1 {
				return nil, false
			}
			switch tag {
			case 1:
				s.Classification = v[0]
			case 2:
				s.ClassifyingCountryCodingMethod = v[0]
			default:
				s.ObjectCountryCodingMethod = v[0]
			}
		case 13:
			s.ObjectCountryCodes = decodeCountryCodes(v)
		case 22:
			if n < 1 || n > 2 {
				return nil, false
			}
			s.Version = int(readUint(v))
		default:
			if p := s.text(tag); p != nil {
				*p = string(v)
			} else {
				s.Unknown++
			}
		}
	}
	return s, true
}

// decodeCountryCodes reads ST 0102 tag 13, UTF-16 (big-endian) in the
// revisions up to ST 0102.10 and UTF-8 since: an even-length value whose
// even bytes are all zero is taken as UTF-16.
func decodeCountryCodes(v []byte) string {
	if len(v) >= 2 && len(v)%2 == 0 {
		wide := true
		for i := 0; i < len(v); i += 2 {
			if v[i] != 0 {
				wide = false
				break
			}
		}
		if wide {
			u := make([]uint16, len(v)/2)
			for i := range u {
				u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
			}
			return string(utf16.Decode(u))
		}
	}
	return string(v)
}

// appendSecurity appends s as an ST 0102 local set (text as UTF-8).
func appendSecurity(dst []byte, s *Security) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("tag 48: nil Security")
	}
	item := func(tag byte, v []byte) {
		dst = append(dst, tag)
		dst = appendBERLength(dst, len(v))
		dst = append(dst, v...)
	}
	item(1, []byte{s.Classification})
	item(2, []byte{s.ClassifyingCountryCodingMethod})
	for tag := uint64(3); tag <= 11; tag++ {
		if p := s.text(tag); *p != "" {
			item(byte(tag), []byte(*p))
		}
	}
	if s.ObjectCountryCodingMethod != 0 {
		item(12, []byte{s.ObjectCountryCodingMethod})
	}
	if s.ObjectCountryCodes != "" {
		item(13, []byte(s.ObjectCountryCodes))
	}
	if s.Comments != "" {
		item(14, []byte(s.Comments))
	}
	if s.Version != 0 {
		if s.Version < 0 || s.Version > 0xffff {
			return nil, fmt.Errorf("tag 48: security version %d out of [0, 65535]", s.Version)
		}
		item(22, []byte{byte(s.Version >> 8), byte(s.Version)})
	}
	return dst, nil
}
