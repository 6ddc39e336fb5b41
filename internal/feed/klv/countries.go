package klv

import "fmt"

// CountryCodes is ST 0601 tag 122: the countries a flight involves, coded
// by CodingMethod (the ST 0102 country coding methods, e.g. 14 for GENC
// three-letter codes such as "USA" and "MEX"). Absent countries are "".
type CountryCodes struct {
	CodingMethod         uint64
	OverflightCountry    string // the country whose territory the platform is over
	OperatorCountry      string // the country operating the platform
	CountryOfManufacture string
}

// decodeCountryCodesPack reads tag 122, a pack of BER-length-prefixed
// elements: the coding method (BER-OID), then up to three country codes,
// trailing ones optional and empty ones zero-length.
func decodeCountryCodesPack(b []byte) (*CountryCodes, bool) {
	c := &CountryCodes{}
	for k := 0; len(b) > 0; k++ {
		n, ln := readBERLength(b)
		if ln <= 0 || n > len(b)-ln || k > 3 {
			return nil, false
		}
		v := b[ln : ln+n]
		b = b[ln+n:]
		switch k {
		case 0:
			m, mn := readBEROID(v, 8)
			if mn <= 0 || mn != len(v) {
				return nil, false
			}
			c.CodingMethod = m
		case 1:
			c.OverflightCountry = string(v)
		case 2:
			c.OperatorCountry = string(v)
		case 3:
			c.CountryOfManufacture = string(v)
		}
	}
	if c.CodingMethod == 0 && c.OverflightCountry == "" {
		return nil, false
	}
	return c, true
}

// appendCountryCodesPack appends c as tag 122's pack, leaving out trailing
// empty countries.
func appendCountryCodesPack(dst []byte, c *CountryCodes) ([]byte, error) {
	if c == nil || c.OverflightCountry == "" {
		return nil, fmt.Errorf("tag 122: an overflight country is required")
	}
	var m [10]byte
	method := appendBEROID(m[:0], c.CodingMethod)
	dst = appendBERLength(dst, len(method))
	dst = append(dst, method...)
	codes := []string{c.OverflightCountry, c.OperatorCountry, c.CountryOfManufacture}
	for len(codes) > 1 && codes[len(codes)-1] == "" {
		codes = codes[:len(codes)-1]
	}
	for _, s := range codes {
		dst = appendBERLength(dst, len(s))
		dst = append(dst, s...)
	}
	return dst, nil
}
