package envi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Sentinel errors, for errors.Is. Every error the package returns for bad
// input wraps one of them and names the file and the field (and the line,
// for header syntax).
var (
	// ErrSyntax reports a header that is not ENVI header text: a missing
	// "ENVI" signature, a line that is not "field = value", an unclosed
	// brace, a value of the wrong form for its field.
	ErrSyntax = errors.New("envi: bad header syntax")
	// ErrUnsupported reports a valid ENVI header that this package cannot
	// read: complex data types, unknown data types or interleaves,
	// wavelength units it cannot convert.
	ErrUnsupported = errors.New("envi: unsupported")
	// ErrMissing reports a required field that is absent.
	ErrMissing = errors.New("envi: missing field")
	// ErrSize reports a data file whose size disagrees with the header.
	ErrSize = errors.New("envi: data file size disagrees with header")
	// ErrClosed reports use of a Cube or Writer after Close.
	ErrClosed = errors.New("envi: closed")
)

// DataType is the ENVI "data type" code of the samples in a data file.
type DataType int

// The data types this package reads. Complex types (6, 9) are rejected.
const (
	Uint8   DataType = 1
	Int16   DataType = 2
	Int32   DataType = 3
	Float32 DataType = 4
	Float64 DataType = 5
	Uint16  DataType = 12
	Uint32  DataType = 13
	Int64   DataType = 14
	Uint64  DataType = 15
)

// Size returns the number of bytes of one sample of type t, or 0 for a
// type this package does not read.
func (t DataType) Size() int {
	switch t {
	case Uint8:
		return 1
	case Int16, Uint16:
		return 2
	case Int32, Uint32, Float32:
		return 4
	case Int64, Uint64, Float64:
		return 8
	}
	return 0
}

// String returns the Go name of the type ("int16"), or "code N".
func (t DataType) String() string {
	switch t {
	case Uint8:
		return "uint8"
	case Int16:
		return "int16"
	case Int32:
		return "int32"
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Uint16:
		return "uint16"
	case Uint32:
		return "uint32"
	case Int64:
		return "int64"
	case Uint64:
		return "uint64"
	}
	return "code " + strconv.Itoa(int(t))
}

// Interleave is the order of samples, lines and bands in a data file.
type Interleave int

// The three ENVI interleaves. BSQ is band-sequential (band, line, sample),
// BIL band-interleaved by line (line, band, sample), BIP
// band-interleaved by pixel (line, sample, band), slowest index first.
const (
	BSQ Interleave = iota
	BIL
	BIP
)

// String returns "bsq", "bil" or "bip", as written in a header.
func (i Interleave) String() string {
	switch i {
	case BSQ:
		return "bsq"
	case BIL:
		return "bil"
	case BIP:
		return "bip"
	}
	return "interleave(" + strconv.Itoa(int(i)) + ")"
}

// Limits on what a header may declare, so that no length field can make
// the package allocate without bound. A cube larger than these is not an
// imaging-spectrometer cube.
const (
	// MaxDim is the largest number of samples or lines.
	MaxDim = 1 << 24
	// MaxBands is the largest number of bands (imaging spectrometers have
	// a few hundred; per-band lists are allocated from it).
	MaxBands = 1 << 16
	// MaxBytes is the largest data size a header may declare (16 TiB).
	MaxBytes = 1 << 44
)

// Header is a parsed ENVI header. The zero value is not valid; get one from
// ParseHeader or ReadHeader, or fill one for Create. A Header is a plain
// value: it is safe to read concurrently and not to mutate concurrently.
type Header struct {
	// Samples, Lines and Bands are the cube's dimensions (columns across
	// track, rows along track, spectral channels).
	Samples, Lines, Bands int
	// HeaderOffset is the number of bytes to skip at the start of the data
	// file ("header offset").
	HeaderOffset int64
	// DataType is the sample type ("data type").
	DataType DataType
	// Interleave is the sample order ("interleave"); BSQ when absent.
	Interleave Interleave
	// BigEndian is true for "byte order = 1".
	BigEndian bool
	// Wavelength holds the band centres in nanometres, converted from the
	// header's "wavelength units" (micrometres ×1000, millimetres ×1e6,
	// wavenumber cm⁻¹ → 1e7/ν). When the units are absent or "Unknown",
	// values all below 100 are taken as micrometres and others as
	// nanometres (no imaging spectrometer has a band centre below 100 nm
	// or above 100 µm). Nil when the header has no "wavelength".
	Wavelength []float64
	// FWHM holds the band widths in nanometres, with the same conversion
	// as Wavelength (for wavenumbers, the width of the interval around
	// the centre). Nil when the header has no "fwhm".
	FWHM []float64
	// HasIgnore is true when the header has "data ignore value".
	HasIgnore bool
	// IgnoreValue is the "data ignore value": samples equal to it are
	// no-data.
	IgnoreValue float64
	// ScaleFactor holds per-band multipliers from stored values to
	// physical values (physical = stored × ScaleFactor[b] + ScaleOffset[b]).
	// It comes from "data gain values" when present, else from
	// "reflectance scale factor" F as 1/F for every band (ENVI stores
	// reflectance × F). Nil when the header has neither. ReadBlock never
	// applies it.
	ScaleFactor []float64
	// ScaleOffset holds per-band offsets ("data offset values"); nil when
	// absent.
	ScaleOffset []float64
	// MapInfo is the parsed "map info", nil when absent.
	MapInfo *MapInfo
	// BandNames holds "band names", nil when absent.
	BandNames []string
	// Description is the text of "description", braces removed.
	Description string
	// Extra holds every other field by its lower-case name, its value
	// verbatim (braces kept, lines joined by newlines).
	Extra map[string]string
}

// RequireWavelengths returns an error naming the "wavelength" field when
// the header has no wavelengths, one per band.
func (h *Header) RequireWavelengths() error {
	if len(h.Wavelength) == 0 {
		return fmt.Errorf("%w: field \"wavelength\": the header gives no band wavelengths (needed to resample the target spectrum)", ErrMissing)
	}
	if len(h.Wavelength) != h.Bands {
		return fmt.Errorf("%w: field \"wavelength\": %d values for %d bands", ErrSyntax, len(h.Wavelength), h.Bands)
	}
	return nil
}

// RequireFWHM returns an error naming the "fwhm" field when the header has
// no band widths, one per band.
func (h *Header) RequireFWHM() error {
	if len(h.FWHM) == 0 {
		return fmt.Errorf("%w: field \"fwhm\": the header gives no band widths", ErrMissing)
	}
	if len(h.FWHM) != h.Bands {
		return fmt.Errorf("%w: field \"fwhm\": %d values for %d bands", ErrSyntax, len(h.FWHM), h.Bands)
	}
	return nil
}

// DataSize returns the number of bytes the data file must hold: header
// offset plus samples × lines × bands × the sample size.
func (h *Header) DataSize() int64 {
	return h.HeaderOffset + int64(h.Samples)*int64(h.Lines)*int64(h.Bands)*int64(h.DataType.Size())
}

// ReadHeader opens and parses the ENVI header at path.
func ReadHeader(path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseHeader(f, path)
}

// maxHeaderBytes bounds the header text read (a 1000-band header with
// wavelength, fwhm, gains and band names is under 100 KiB).
const maxHeaderBytes = 64 << 20

// field is one "name = value" entry of a header.
type field struct {
	name  string // lower case, inner spaces collapsed
	value string // trimmed; braces kept
	line  int    // 1-based line of the name
}

// ParseHeader parses ENVI header text from r. name is used in errors (the
// file's path). Errors name the file, the line and the field, and wrap
// ErrSyntax, ErrMissing or ErrUnsupported.
func ParseHeader(r io.Reader, name string) (*Header, error) {
	fields, err := scanFields(io.LimitReader(r, maxHeaderBytes), name)
	if err != nil {
		return nil, err
	}
	return buildHeader(fields, name)
}

// scanFields splits header text into fields. A value that opens a brace
// runs to the matching closing brace, across lines.
func scanFields(r io.Reader, name string) ([]field, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxHeaderBytes)
	sc.Split(scanLines)
	lineNo := 0
	sawSig := false
	var fields []field
	var open *field // a brace value still open
	var sb strings.Builder
	for sc.Scan() {
		lineNo++
		text := sc.Text()
		if lineNo == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if open != nil {
			sb.WriteByte('\n')
			sb.WriteString(text)
			if strings.Contains(text, "}") {
				open.value = strings.TrimSpace(sb.String())
				if err := checkBraces(open, name); err != nil {
					return nil, err
				}
				fields = append(fields, *open)
				open = nil
				sb.Reset()
			}
			continue
		}
		t := strings.TrimSpace(text)
		if !sawSig {
			if t == "" {
				continue
			}
			if !strings.EqualFold(t, "ENVI") {
				return nil, fmt.Errorf("%w: %s: line %d: first line is %q, not the signature \"ENVI\"", ErrSyntax, name, lineNo, clip(t))
			}
			sawSig = true
			continue
		}
		if t == "" || strings.HasPrefix(t, ";") {
			continue
		}
		eq := strings.IndexByte(t, '=')
		if eq < 0 {
			return nil, fmt.Errorf("%w: %s: line %d: %q is not \"field = value\"", ErrSyntax, name, lineNo, clip(t))
		}
		f := field{name: normName(t[:eq]), value: strings.TrimSpace(t[eq+1:]), line: lineNo}
		if f.name == "" {
			return nil, fmt.Errorf("%w: %s: line %d: empty field name before '='", ErrSyntax, name, lineNo)
		}
		if strings.HasPrefix(f.value, "{") && !strings.Contains(f.value, "}") {
			open = &f
			sb.WriteString(f.value)
			continue
		}
		if err := checkBraces(&f, name); err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", name, lineNo+1, err)
	}
	if !sawSig {
		return nil, fmt.Errorf("%w: %s: empty header (no \"ENVI\" signature)", ErrSyntax, name)
	}
	if open != nil {
		return nil, fmt.Errorf("%w: %s: line %d: field %q: '{' never closed", ErrSyntax, name, open.line, open.name)
	}
	return fields, nil
}

// checkBraces rejects a value with text after its closing brace or a
// closing brace without an opening one.
func checkBraces(f *field, name string) error {
	v := f.value
	if strings.HasPrefix(v, "{") {
		end := strings.IndexByte(v, '}')
		if rest := strings.TrimSpace(v[end+1:]); rest != "" {
			return fmt.Errorf("%w: %s: line %d: field %q: text %q after '}'", ErrSyntax, name, f.line, f.name, clip(rest))
		}
		return nil
	}
	if strings.Contains(v, "}") {
		return fmt.Errorf("%w: %s: line %d: field %q: '}' without '{'", ErrSyntax, name, f.line, f.name)
	}
	return nil
}

// scanLines is bufio.ScanLines that also ends a line at a lone '\r'.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, trimCR(data[:i]), nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need more data to see if '\n' follows
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// normName lower-cases a field name and collapses runs of blanks.
func normName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// clip shortens text quoted in an error.
func clip(s string) string {
	const max = 60
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// buildHeader interprets the fields.
func buildHeader(fields []field, name string) (*Header, error) {
	h := &Header{}
	byName := make(map[string]*field, len(fields))
	for i := range fields {
		f := &fields[i]
		byName[f.name] = f // a repeated field: the last one wins, as in ENVI
	}
	intField := func(key string, required bool, lo, hi int64) (int64, bool, error) {
		f, ok := byName[key]
		if !ok {
			if required {
				return 0, false, fmt.Errorf("%w: %s: field %q is required", ErrMissing, name, key)
			}
			return 0, false, nil
		}
		v, err := strconv.ParseInt(strings.TrimSpace(f.value), 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("%w: %s: line %d: field %q: %q is not an integer", ErrSyntax, name, f.line, key, clip(f.value))
		}
		if v < lo || v > hi {
			return 0, false, fmt.Errorf("%w: %s: line %d: field %q: %d outside [%d, %d]", ErrSyntax, name, f.line, key, v, lo, hi)
		}
		return v, true, nil
	}
	v, _, err := intField("samples", true, 1, MaxDim)
	if err != nil {
		return nil, err
	}
	h.Samples = int(v)
	if v, _, err = intField("lines", true, 1, MaxDim); err != nil {
		return nil, err
	}
	h.Lines = int(v)
	if v, _, err = intField("bands", true, 1, MaxBands); err != nil {
		return nil, err
	}
	h.Bands = int(v)
	if v, _, err = intField("header offset", false, 0, MaxBytes); err != nil {
		return nil, err
	}
	h.HeaderOffset = v
	if v, _, err = intField("data type", true, math.MinInt32, math.MaxInt32); err != nil {
		return nil, err
	}
	h.DataType = DataType(v)
	if h.DataType.Size() == 0 {
		f := byName["data type"]
		what := "unknown"
		if v == 6 || v == 9 {
			what = "complex"
		}
		return nil, fmt.Errorf("%w: %s: line %d: field \"data type\": %s data type %d (supported: 1, 2, 3, 4, 5, 12, 13, 14, 15)", ErrUnsupported, name, f.line, what, v)
	}
	if float64(h.Samples)*float64(h.Lines)*float64(h.Bands)*float64(h.DataType.Size()) > MaxBytes {
		return nil, fmt.Errorf("%w: %s: fields \"samples\", \"lines\", \"bands\", \"data type\": %d × %d × %d × %d bytes is more than %d", ErrUnsupported, name, h.Samples, h.Lines, h.Bands, h.DataType.Size(), int64(MaxBytes))
	}
	if v, ok, err := intField("byte order", false, 0, 1); err != nil {
		return nil, err
	} else if ok {
		h.BigEndian = v == 1
	}
	if f, ok := byName["interleave"]; ok {
		switch strings.ToLower(strings.TrimSpace(f.value)) {
		case "bsq":
			h.Interleave = BSQ
		case "bil":
			h.Interleave = BIL
		case "bip":
			h.Interleave = BIP
		default:
			return nil, fmt.Errorf("%w: %s: line %d: field \"interleave\": %q is not bsq, bil or bip", ErrUnsupported, name, f.line, clip(f.value))
		}
	}

	// Spectral fields.
	scale, err := wavelengthScale(byName, name)
	if err != nil {
		return nil, err
	}
	// A spectral library holds one spectrum per line, its channels along
	// the samples.
	perChannel := h.Bands
	if ft, ok := byName["file type"]; ok && strings.Contains(strings.ToLower(ft.value), "spectral library") {
		perChannel = h.Samples
	}
	if f, ok := byName["wavelength"]; ok {
		if h.Wavelength, err = floatList(f, name, perChannel); err != nil {
			return nil, err
		}
	}
	if f, ok := byName["fwhm"]; ok {
		if h.FWHM, err = floatList(f, name, perChannel); err != nil {
			return nil, err
		}
	}
	if scale == scaleGuess && len(h.Wavelength) > 0 {
		scale = 1
		if maxAbs(h.Wavelength) < 100 {
			scale = 1000
		}
	}
	switch {
	case scale == scaleWavenumber:
		// Band centre ν (cm⁻¹) → λ = 1e7/ν nm; a width Δν → the width
		// of [1e7/(ν+Δν/2), 1e7/(ν−Δν/2)].
		for i, wn := range h.Wavelength {
			if wn <= 0 {
				f := byName["wavelength"]
				return nil, fmt.Errorf("%w: %s: line %d: field \"wavelength\": wavenumber %g is not positive", ErrSyntax, name, f.line, wn)
			}
			if i < len(h.FWHM) {
				d := h.FWHM[i] / 2
				if wn-d > 0 {
					h.FWHM[i] = 1e7/(wn-d) - 1e7/(wn+d)
				}
			}
			h.Wavelength[i] = 1e7 / wn
		}
	case scale > 0:
		for i := range h.Wavelength {
			h.Wavelength[i] *= scale
		}
		for i := range h.FWHM {
			h.FWHM[i] *= scale
		}
	}

	if f, ok := byName["data ignore value"]; ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(f.value), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: line %d: field \"data ignore value\": %q is not a number", ErrSyntax, name, f.line, clip(f.value))
		}
		h.HasIgnore, h.IgnoreValue = true, x
	}
	if f, ok := byName["data gain values"]; ok {
		if h.ScaleFactor, err = floatList(f, name, h.Bands); err != nil {
			return nil, err
		}
	} else if f, ok := byName["reflectance scale factor"]; ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(f.value), 64)
		if err != nil || x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%w: %s: line %d: field \"reflectance scale factor\": %q is not a non-zero number", ErrSyntax, name, f.line, clip(f.value))
		}
		h.ScaleFactor = make([]float64, h.Bands)
		for i := range h.ScaleFactor {
			h.ScaleFactor[i] = 1 / x
		}
	}
	if f, ok := byName["data offset values"]; ok {
		if h.ScaleOffset, err = floatList(f, name, h.Bands); err != nil {
			return nil, err
		}
	}
	if f, ok := byName["map info"]; ok {
		if h.MapInfo, err = parseMapInfo(f.value); err != nil {
			return nil, fmt.Errorf("%w: %s: line %d: field \"map info\": %v", ErrSyntax, name, f.line, err)
		}
	}
	if f, ok := byName["band names"]; ok {
		h.BandNames, err = stringList(f, name, h.Bands)
		if err != nil {
			return nil, err
		}
	}
	if f, ok := byName["description"]; ok {
		h.Description = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(f.value, "{"), "}"))
	}
	for _, f := range fields {
		if known[f.name] {
			continue
		}
		if h.Extra == nil {
			h.Extra = make(map[string]string)
		}
		h.Extra[f.name] = f.value
	}
	return h, nil
}

// known lists the fields Header holds in its own members; all others go
// to Extra. "wavelength units" is consumed (Wavelength is always in nm).
var known = map[string]bool{
	"samples": true, "lines": true, "bands": true, "header offset": true,
	"data type": true, "interleave": true, "byte order": true,
	"wavelength": true, "fwhm": true, "wavelength units": true,
	"data ignore value": true, "data gain values": true,
	"reflectance scale factor": true, "data offset values": true,
	"map info": true, "band names": true, "description": true,
}

const (
	scaleGuess      = 0
	scaleWavenumber = -1
)

// wavelengthScale returns the factor from the header's wavelength units to
// nanometres, scaleGuess when the units are absent or unknown, or
// scaleWavenumber.
func wavelengthScale(byName map[string]*field, name string) (float64, error) {
	f, ok := byName["wavelength units"]
	if !ok {
		return scaleGuess, nil
	}
	u := strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(f.value), "{}")))
	switch u {
	case "nanometers", "nanometres", "nanometer", "nanometre", "nm":
		return 1, nil
	case "micrometers", "micrometres", "micrometer", "micrometre", "microns", "micron", "um", "µm":
		return 1000, nil
	case "millimeters", "millimetres", "millimeter", "millimetre", "mm":
		return 1e6, nil
	case "wavenumber", "wavenumbers", "cm-1", "1/cm":
		return scaleWavenumber, nil
	case "", "unknown":
		return scaleGuess, nil
	}
	if _, hasWL := byName["wavelength"]; !hasWL {
		return 1, nil // units without wavelengths: nothing to convert
	}
	return 0, fmt.Errorf("%w: %s: line %d: field \"wavelength units\": cannot convert %q to nanometres", ErrUnsupported, name, f.line, clip(f.value))
}

// listItems splits a brace list "{a, b, c}" into trimmed items. A value
// without braces is one item.
func listItems(v string) []string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") {
		v = strings.TrimPrefix(v, "{")
		if i := strings.LastIndexByte(v, '}'); i >= 0 {
			v = v[:i]
		}
	}
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// floatList parses a list of want numbers.
func floatList(f *field, name string, want int) ([]float64, error) {
	items := listItems(f.value)
	if len(items) != want {
		return nil, fmt.Errorf("%w: %s: line %d: field %q: %d values for %d bands", ErrSyntax, name, f.line, f.name, len(items), want)
	}
	out := make([]float64, len(items))
	for i, s := range items {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %s: line %d: field %q: item %d, %q, is not a finite number", ErrSyntax, name, f.line, f.name, i+1, clip(s))
		}
		out[i] = x
	}
	return out, nil
}

// stringList parses a list of want names.
func stringList(f *field, name string, want int) ([]string, error) {
	items := listItems(f.value)
	if len(items) != want {
		return nil, fmt.Errorf("%w: %s: line %d: field %q: %d names for %d bands", ErrSyntax, name, f.line, f.name, len(items), want)
	}
	return items, nil
}

func maxAbs(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// WriteTo writes h as ENVI header text. Wavelength and FWHM are written in
// nanometres with "wavelength units = Nanometers"; ScaleFactor as "data
// gain values"; Extra fields last, sorted by name. It implements
// io.WriterTo.
func (h *Header) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	b.WriteString("ENVI\n")
	if h.Description != "" {
		fmt.Fprintf(&b, "description = {%s}\n", strings.ReplaceAll(h.Description, "}", ")"))
	}
	fmt.Fprintf(&b, "samples = %d\nlines = %d\nbands = %d\nheader offset = %d\n", h.Samples, h.Lines, h.Bands, h.HeaderOffset)
	ft := h.Extra["file type"]
	if ft == "" {
		ft = "ENVI Standard"
	}
	fmt.Fprintf(&b, "file type = %s\n", ft)
	fmt.Fprintf(&b, "data type = %d\ninterleave = %s\n", int(h.DataType), h.Interleave)
	order := 0
	if h.BigEndian {
		order = 1
	}
	fmt.Fprintf(&b, "byte order = %d\n", order)
	if h.MapInfo != nil {
		fmt.Fprintf(&b, "map info = %s\n", h.MapInfo.String())
	}
	if h.HasIgnore {
		fmt.Fprintf(&b, "data ignore value = %s\n", fmtFloat(h.IgnoreValue))
	}
	if len(h.Wavelength) > 0 {
		b.WriteString("wavelength units = Nanometers\n")
		writeList(&b, "wavelength", h.Wavelength)
	}
	if len(h.FWHM) > 0 {
		writeList(&b, "fwhm", h.FWHM)
	}
	if len(h.ScaleFactor) > 0 {
		writeList(&b, "data gain values", h.ScaleFactor)
	}
	if len(h.ScaleOffset) > 0 {
		writeList(&b, "data offset values", h.ScaleOffset)
	}
	if len(h.BandNames) > 0 {
		b.WriteString("band names = {")
		for i, s := range h.BandNames {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strings.NewReplacer(",", ";", "}", ")", "{", "(", "\n", " ").Replace(s))
		}
		b.WriteString("}\n")
	}
	keys := make([]string, 0, len(h.Extra))
	for k := range h.Extra {
		if !known[k] && k != "file type" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, h.Extra[k])
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func writeList(b *strings.Builder, key string, xs []float64) {
	b.WriteString(key)
	b.WriteString(" = {")
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(fmtFloat(x))
	}
	b.WriteString("}\n")
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
