package mpegts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The single program written by the Muxer.
const (
	// MuxProgram is the program_number of the Muxer's program.
	MuxProgram = 1
	// MuxPMTPID is the PID of the Muxer's program map table.
	MuxPMTPID uint16 = 0x1000
	// MuxVideoPID is the PID of the Muxer's H.264 stream, which also
	// carries the PCR.
	MuxVideoPID uint16 = 0x0100
	// MuxMetadataPID is the PID of the Muxer's KLV stream.
	MuxMetadataPID uint16 = 0x0101
)

// MaxMetadataSize is the largest KLV unit in bytes that WriteMetadata puts
// in one PES packet (PES_packet_length is 16 bits).
const MaxMetadataSize = 0xFFFF - 8 - cellHeaderSize

const (
	// psiInterval is how often the PAT and PMT are repeated, in 90 kHz
	// ticks of the time stamps written (100 ms).
	psiInterval = 9000
	// pcrLead is how far the PCR sent with a frame is behind that frame's
	// PTS, in 90 kHz ticks: the decoder's buffering time.
	pcrLead = 9000
)

// ErrTooLarge is returned by WriteMetadata for a unit of more than
// MaxMetadataSize bytes.
var ErrTooLarge = errors.New("mpegts: metadata unit too large for one PES packet")

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("mpegts: muxer closed")

// MuxOptions configures a Muxer.
type MuxOptions struct {
	// Carriage of the KLV stream: Async or Sync. Zero means Async.
	Carriage Carriage
	// FrameRate of the video in frames per second, used for the SPS timing
	// information, the GOP and the filler; zero means 30.
	FrameRate float64
	// VideoBitRate pads each video frame with filler data so that the video
	// elementary stream runs at about this many bits per second; zero
	// writes the minimal stream (about 50 kbit/s at 30 frames/s).
	VideoBitRate int64
	// GOP is the number of frames from one IDR frame to the next; zero
	// means one second of frames.
	GOP int
}

// Muxer writes a single-program MPEG-2 transport stream: the PAT and PMT
// (repeated every 100 ms of time stamps), a minimal H.264 video stream on
// MuxVideoPID with the PCR, and KLV metadata on MuxMetadataPID in the
// chosen carriage. Each Write call writes whole 188-byte packets to w in
// one Write. A Muxer is not safe for concurrent use; its errors are
// sticky.
type Muxer struct {
	w        io.Writer
	carriage Carriage
	gop      int
	video    *h264Stream

	pat, pmt []byte // sections, CRC included
	cc       map[uint16]uint8
	psiPTS   int64
	frames   int
	seq      uint8 // AU cell sequence_number

	au, pes, out []byte
	err          error
}

// NewMuxer returns a Muxer writing to w and writes the PAT and PMT.
func NewMuxer(w io.Writer, opts MuxOptions) (*Muxer, error) {
	if opts.Carriage == 0 {
		opts.Carriage = Async
	}
	if opts.Carriage != Async && opts.Carriage != Sync {
		return nil, fmt.Errorf("mpegts: MuxOptions.Carriage: bad value %d", opts.Carriage)
	}
	if opts.FrameRate == 0 {
		opts.FrameRate = 30
	}
	if !(opts.FrameRate >= 1 && opts.FrameRate <= 240) {
		return nil, fmt.Errorf("mpegts: MuxOptions.FrameRate: %g outside 1..240", opts.FrameRate)
	}
	if opts.VideoBitRate < 0 || opts.GOP < 0 {
		return nil, fmt.Errorf("mpegts: MuxOptions: negative VideoBitRate %d or GOP %d", opts.VideoBitRate, opts.GOP)
	}
	if opts.GOP == 0 {
		opts.GOP = max(1, int(math.Round(opts.FrameRate)))
	}
	m := &Muxer{
		w:        w,
		carriage: opts.Carriage,
		gop:      opts.GOP,
		video:    newH264Stream(opts.FrameRate, opts.VideoBitRate),
		cc:       map[uint16]uint8{},
	}
	m.pat = patSection()
	m.pmt = pmtSection(opts.Carriage)
	m.writePSI()
	return m, m.flush()
}

// WriteVideoFrame writes one video frame presented at pts (90 kHz ticks):
// an IDR frame every GOP frames, a skipped P frame otherwise. Its first
// packet carries the PCR, 100 ms behind pts.
func (m *Muxer) WriteVideoFrame(pts int64) error {
	if m.err != nil {
		return m.err
	}
	m.maybePSI(pts)
	idr := m.frames%m.gop == 0
	m.frames++
	m.au = m.video.accessUnit(m.au[:0], idr)
	m.pes = appendPESHeader(m.pes[:0], streamIDVideo, pts, len(m.au))
	m.pes = append(m.pes, m.au...)
	m.packetize(MuxVideoPID, m.pes, max(pts-pcrLead, 0), idr)
	return m.flush()
}

// WriteMetadata writes klv (one KLV packet, or several meant to go
// together) as one metadata access unit presented at pts (90 kHz ticks):
// for Async the payload of one private_stream_1 PES packet, for Sync one
// AU cell in one metadata_stream PES packet. klv is not retained.
func (m *Muxer) WriteMetadata(pts int64, klv []byte) error {
	if m.err != nil {
		return m.err
	}
	if len(klv) > MaxMetadataSize {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(klv))
	}
	m.maybePSI(pts)
	if m.carriage == Async {
		m.pes = appendPESHeader(m.pes[:0], streamIDPrivate1, pts, len(klv))
	} else {
		m.pes = appendPESHeader(m.pes[:0], streamIDMetadata, pts, cellHeaderSize+len(klv))
		// metadata AU cell header (ISO/IEC 13818-1 Table 2-97):
		// metadata_service_id, sequence_number,
		// cell_fragment_indication '11' (complete AU),
		// decoder_config_flag 0, random_access_indicator 1, reserved '1111',
		// AU_cell_data_length.
		m.pes = append(m.pes, 0, m.seq, cellComplete<<6|0x10|0x0F, byte(len(klv)>>8), byte(len(klv)))
		m.seq++
	}
	m.pes = append(m.pes, klv...)
	m.packetize(MuxMetadataPID, m.pes, -1, false)
	return m.flush()
}

// Close ends the stream. Everything is already written (each call writes
// its packets); Close does not close the underlying writer. Writes after
// Close return ErrClosed.
func (m *Muxer) Close() error {
	err := m.err
	if m.err == nil {
		m.err = ErrClosed
	}
	return err
}

// maybePSI repeats the PAT and PMT when 100 ms of time stamps have passed
// (or time went back).
func (m *Muxer) maybePSI(pts int64) {
	if pts-m.psiPTS >= psiInterval || pts < m.psiPTS {
		m.writePSI()
		m.psiPTS = pts
	}
}

func (m *Muxer) writePSI() {
	m.section(pidPAT, m.pat)
	m.section(MuxPMTPID, m.pmt)
}

// section writes a section that fits in one packet.
func (m *Muxer) section(pid uint16, s []byte) {
	var p [PacketSize]byte
	p[0], p[1], p[2], p[3] = SyncByte, 0x40|byte(pid>>8), byte(pid), 0x10|m.nextCC(pid)
	p[4] = 0 // pointer_field
	n := copy(p[5:], s)
	for i := 5 + n; i < PacketSize; i++ {
		p[i] = 0xFF
	}
	m.out = append(m.out, p[:]...)
}

func (m *Muxer) nextCC(pid uint16) byte {
	c := m.cc[pid]
	m.cc[pid] = (c + 1) & 0x0F
	return c
}

// flush writes the packets built by one call.
func (m *Muxer) flush() error {
	if len(m.out) == 0 {
		return nil
	}
	_, err := m.w.Write(m.out)
	m.out = m.out[:0]
	if err != nil {
		m.err = fmt.Errorf("mpegts: write: %w", err)
	}
	return m.err
}

// appendPESHeader appends a PES header with a PTS and
// data_alignment_indicator for a payload of n bytes. PES_packet_length is
// 0 (unbounded, allowed for video only) when it would not fit.
func appendPESHeader(dst []byte, sid byte, pts int64, n int) []byte {
	l := 3 + 5 + n
	if l > 0xFFFF {
		l = 0
	}
	dst = append(dst, 0, 0, 1, sid, byte(l>>8), byte(l),
		0x84, // '10', not scrambled, no priority, data_alignment_indicator, no copyright, copy
		0x80, // PTS only
		5)
	var ts [5]byte
	putTimestamp(ts[:], 0x2, pts)
	return append(dst, ts[:]...)
}

// packetize writes data (a PES packet) as transport packets of pid, the
// first with payload_unit_start_indicator and, if pcr ≥ 0, the PCR; rai
// sets its random_access_indicator. The last packet is filled with
// adaptation field stuffing.
func (m *Muxer) packetize(pid uint16, data []byte, pcr int64, rai bool) {
	first := true
	for first || len(data) > 0 {
		var p [PacketSize]byte
		p[0], p[1], p[2] = SyncByte, byte(pid>>8), byte(pid)
		if first {
			p[1] |= 0x40
		}
		var af [1 + 6]byte // flags, PCR
		afn := 0
		if first && (pcr >= 0 || rai) {
			afn = 1
			if rai {
				af[0] |= 0x40
			}
			if pcr >= 0 {
				af[0] |= 0x10
				base := uint64(pcr) & (1<<33 - 1)
				binary.BigEndian.PutUint32(af[1:5], uint32(base>>1))
				af[5] = byte(base&1)<<7 | 0x7E // reserved bits, extension 0
				af[6] = 0
				afn = 7
			}
		}
		space := PacketSize - 4
		if afn > 0 {
			space -= 1 + afn
		}
		n := min(space, len(data))
		stuff := space - n
		hasAF := afn > 0 || stuff > 0
		afLen := afn + stuff // adaptation_field_length
		if afn == 0 && stuff > 0 {
			afLen = stuff - 1 // the length byte itself takes one
		}
		i := 4
		if hasAF {
			p[3] = 0x30
			p[4] = byte(afLen)
			i = 5
			if afLen > 0 {
				copy(p[i:], af[:afn])
				if afn == 0 { // a flags byte with no flags set
					p[i] = 0
					afn = 1
				}
				for j := i + afn; j < 5+afLen; j++ {
					p[j] = 0xFF
				}
				i = 5 + afLen
			}
		} else {
			p[3] = 0x10
		}
		p[3] |= m.nextCC(pid)
		copy(p[i:], data[:n])
		data = data[n:]
		first = false
		m.out = append(m.out, p[:]...)
	}
}

// patSection returns the PAT: transport_stream_id 1, one program.
func patSection() []byte {
	s := []byte{tableIDPAT, 0xB0, 0, 0, 1, 0xC1, 0, 0,
		0, MuxProgram, 0xE0 | byte(MuxPMTPID>>8), byte(MuxPMTPID & 0xFF)}
	return finishSection(s)
}

// pmtSection returns the PMT of the Muxer's program for a carriage.
func pmtSection(c Carriage) []byte {
	s := []byte{tableIDPMT, 0xB0, 0, 0, MuxProgram, 0xC1, 0, 0,
		0xE0 | byte(MuxVideoPID>>8), byte(MuxVideoPID & 0xFF), // PCR_PID
		0xF0, 0} // program_info_length, set below
	var meta []byte
	if c == Sync {
		// metadata_pointer_descriptor (ISO/IEC 13818-1 2.6.58):
		// application format 0xFFFF "KLVA", metadata_format 0xFF "KLVA",
		// service 0, no locator record, carried in this program.
		s = append(s, descMetaPointer, 15, 0xFF, 0xFF, 'K', 'L', 'V', 'A', 0xFF, 'K', 'L', 'V', 'A',
			0, 0x1F, 0, MuxProgram)
		s[11] = 17
		// metadata_descriptor (2.6.60): the same formats, service 0, no
		// decoder configuration, no DSM-CC.
		meta = append(meta, descMetadata, 13, 0xFF, 0xFF, 'K', 'L', 'V', 'A', 0xFF, 'K', 'L', 'V', 'A', 0, 0x0F)
		// metadata_std_descriptor (2.6.62): input and output leak rates of
		// 1 Mbit/s (units of 400 bit/s), a 64 KiB buffer (units of 1 KiB).
		meta = appendMetadataSTD(meta, 2500, 64, 2500)
	} else {
		// registration_descriptor (2.6.8) "KLVA" (SMPTE RP 217).
		meta = append(meta, descRegistration, 4, 'K', 'L', 'V', 'A')
	}
	s = append(s, streamTypeH264, 0xE0|byte(MuxVideoPID>>8), byte(MuxVideoPID&0xFF), 0xF0, 0)
	st := byte(streamTypePrivatePES)
	if c == Sync {
		st = streamTypeMetadata
	}
	s = append(s, st, 0xE0|byte(MuxMetadataPID>>8), byte(MuxMetadataPID&0xFF), 0xF0, byte(len(meta)))
	s = append(s, meta...)
	return finishSection(s)
}

func appendMetadataSTD(dst []byte, inLeak, bufSize, outLeak uint32) []byte {
	dst = append(dst, descMetaSTD, 9)
	for _, v := range []uint32{inLeak, bufSize, outLeak} {
		v = 0xC00000 | v&0x3FFFFF // two reserved bits, 22-bit value
		dst = append(dst, byte(v>>16), byte(v>>8), byte(v))
	}
	return dst
}

// finishSection sets section_length and appends the CRC_32.
func finishSection(s []byte) []byte {
	n := len(s) - 3 + 4
	s[1] = s[1]&0xF0 | byte(n>>8)
	s[2] = byte(n)
	return binary.BigEndian.AppendUint32(s, crc32MPEG(s))
}
