package spectral

import (
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestMethane(t *testing.T) {
	m := Methane()
	if m.Name != "CH4" || len(m.Wavelength) != 2241 || m.Wavelength[0] != 1400 || m.Wavelength[2240] != 2520 {
		t.Fatalf("methane: %s, %d rows %g–%g nm", m.Name, len(m.Wavelength), m.Wavelength[0], m.Wavelength[len(m.Wavelength)-1])
	}
	if len(m.Weight) != len(m.Wavelength) {
		t.Fatalf("methane: %d weights", len(m.Weight))
	}
	if lo, hi := m.MainBand(); lo != 2100 || hi != 2500 {
		t.Errorf("methane main band %g–%g nm", lo, hi)
	}
	// AVIRIS-NG-like bands: 5 nm spacing, 6 nm FWHM. The strong methane
	// features near 2300–2370 nm absorb about 1e-5 per ppm·m (mag1c's
	// target, which scales by 1e5, peaks near 1.5 there); 2100 nm is
	// nearly transparent; the 1650 nm band is present and weaker.
	var wl, fw []float64
	for w := 1600.0; w <= 2500; w += 5 {
		wl = append(wl, w)
		fw = append(fw, 6)
	}
	tb, err := m.Resample(wl, fw)
	if err != nil {
		t.Fatal(err)
	}
	at := func(nm float64) float64 { return tb[int((nm-1600)/5)] }
	peak := 0.0
	for i, w := range wl {
		if w >= 2200 && tb[i] > peak {
			peak = tb[i]
		}
	}
	if peak < 1e-5 || peak > 3e-5 {
		t.Errorf("peak absorption 2200–2500 nm %.3g per ppm·m, want 1e-5…3e-5", peak)
	}
	if a := at(2100); a > 0.01*peak {
		t.Errorf("2100 nm absorption %.3g, want < 1%% of the peak", a)
	}
	p16 := 0.0
	for i, w := range wl {
		if w >= 1620 && w <= 1700 && tb[i] > p16 {
			p16 = tb[i]
		}
	}
	if p16 < 0.05*peak || p16 > 0.8*peak {
		t.Errorf("1.65 µm band peak %.3g vs 2.3 µm %.3g", p16, peak)
	}
	for i, v := range tb {
		if math.IsNaN(v) || v < -1e-9 {
			t.Errorf("band %g nm: absorption %g", wl[i], v)
		}
	}
	// Outside the spectrum: NaN, not an error.
	out, err := m.Resample([]float64{1000, 2300, 2600}, []float64{6, 6, 6})
	if err != nil || !math.IsNaN(out[0]) || math.IsNaN(out[1]) || !math.IsNaN(out[2]) {
		t.Errorf("outside the range: %v, %v", out, err)
	}
}

func TestResampleWeights(t *testing.T) {
	// A two-level spectrum: absorption 1 below 2000 nm, 3 above; weight
	// 1 below, 0 above. A band centred on 2000 nm sees only the left side.
	var b strings.Builder
	for w := 1990.0; w <= 2010; w += 0.5 {
		a, wt := 1.0, 1.0
		if w > 2000 {
			a, wt = 3, 0
		}
		for i, v := range []float64{w, a, wt} {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	tg, err := ParseTarget(strings.NewReader(b.String()), "step.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tg.Resample([]float64{2000}, []float64{4})
	if err != nil || math.Abs(got[0]-1) > 1e-12 {
		t.Errorf("weighted: %v %v, want 1", got, err)
	}
	tg.Weight = nil
	got, _ = tg.Resample([]float64{2000}, []float64{4})
	if !(got[0] > 1.8 && got[0] < 2.2) {
		t.Errorf("unweighted: %v, want about 2", got)
	}
	if _, err := tg.Resample([]float64{2000}, []float64{0}); !errors.Is(err, ErrTarget) {
		t.Errorf("zero FWHM: %v", err)
	}
	if _, err := tg.Resample([]float64{2000, 2001}, []float64{1}); !errors.Is(err, ErrTarget) {
		t.Errorf("length mismatch: %v", err)
	}
}

func TestParseTargetErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no rows", "wavelength_nm,absorption_per_ppm_m\n", "x.csv: line 1: 0 data rows"},
		{"one row", "2300,1e-5\n", "need at least 2"},
		{"fields", "2300,1e-5\n2301\n", "x.csv: line 2: 1 fields"},
		{"mixed", "2300,1e-5,1\n2301,1e-5\n", "x.csv: line 2: 2 fields, earlier rows had 3"},
		{"order", "2300,1e-5\n2300,2e-5\n", "x.csv: line 2: wavelength 2300 nm not above the previous 2300 nm"},
		{"nan", "# c\n2300,NaN\n", "x.csv: line 2: field absorption_per_ppm_m \"NaN\""},
		{"neg wl", "-1,0\n", "x.csv: line 1: field wavelength_nm \"-1\""},
		{"neg weight", "2300,0,-1\n", "field weight \"-1\""},
		{"bad header later", "2300,0\nwave,abs\n", "x.csv: line 2: field wavelength_nm \"wave\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTarget(strings.NewReader(tc.in), "x.csv")
			if err == nil || !errors.Is(err, ErrTarget) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want ErrTarget containing %q", err, tc.want)
			}
		})
	}
	tg, err := ParseTarget(strings.NewReader("\uFEFF# comment\n\nwl,abs\n 2300 , 1e-5 \n2301,2e-5\n"), "ok.csv")
	if err != nil || len(tg.Wavelength) != 2 || tg.Absorption[1] != 2e-5 || tg.Weight != nil {
		t.Errorf("good file: %+v %v", tg, err)
	}
}

func FuzzParseTarget(f *testing.F) {
	f.Add([]byte("wavelength_nm,absorption_per_ppm_m\n2300,1e-5\n2301,2e-5\n"), 10)
	f.Add([]byte("2300,1e-5,1\n2301,2e-5,0.5\n2302,0,0\n"), 3)
	f.Add(methaneCSV[:2000], 700)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		// The reader hands the parser the input in two pieces, split at an
		// arbitrary point.
		if split < 0 {
			split = -split
		}
		if len(data) > 0 {
			split %= len(data) + 1
		} else {
			split = 0
		}
		r := &splitReader{parts: [][]byte{data[:split], data[split:]}}
		tg, err := ParseTarget(r, "fuzz.csv")
		if err != nil {
			if !errors.Is(err, ErrTarget) && !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error without ErrTarget or the file name: %v", err)
			}
			return
		}
		for i := 1; i < len(tg.Wavelength); i++ {
			if !(tg.Wavelength[i] > tg.Wavelength[i-1]) {
				t.Fatalf("wavelengths not increasing at %d", i)
			}
		}
		out, err := tg.Resample([]float64{tg.Wavelength[0], 2300}, []float64{5, 5})
		if err != nil || len(out) != 2 {
			t.Fatalf("resample: %v", err)
		}
	})
}

type splitReader struct{ parts [][]byte }

func (r *splitReader) Read(p []byte) (int, error) {
	for len(r.parts) > 0 && len(r.parts[0]) == 0 {
		r.parts = r.parts[1:]
	}
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	return n, nil
}
