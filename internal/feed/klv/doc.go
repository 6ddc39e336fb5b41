// Package klv decodes and encodes MISB ST 0601 (UAS Datalink Local Set)
// KLV metadata, the telemetry that surveillance drones send inside their
// STANAG 4609 video: where the platform is, where its sensor looks, and the
// footprint of the image on the ground.
//
// A packet is the 16-byte Universal Label 06 0E 2B 34 02 0B 01 01 0E 01 03
// 01 01 00 00 00, a BER length (short or long form), and items of a
// BER-OID tag, a BER length and a value. Every tag of ST 0601.19 (1 to
// 143) is known, with its own encoding and range (tags.go): integers mapped
// linearly onto the tag's range, signed ones whose most negative integer is
// the error indicator (decoded as Value.Invalid, never as −range), MISB ST
// 1201 IMAPB values whose precision follows their length, strings, times in
// microseconds since 1970, plain integers, and nested sets: ST 0102
// security (tag 48), ST 0903 VMTI (tag 74, to its target list) and the
// country codes pack (tag 122) are parsed; the other nested and opaque tags
// are kept as raw bytes. Unknown
// tags are skipped and counted. Tag 1, the checksum (the 16-bit running sum
// of the packet up to and including the checksum's tag and length), is
// verified and reported in Packet.ChecksumOK; dropping a packet with a bad
// checksum is the caller's choice.
//
// Values are in SI units or SI-prefixed ones (metres, m/s, hPa, °C, kg,
// km, MHz) and degrees, as each tag's JSON name says (Tag.Name). Tags 26–33
// are offsets from the frame centre; Packet.Corners adds them to it.
//
// Decode and Packet.DecodeFrom read one packet; DecodeFrom reuses the
// caller's Packet (its values, strings that repeat, the VMTI set, and the
// security set and country codes while their bytes repeat), so a stream of
// like packets decodes without allocation.
// Encode writes one packet, checksum included. Scanner finds packets in an
// arbitrary byte stream, Find in a buffer (an MPEG-TS metadata unit). Packet.Position turns a packet into a
// position.Position. Decoding never panics; errors wrap ErrNoKey,
// ErrTruncated or ErrMalformed and name the byte offset from the start of
// the packet.
//
// Functions of the package are safe for concurrent use; a Packet or a
// Scanner is not.
package klv
