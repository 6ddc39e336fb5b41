// Package scene simulates imaging-spectrometer radiance cubes with methane
// plumes of known emission rate, and their ground truth, so that the
// detector's accuracy is measured rather than guessed.
//
// A scene is an AVIRIS-NG-like pushbroom cube (by default 425 bands from
// 377 to 2510 nm, 5 nm apart, 5.5–6.0 nm FWHM; radiance in µW cm⁻² sr⁻¹
// nm⁻¹, float32, BIL) over a georeferenced patch of ground (UTM on WGS84;
// by default farmland near Culiacán, Sinaloa, zone 13 North). It is made
// of:
//
//   - Ground: eight surfaces (soil, vegetation, asphalt, water, calcite,
//     dolomite, roofs, clay) with their diagnostic absorption bands, among
//     them the 2.3 µm confusers of methane (carbonates at 2.32–2.34 µm,
//     hydrocarbon roofs and asphalt at 2.31 µm), mixed smoothly by a
//     softmax of value-noise fields, plus a road, a meandering river, a
//     village of roofs and lanes and a carbonate quarry; per-pixel
//     brightness and spectral tilt.
//   - Atmosphere: top-of-atmosphere sunlight (a 5778 K black body with the
//     strongest Fraunhofer lines), two-way transmission with water vapour
//     (0.94, 1.13, 1.38, 1.87 µm …), oxygen, carbon dioxide (2.0 µm),
//     Rayleigh and aerosol scattering and background methane (the target
//     spectrum times BackgroundCH4), and a single-scattering path radiance;
//     all built on a 0.5 nm grid and convolved with each band's Gaussian
//     response.
//   - Plumes: steady Gaussian plumes (Briggs rural σ_y, σ_z for a
//     Pasquill–Gifford class) from point sources of rate Q (kg/h), carried
//     by a wind from a logarithmic profile at the plume's height (or a
//     fixed transport speed), integrated over each pixel, converted from
//     kg/m² to ppm·m and applied by Beer–Lambert with the methane target
//     (spectral.Methane) resampled to the bands.
//   - Sensor: photon and read noise, per-column gain (striping) shared
//     across bands plus a per-column, per-band part, spectral smile,
//     saturation at a full-scale radiance per band, specular glints and a
//     gas flare (a black body at 1400 K over part of a pixel and its
//     neighbours) that saturate.
//
// The truth is a per-pixel enhancement map (ppm·m), the sources (pixel and
// lon/lat, Q, wind, peak enhancement, mass in the scene) and the sensor
// facts (flare, glints, saturation radiance), written as truth.hdr/img and
// truth.json beside radiance.hdr/img and an optional IGM.
//
// Everything follows from Options and its Seed: the same options give the
// same cube bit for bit, whatever the number of workers or the block size.
// Radiance is made a block of lines at a time, so a 1 GB cube needs only
// the per-pixel maps (about 50 bytes per pixel) and one block in memory.
// A Scene is immutable after New and safe for concurrent use.
package scene
