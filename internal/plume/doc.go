// Package plume finds gas plumes in an enhancement map (ppm·m, with its
// per-pixel 1σ, as spectral.MatchedFilter produces), locates their sources
// and estimates their emission rates by the integrated mass enhancement.
//
// Segmentation thresholds the enhancement/σ map smoothed over a square
// window (in units of σ of the smoothed map), groups the pixels above it
// that lie within a small gap of one another or are joined through pixels
// above a lower threshold (so that a plume's broken tail stays with it),
// keeps groups of a minimum size that hold a seed pixel above a higher
// threshold (hysteresis: grown from 3σ, seeded at 5.5σ by default) and,
// optionally, reach a minimum integrated significance, and traces each
// one's outer boundary as a polygon.
//
// The source is the most upwind strong pixel (at least SourceFraction of
// the largest) in the upwind quarter of the plume along its axis: the wind
// direction when given, otherwise the principal axis of the enhancement
// with the upwind end the one nearer its maximum, or, when most plumes of
// the scene agree on a direction (Options.SharedWind), that direction.
//
// The emission rate is Q = U·IME/L: IME = Σ enhancement × pixel area ×
// KgPerM2PerPPMm over the mask, and either L = sqrt(area) with U = Ueff(U10)
// (a published calibrated effective wind) or L = half the
// along-wind extent with U = U10 (see Length). Its 1σ combines retrieval
// noise, wind uncertainty and the choice of mask (threshold ±1σ).
//
// Detect is a pure function, safe for concurrent use; its results are
// owned by the caller.
package plume
