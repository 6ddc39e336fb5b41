// Package detect is the emission-detection pipeline behind "vigia
// detect": it opens an ENVI radiance cube (envi), runs the clutter
// matched filter for a gas's absorption spectrum (spectral), segments
// plumes and estimates their emission rates (plume), and writes the
// products (geotiff and GeoJSON) into a directory:
//
//   - enhancement.tif and sigma.tif: float32 GeoTIFFs of the enhancement
//     (ppm·m) and its per-pixel 1σ, nodata −9999, georeferenced from the
//     cube's map info (its own EPSG, UTM or geographic) or from an IGM (a
//     geotransform fitted to the IGM's positions by least squares, its
//     largest residual recorded);
//   - plumes.geojson: per plume, a Polygon of its outline and a Point at its
//     source, in WGS84 longitude and latitude (the IGM's per-pixel
//     positions interpolated, or the map info through the UTM inverse),
//     with IME, length, U_eff, Q and its 1σ; the target, the
//     ppm·m-to-kg/m² constant, the wind and the threshold as members of
//     the collection;
//   - quicklook.png: the enhancement on a fixed colour scale with a legend;
//   - summary.json: the run's options, background σ, masks, column
//     statuses, plumes and timing (Summary).
//
// Memory is bounded: the cube is read in blocks of lines through a memory
// map whose pages are released after each block, so what stays resident
// is the filter's per-column statistics and a few lines×samples float32
// maps, whatever the number of bands.
//
// Detect and Run are safe for concurrent use on different outputs.
package detect
