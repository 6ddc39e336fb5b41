// Package mpegts reads and writes the KLV metadata streams of MPEG-2
// transport streams (ISO/IEC 13818-1) as used by STANAG 4609 motion imagery
// and MISB ST 1402.
//
// The Demuxer follows the program association table to each program map
// table and watches the elementary streams that carry KLV, in either
// carriage: asynchronous (SMPTE RP 217: stream_type 0x06 with a
// registration descriptor "KLVA", private_stream_1 PES packets) or
// synchronous (ISO/IEC 13818-1 2.12: stream_type 0x15 with a
// metadata_descriptor naming format "KLVA", metadata_stream PES packets
// holding metadata access unit cells, each behind a 5-byte header). It
// returns each metadata unit with the presentation time stamp of its PES
// packet and the byte offset where that packet began. Every other PID —
// the video, which is nearly all of the bytes — is skipped after one table
// look-up, so demultiplexing runs at memory speed. It resynchronises when
// sync bytes are lost or junk is inserted, follows PAT and PMT version
// changes, counts continuity errors, and never panics or allocates beyond
// fixed bounds whatever the input.
//
// The Muxer writes a single-program transport stream of a minimal H.264
// video stream (IDR frames of I_PCM macroblocks and skipped P frames,
// written bit by bit, optionally padded with filler data to a bit rate)
// with its PCR, and one KLV stream in the chosen carriage; ffmpeg probes,
// decodes and extracts it.
//
// NewUDPReader receives a transport stream over UDP, unicast or multicast
// (an RTP header is removed), as an io.Reader for the Demuxer;
// DatagramWriter cuts a stream into the usual 7-packet datagrams for
// sending.
//
// Packets are 188 bytes (192-byte M2TS and 204-byte packets with
// Reed-Solomon parity are not read). A PMT PID carries one program's map; a
// second program sharing it is ignored. Resynchronisation confirms a sync
// byte by the next two packet starts, so a lone packet between two runs of
// junk is lost with them.
//
// Time stamps are in 90 kHz ticks (MPEG system clock / 300) as int64,
// modulo 2^33 as carried in the stream; KLV is left undecoded (see package
// feed/klv).
package mpegts
