// Package envi reads and writes ENVI images, the format in which airborne
// imaging spectrometers (AVIRIS-NG, AVIRIS-3, EMIT's ENVI products,
// HyTES, PRISMA conversions) distribute radiance cubes, and reads their
// per-pixel geolocation.
//
// An ENVI image is a text header (".hdr") and a raw data file. ParseHeader
// and ReadHeader read the header: the dimensions, data type (codes 1, 2,
// 3, 4, 5, 12, 13, 14, 15; the complex types 6 and 9 are refused), byte
// order, header offset, interleave (BSQ, BIL, BIP), band wavelengths and
// widths (always returned in nanometres, whatever the header's units),
// the data ignore value, gains, map info and band names; every other field
// is kept verbatim in Header.Extra. Errors name the file, the line and the
// field, and wrap the sentinel errors ErrSyntax, ErrMissing,
// ErrUnsupported or ErrSize.
//
// Open maps a cube's data file read-only (syscall.Mmap on Linux, ReadAt
// elsewhere) after checking its size against the header, and ReadBlock
// converts any block of whole lines and any set of bands to float32 in BIL
// order, from any data type, byte order and interleave. Pages a read
// touched are released right after it, so reading a cube of any size in
// line blocks keeps memory bounded by the block. A mapped BIL float32
// cube in the host's byte order also lends its lines in place
// (ViewFloat32, released by ReleaseView), which saves the copy. Create
// and Writer write
// float32 BIL little-endian cubes through a buffered file, which GDAL's
// ENVI driver reads.
//
// Geolocation: OpenIGM reads AVIRIS-NG IGM/LOC files (per-pixel easting
// and northing in UTM, or longitude and latitude), OpenGLT reads
// geographic lookup tables (per ortho-grid cell, the raw pixel that fills
// it; BuildGLT makes one from an IGM, to grid raw-geometry maps into
// georeferenced rasters), and MapGeolocation serves orthorectified cubes with map info. UTM
// coordinates are converted with Krüger's series to sixth order (Karney
// 2011), accurate to nanometres. All positions are WGS84 degrees of pixel
// centres; line and sample indices are 0-based everywhere in the API
// (ENVI's own 1-based conventions are converted at the edges).
//
// A Cube, IGM and GLT are safe for concurrent reads; a Writer is not safe
// for concurrent use.
package envi
