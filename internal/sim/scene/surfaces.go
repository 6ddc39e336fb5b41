package scene

import "math"

// Surface is a ground cover class of the simulated background.
type Surface int

// The surface classes. Calcite, Dolomite and Roof are the spectral
// confusers: they absorb near 2.3 µm, where methane does.
const (
	Soil       Surface = iota // bare agricultural soil, a weak clay (Al-OH) feature at 2.2 µm
	Vegetation                // green crops: red edge, leaf-water bands
	Asphalt                   // roads: dark, hydrocarbon bands at 1.73 and 2.31 µm
	Water                     // rivers, ponds: dark past 0.8 µm
	Calcite                   // carbonate outcrop or quarry: CO3 band at 2.34 µm
	Dolomite                  // dolomitic rock: CO3 band at 2.32 µm
	Roof                      // plastic and bitumen roofs: hydrocarbon bands at 1.73, 2.31, 2.35 µm
	Clay                      // kaolinitic clay: Al-OH doublet at 2.165 and 2.205 µm
	numSurfaces
)

var surfaceNames = [numSurfaces]string{"soil", "vegetation", "asphalt", "water", "calcite", "dolomite", "roof", "clay"}

// String returns the surface's lower-case name.
func (s Surface) String() string {
	if s < 0 || s >= numSurfaces {
		return "surface?"
	}
	return surfaceNames[s]
}

// gauss is a Gaussian bump of unit height centred at c nm with standard
// deviation w nm.
func gauss(l, c, w float64) float64 {
	d := (l - c) / w
	return math.Exp(-0.5 * d * d)
}

// sigmoid rises from 0 to 1 around c nm over about w nm.
func sigmoid(l, c, w float64) float64 { return 1 / (1 + math.Exp(-(l-c)/w)) }

// Reflectance returns the surface's hemispherical reflectance (0–1) at
// wavelength l in nanometres: a parametric shape with the class's main
// absorption features at their published positions (USGS Spectral
// Library version 7 for the minerals, PROSPECT-like leaf water bands for
// vegetation), smooth enough to be evaluated at band centres.
func (s Surface) Reflectance(l float64) float64 {
	switch s {
	case Soil:
		r := 0.07 + 0.26*(1-math.Exp(-(l-350)/450))
		r -= 0.04*math.Max(0, (l-1800)/700) + 0.0
		r *= 1 - 0.08*gauss(l, 1415, 18) - 0.12*gauss(l, 1915, 25) - 0.05*gauss(l, 2205, 22)
		return r
	case Vegetation:
		vis := 0.035 + 0.05*gauss(l, 555, 30) - 0.015*gauss(l, 675, 20)
		nir := 0.47 * sigmoid(l, 718, 14)
		// leaf water: optical depth of a ~0.02 cm water film
		tw := 0.02*gauss(l, 975, 25) + 0.06*gauss(l, 1195, 30) + 0.9*gauss(l, 1455, 55) +
			1.6*gauss(l, 1940, 65) + 0.6*sigmoid(l, 2450, 60)
		swir := 1 - 0.2*math.Max(0, (l-1300)/1200) + 0.0
		return vis + nir*math.Exp(-tw)*swir*(1-0.04*gauss(l, 2100, 60)-0.03*gauss(l, 2300, 50))
	case Asphalt:
		r := 0.05 + 0.09*(l-400)/2100
		return r * (1 - 0.06*gauss(l, 1730, 15) - 0.08*gauss(l, 2310, 14) - 0.05*gauss(l, 2350, 14))
	case Water:
		return 0.004 + 0.05*math.Exp(-(l-400)/150)*sigmoid(-l, -750, 20)
	case Calcite:
		r := 0.48 + 0.12*sigmoid(l, 520, 60) - 0.03*(l-1000)/1500
		return r * (1 - 0.30*gauss(l, 2340, 28) - 0.07*gauss(l, 2160, 20) - 0.05*gauss(l, 1995, 20) -
			0.04*gauss(l, 1875, 20) - 0.2*sigmoid(l, 2500, 15))
	case Dolomite:
		r := 0.40 + 0.14*sigmoid(l, 520, 60) - 0.02*(l-1000)/1500
		return r * (1 - 0.26*gauss(l, 2318, 26) - 0.06*gauss(l, 2140, 20) - 0.05*gauss(l, 1980, 20) -
			0.15*sigmoid(l, 2500, 15))
	case Roof:
		r := 0.22 + 0.06*sigmoid(l, 600, 80)
		return r * (1 - 0.10*gauss(l, 1730, 14) - 0.08*gauss(l, 1210, 12) - 0.14*gauss(l, 2310, 16) -
			0.10*gauss(l, 2350, 14) - 0.06*gauss(l, 2450, 20))
	case Clay:
		r := 0.22 + 0.30*(1-math.Exp(-(l-350)/500))
		return r * (1 - 0.12*gauss(l, 2205, 14) - 0.06*gauss(l, 2165, 12) - 0.10*gauss(l, 1410, 14) -
			0.06*gauss(l, 1910, 20))
	}
	return 0
}
