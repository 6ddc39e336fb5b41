// Package spectral finds a gas's absorption in imaging-spectrometer
// radiance with the clutter matched filter, giving the enhancement in ppm·m
// and its 1σ per pixel.
//
// A Target is a unit-absorption spectrum (natural-log absorbance per ppm·m,
// the convention of mag1c and emit-ghg), read from CSV by ParseTarget or
// embedded for methane (Methane), and resampled to the sensor's bands with
// a Gaussian response from each band's FWHM (Target.Resample).
//
// MatchedFilter streams a Cube in blocks of lines: views of the cube's
// memory when it lends them (a memory-mapped BIL float32 envi.Cube), copies
// from ReadBlock otherwise. Pass 1 accumulates, per
// cross-track column (Column mode, for pushbroom sensors) or over the whole
// scene (Scene mode), the count, sum and cross-products of the valid
// background pixels: no-data pixels are excluded first, then saturated
// pixels and flares (grown by a few pixels; when the flare mask is the
// only mask its pass reads just the two flare bands, the window bands'
// no-data being found by pass 1), and on an optional second round the
// plume pixels of the first. The cross-products are of
// deviations from the mean of each background's first block; each block's
// are formed in float32 by a register-tiled kernel (AVX2/FMA assembly on
// amd64, a pure-Go fallback elsewhere) and added to float64 totals, and
// the columns are processed in slabs when the totals would exceed
// 256 MiB. The covariance is shrunk toward its
// diagonal with the coefficient that maximises the leave-one-out likelihood
// ("The incredible shrinking covariance estimator", Proc. SPIE
// 8391, 2012; the choice of emit-ghg), and factorised by Cholesky, with
// more shrinkage and then the diagonal as fallbacks recorded per column
// (Status). Pass 2 applies w = C⁻¹s/(sᵀC⁻¹s), s = −μ⊙t, as one float32 dot
// product per pixel: α̂ = w·(x−μ), σ = 1/sqrt(sᵀC⁻¹s) (see Filter for the
// derivation), optionally with albedo correction and the ACE score. The
// optional re-estimation without the plume pixels downdates pass 1's
// totals: it subtracts the contributions of the pixels that pass 2 found
// above the threshold, whose spectra pass 2 kept, rebuilds the filters and
// applies them again, without a second statistics pass over the cube;
// when pass 1 runs in slabs of columns the whole re-estimation runs slab
// by slab (statistics, filters, apply, downdate, filters, apply), so that
// one slab's totals are live at a time. Columns that lost no pixel keep
// their first filter.
//
// Why leave-one-out and not Ledoit–Wolf: Ledoit–Wolf chooses the shrinkage
// that minimises the expected Frobenius error of the covariance, which is
// dominated by its largest eigenvalues; the matched filter needs C⁻¹, which
// is dominated by the smallest, and radiance covariances are very
// ill-conditioned. Ledoit–Wolf over-shrinks and raises the background σ
// of the enhancement: by 1.2× to 4.6× on the simulated backgrounds of
// TestShrinkageLOOVersusLedoitWolf, the more the fewer pixels per band;
// the leave-one-out likelihood scores C⁻¹ directly.
//
// Functions are safe for concurrent use; a Target and a Filter are
// immutable once built.
package spectral
