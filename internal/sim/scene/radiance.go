package scene

import "math"

// Physical constants and the radiometric model. Radiance is in the
// AVIRIS-NG unit, µW cm⁻² sr⁻¹ nm⁻¹; irradiance in µW cm⁻² nm⁻¹.
const (
	planckC1 = 1.191042972e-16 // 2hc², W m² sr⁻¹
	planckC2 = 1.438776877e-2  // hc/k, m K
	sunTempK = 5778.0          // effective solar temperature, K
	sunOmega = 2.1635e-5       // (R_sun / 1 AU)², dilution of the solar disc
	// wPerM2PerNmToMicroWPerCm2 converts W m⁻² nm⁻¹ to µW cm⁻² nm⁻¹.
	wPerM2PerNmToMicroWPerCm2 = 100
	// BackgroundCH4 is the background methane column applied to every
	// pixel, as an equivalent enhancement in ppm·m of the target spectrum
	// (1.9 ppm over an 8 km scale height).
	BackgroundCH4 = 15200.0
	fineStep      = 0.5 // nm, the grid on which the atmosphere is built before band convolution
	fineFirst     = 300.0
	fineLast      = 2700.0
)

// planck returns the spectral radiance of a black body at temperature t
// (K) and wavelength l (nm), in µW cm⁻² sr⁻¹ nm⁻¹.
func planck(l, t float64) float64 {
	m := l * 1e-9
	b := planckC1 / (m * m * m * m * m) / math.Expm1(planckC2/(m*t)) // W m⁻² sr⁻¹ m⁻¹
	return b * 1e-9 * wPerM2PerNmToMicroWPerCm2
}

// solarIrradiance returns the top-of-atmosphere solar irradiance at 1 AU
// (µW cm⁻² nm⁻¹) at l nm: a 5778 K black body diluted by the solar disc,
// with the strongest Fraunhofer lines (Ca II H and K, Hβ, Mg b, Hα, the
// Ca II triplet) as narrow dips.
func solarIrradiance(l float64) float64 {
	e := math.Pi * planck(l, sunTempK) * sunOmega
	f := 1 - 0.5*gauss(l, 393.4, 0.8) - 0.5*gauss(l, 396.8, 0.8) - 0.3*gauss(l, 486.1, 0.6) -
		0.25*gauss(l, 517.5, 1.0) - 0.3*gauss(l, 656.3, 0.6) - 0.25*gauss(l, 854.2, 0.7) -
		0.25*gauss(l, 866.2, 0.7)
	return e * f
}

// gasDepth returns the vertical optical depth of the atmosphere's water
// vapour (about 2 cm precipitable), oxygen and carbon dioxide at l nm: the
// major bands as Gaussians at their positions (H₂O 0.72, 0.82, 0.94,
// 1.13, 1.38, 1.87, 2.7 µm; O₂ A band 0.76 µm; CO₂ 1.43, 1.58, 1.60, 2.01,
// 2.06 µm), their widths and depths chosen so that band-averaged
// transmission at 5 nm resolution looks like a MODTRAN mid-latitude
// summer path.
func gasDepth(l float64) float64 {
	h2o := 0.04*gauss(l, 723, 8) + 0.07*gauss(l, 822, 10) + 0.45*gauss(l, 937, 18) +
		0.65*gauss(l, 1135, 22) + 3.5*gauss(l, 1375, 40) + 4.5*gauss(l, 1870, 50) +
		0.12*gauss(l, 1450, 60) + 0.1*gauss(l, 1950, 80) + 6*sigmoid(l, 2580, 35)
	o2 := 1.2*gauss(l, 762, 2.5) + 0.25*gauss(l, 768, 3) + 0.08*gauss(l, 689, 3)
	co2 := 0.08*gauss(l, 1432, 7) + 0.05*gauss(l, 1575, 6) + 0.06*gauss(l, 1606, 6) +
		0.45*gauss(l, 2008, 8) + 0.35*gauss(l, 2060, 9)
	return h2o + o2 + co2
}

// scatterDepth returns the Rayleigh (Bucholtz 1995 fit) and aerosol
// (Ångström exponent 1.3, 0.12 at 550 nm) optical depths at l nm.
func scatterDepth(l float64) (rayleigh, aerosol float64) {
	u := l / 1000
	u2 := u * u
	rayleigh = 0.008569 / (u2 * u2) * (1 + 0.0113/u2 + 0.00013/(u2*u2))
	aerosol = 0.12 * math.Pow(l/550, -1.3)
	return rayleigh, aerosol
}

// atmosphere is the scene's radiometry on the fine grid: the radiance a
// unit-reflectance surface would send to the sensor (sun, two-way
// transmission), the path radiance, and the upward transmission (for the
// flare's own emission).
type atmosphere struct {
	wl        []float64 // fine grid, nm
	toSensor  []float64 // E₀ cos θ / π × T↓T↑ × T_CH4, µW cm⁻² sr⁻¹ nm⁻¹ per unit reflectance
	path      []float64 // path radiance, µW cm⁻² sr⁻¹ nm⁻¹
	up        []float64 // T↑ (nadir view)
	sunlitTOA []float64 // E₀ / π: the radiance of a white surface under a zenith sun without atmosphere
}

// newAtmosphere builds the radiometry for a solar zenith angle sza
// (degrees) and a methane absorption spectrum ch4 (per ppm·m, at l nm;
// nil for none).
func newAtmosphere(sza float64, ch4 func(l float64) float64) *atmosphere {
	n := int((fineLast-fineFirst)/fineStep) + 1
	a := &atmosphere{wl: make([]float64, n), toSensor: make([]float64, n), path: make([]float64, n), up: make([]float64, n), sunlitTOA: make([]float64, n)}
	mu := math.Cos(sza * math.Pi / 180)
	airmass := 1/mu + 1
	for i := range n {
		l := fineFirst + float64(i)*fineStep
		e0 := solarIrradiance(l)
		r, ae := scatterDepth(l)
		g := gasDepth(l)
		// Diffuse light scattered forward mostly reaches the ground: count
		// half the Rayleigh and a third of the aerosol depth as loss.
		tScat := math.Exp(-(0.5*r + 0.33*ae) * airmass)
		tGas := math.Exp(-g * airmass)
		tCH4 := 1.0
		if ch4 != nil {
			tCH4 = math.Exp(-ch4(l) * BackgroundCH4)
		}
		a.wl[i] = l
		a.toSensor[i] = e0 * mu / math.Pi * tScat * tGas * tCH4
		// Single scattering, nearly isotropic phase, gases absorbing on
		// the way in and half the way out.
		a.path[i] = e0 * mu / math.Pi * (0.08*r + 0.06*ae) * math.Exp(-g*(1/mu+0.5)) * math.Sqrt(tCH4)
		a.up[i] = math.Exp(-(0.5*r+0.33*ae)-g) * math.Sqrt(tCH4)
		a.sunlitTOA[i] = e0 / math.Pi
	}
	return a
}

// convolve returns the band average of x on the fine grid under a Gaussian
// spectral response centred at c nm with full width at half maximum fwhm.
func (a *atmosphere) convolve(x []float64, c, fwhm float64) float64 {
	sd := fwhm / (2 * math.Sqrt(2*math.Ln2))
	lo := int(math.Floor((c - 4*sd - fineFirst) / fineStep))
	hi := int(math.Ceil((c + 4*sd - fineFirst) / fineStep))
	lo = max(lo, 0)
	hi = min(hi, len(a.wl)-1)
	var s, w float64
	for i := lo; i <= hi; i++ {
		g := gauss(a.wl[i], c, sd)
		s += g * x[i]
		w += g
	}
	if w == 0 {
		return 0
	}
	return s / w
}

// quantumEfficiency is the sensor's relative response at l nm: a HgCdTe
// focal plane (as AVIRIS-NG's) flat from 0.45 to 2.4 µm, falling at both
// ends.
func quantumEfficiency(l float64) float64 {
	return 0.05 + 0.75*sigmoid(l, 420, 18)*(1-sigmoid(l, 2475, 25))
}
