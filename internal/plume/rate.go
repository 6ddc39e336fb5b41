package plume

import "math"

// Gas constants pinned for the ppm·m → kg/m² conversion. An enhancement of
// 1 ppm·m is a layer 1 m thick of gas at 1 ppm (mole fraction 10⁻⁶) of air
// at the reference conditions below, so its mass per unit area is
//
//	10⁻⁶ · n₀ · M   kg/m²,   n₀ = P₀/(R·T₀) = 44.615 mol/m³
//
// with M the gas's molar mass in kg/mol. The reference is the standard
// temperature and pressure (0 °C, 1 atm) at which column enhancements in
// ppm·m are conventionally converted for integrated-mass-enhancement
// rates. Other conditions scale the constant by (P/P₀)(T₀/T): at 15 °C it
// is 5.2 % smaller.
const (
	ReferenceTemperatureK = 273.15      // T₀, K
	ReferencePressurePa   = 101325.0    // P₀, Pa
	GasConstant           = 8.314462618 // R, J mol⁻¹ K⁻¹ (CODATA 2018, exact)
	MolarMassCH4          = 16.04       // g/mol, methane
	airMolarDensity       = ReferencePressurePa / (GasConstant * ReferenceTemperatureK)
	ppm                   = 1e-6
	gramsPerKilogram      = 1000.0
	secondsPerHour        = 3600.0
)

// KgPerM2PerPPMm is the mass per unit area, in kg/m², of 1 ppm·m of
// methane: 7.156e-7 kg m⁻² (ppm·m)⁻¹ (see the constants above).
const KgPerM2PerPPMm = ppm * airMolarDensity * MolarMassCH4 / gramsPerKilogram

// KgPerM2PerPPMmFor returns the ppm·m → kg/m² constant for a gas of molar
// mass molarMass, in g/mol.
func KgPerM2PerPPMmFor(molarMass float64) float64 {
	return ppm * airMolarDensity * molarMass / gramsPerKilogram
}

// Calibration of the effective wind speed for the integrated mass
// enhancement with L = sqrt(plume area): U_eff = UeffSlope·U10 + UeffOffset.
// The values are those fitted to large-eddy simulations of methane plumes
// in "High-frequency monitoring of anomalous methane point
// sources with multispectral Sentinel-2 satellite observations", Atmos.
// Meas. Tech. 14, 2771–2785 (2021), https://doi.org/10.5194/amt-14-2771-2021,
// following the method of "Quantifying methane point sources
// from fine-scale satellite observations of atmospheric methane plumes",
// Atmos. Meas. Tech. 11, 5673–5686 (2018),
// https://doi.org/10.5194/amt-11-5673-2018. They are a documented default,
// not a law: another sensor or mask rule deserves its own fit (see
// Options.UeffSlope).
const (
	UeffSlope  = 0.33 // dimensionless
	UeffOffset = 0.45 // m/s
)

// Ueff returns the effective wind speed, in m/s, for a 10 m wind speed u10
// in m/s: UeffSlope·u10 + UeffOffset.
func Ueff(u10 float64) float64 { return UeffSlope*u10 + UeffOffset }

// rate returns Q = U·IME/L in kg/h for U in m/s, IME in kg and L in m.
func rate(u, ime, l float64) float64 {
	if !(l > 0) {
		return math.NaN()
	}
	return u * ime / l * secondsPerHour
}
