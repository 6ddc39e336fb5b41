// Package geotiff writes single-band float32 GeoTIFF rasters that GDAL
// reads with the right size, georeferencing, CRS, nodata and values, and
// PNG quicklooks of them with a fixed colour scale and a legend.
//
// The file is a little-endian classic TIFF 6.0 image in strips
// (uncompressed, or deflate: compression 8 with a zlib stream), one
// sample per pixel, 32 bits, SampleFormat 3 (IEEE float), BlackIsZero,
// with the GeoTIFF tags:
//
//   - ModelPixelScale (33550) and ModelTiepoint (33922) tying raster
//     (0, 0) to the geotransform's origin, or ModelTransformation (34264)
//     when the geotransform is rotated;
//   - GeoKeyDirectory (34735) with GTModelType (geographic or projected),
//     GTRasterType PixelIsArea, GTCitation, and GeographicType 4326 with
//     angular unit degree, or ProjectedCSType 326xx/327xx (WGS 84 UTM)
//     with linear unit metre; GeoAsciiParams (34737) holds the citation;
//   - GDAL_NODATA (42113), the nodata value as ASCII, when set;
//   - ImageDescription (270) and Software (305).
//
// The writer holds the compressed strips in memory (at most the raster's
// own size) and writes sequentially to any io.Writer. Write, WriteFile and
// Quicklook are safe for concurrent use on different rasters; they only
// read the Raster.
package geotiff
