package spectral

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ErrTarget is returned (wrapped, with the file name and line) for a target
// spectrum that cannot be parsed or is unusable.
var ErrTarget = errors.New("bad target spectrum")

// maxTargetRows bounds the rows ParseTarget accepts, so that no input can
// make it allocate without limit.
const maxTargetRows = 1 << 20

// Target is a gas's unit-absorption spectrum: for each wavelength, the
// natural-log absorbance of one ppm·m of enhancement, so that radiance under
// an enhancement α (ppm·m) is L = L₀·exp(−Absorption·α) (Beer–Lambert). This
// is the convention of mag1c and emit-ghg: the absorbance is the two-way
// (sun → ground → sensor) effect of a vertical column enhancement, so the
// air-mass factor of the geometry the spectrum was computed for is built in.
//
// Wavelength is strictly increasing, in nm. Weight, when not nil, is a
// reference radiance (any unit, relative) at the same wavelengths that
// Resample uses to weight the absorbance within each band's response; nil
// means uniform weight. A Target is immutable after construction and safe
// for concurrent use.
type Target struct {
	Name       string
	Wavelength []float64 // nm, strictly increasing
	Absorption []float64 // per ppm·m, natural-log absorbance
	Weight     []float64 // relative reference radiance, or nil
}

//go:embed data/methane.csv
var methaneCSV []byte

// Methane returns the default methane target, embedded in the binary:
// 1400–2520 nm every 0.5 nm, derived from the MODTRAN radiance look-up table
// shipped with mag1c (github.com/markusfoote/mag1c, BSD 3-Clause; see
// docs/FORMATS.md for the derivation). Each call returns a fresh copy the
// caller owns.
func Methane() *Target {
	t, err := ParseTarget(bytes.NewReader(methaneCSV), "methane.csv")
	if err != nil {
		panic("spectral: embedded methane target: " + err.Error())
	}
	t.Name = "CH4"
	return t
}

// ParseTarget reads a target CSV: one row per wavelength, the fields
// wavelength_nm, absorption_per_ppm_m and optionally a third, weight (a
// relative reference radiance). Blank lines and lines starting with '#' are
// skipped; a first row whose first field is not a number is a header.
// Wavelengths must be strictly increasing and positive, absorption finite,
// weight finite and non-negative. Errors wrap ErrTarget and name the file
// (name) and line.
func ParseTarget(r io.Reader, name string) (*Target, error) {
	t := &Target{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	lineNo := 0
	rows := 0
	withWeight := -1 // unknown until the first data row
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if rows == 0 && len(t.Wavelength) == 0 {
			if _, err := strconv.ParseFloat(fields[0], 64); err != nil {
				rows = -1 // header seen
				continue
			}
		}
		if len(fields) != 2 && len(fields) != 3 {
			return nil, fmt.Errorf("%s: line %d: %d fields, want 2 or 3 (wavelength_nm,absorption_per_ppm_m[,weight]): %w", name, lineNo, len(fields), ErrTarget)
		}
		if withWeight < 0 {
			withWeight = 0
			if len(fields) == 3 {
				withWeight = 1
			}
		} else if (len(fields) == 3) != (withWeight == 1) {
			return nil, fmt.Errorf("%s: line %d: %d fields, earlier rows had %d: %w", name, lineNo, len(fields), 2+withWeight, ErrTarget)
		}
		if len(t.Wavelength) >= maxTargetRows {
			return nil, fmt.Errorf("%s: line %d: more than %d rows: %w", name, lineNo, maxTargetRows, ErrTarget)
		}
		wl, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || math.IsNaN(wl) || math.IsInf(wl, 0) || wl <= 0 {
			return nil, fmt.Errorf("%s: line %d: field wavelength_nm %q is not a positive number: %w", name, lineNo, fields[0], ErrTarget)
		}
		ab, err := strconv.ParseFloat(fields[1], 64)
		if err != nil || math.IsNaN(ab) || math.IsInf(ab, 0) {
			return nil, fmt.Errorf("%s: line %d: field absorption_per_ppm_m %q is not a finite number: %w", name, lineNo, fields[1], ErrTarget)
		}
		if n := len(t.Wavelength); n > 0 && wl <= t.Wavelength[n-1] {
			return nil, fmt.Errorf("%s: line %d: wavelength %g nm not above the previous %g nm: %w", name, lineNo, wl, t.Wavelength[n-1], ErrTarget)
		}
		t.Wavelength = append(t.Wavelength, wl)
		t.Absorption = append(t.Absorption, ab)
		if withWeight == 1 {
			w, err := strconv.ParseFloat(fields[2], 64)
			if err != nil || math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				return nil, fmt.Errorf("%s: line %d: field weight %q is not a finite non-negative number: %w", name, lineNo, fields[2], ErrTarget)
			}
			t.Weight = append(t.Weight, w)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: line %d: %w", name, lineNo+1, err)
	}
	if len(t.Wavelength) < 2 {
		return nil, fmt.Errorf("%s: line %d: %d data rows, need at least 2: %w", name, lineNo, len(t.Wavelength), ErrTarget)
	}
	return t, nil
}

// fwhmToSigma converts a Gaussian's full width at half maximum to its
// standard deviation: σ = FWHM / (2·sqrt(2·ln 2)).
const fwhmToSigma = 1 / 2.3548200450309493

// Resample returns the target's absorption (per ppm·m) at each sensor band:
// band i has a Gaussian spectral response centred on wavelength[i] (nm) with
// full width at half maximum fwhm[i] (nm), and its absorption is the
// response- and weight-weighted mean of the target over ±4σ (trapezoidal
// in wavelength). A band whose response the target does not cover — its
// centre outside the target's range — gets NaN: the target says nothing
// there. wavelength and fwhm must have the same length, fwhm positive.
func (t *Target) Resample(wavelength, fwhm []float64) ([]float64, error) {
	if len(wavelength) != len(fwhm) {
		return nil, fmt.Errorf("resample %s: %d wavelengths but %d FWHM values: %w", t.Name, len(wavelength), len(fwhm), ErrTarget)
	}
	n := len(t.Wavelength)
	if n < 2 || len(t.Absorption) != n || (t.Weight != nil && len(t.Weight) != n) {
		return nil, fmt.Errorf("resample %s: inconsistent target arrays: %w", t.Name, ErrTarget)
	}
	out := make([]float64, len(wavelength))
	lo, hi := t.Wavelength[0], t.Wavelength[n-1]
	for b, c := range wavelength {
		f := fwhm[b]
		if math.IsNaN(c) || math.IsNaN(f) || f <= 0 || math.IsInf(f, 0) {
			return nil, fmt.Errorf("resample %s: band %d: bad centre %g nm or FWHM %g nm: %w", t.Name, b, c, f, ErrTarget)
		}
		if c < lo || c > hi {
			out[b] = math.NaN()
			continue
		}
		sig := f * fwhmToSigma
		i0 := sort.SearchFloat64s(t.Wavelength, c-4*sig)
		i1 := sort.SearchFloat64s(t.Wavelength, c+4*sig)
		if i1 >= n {
			i1 = n - 1
		}
		if i0 > 0 && i0 == i1 {
			i0--
		}
		var num, den float64
		for i := i0; i <= i1; i++ {
			dw := 0.0
			if i > 0 {
				dw += (t.Wavelength[i] - t.Wavelength[i-1]) / 2
			}
			if i < n-1 {
				dw += (t.Wavelength[i+1] - t.Wavelength[i]) / 2
			}
			d := t.Wavelength[i] - c
			g := math.Exp(-d*d/(2*sig*sig)) * dw
			if t.Weight != nil {
				g *= t.Weight[i]
			}
			num += g * t.Absorption[i]
			den += g
		}
		if den > 0 {
			out[b] = num / den
		} else {
			// The response is narrower than the target's sampling: take
			// the linear interpolation at the centre.
			j := sort.SearchFloat64s(t.Wavelength, c)
			if j == 0 {
				out[b] = t.Absorption[0]
			} else {
				u := (c - t.Wavelength[j-1]) / (t.Wavelength[j] - t.Wavelength[j-1])
				out[b] = (1-u)*t.Absorption[j-1] + u*t.Absorption[j]
			}
		}
	}
	return out, nil
}
