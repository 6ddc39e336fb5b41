package mpegts

import (
	"encoding/binary"
	"slices"
)

// Program-specific information (ISO/IEC 13818-1 2.4.4): the program
// association table on PID 0 and the program map tables it names.

const (
	tableIDPAT = 0x00
	tableIDPMT = 0x02

	// maxSection is the largest PAT or PMT section: section_length is at
	// most 1021 (ISO/IEC 13818-1 2.4.4.3 and 2.4.4.8), plus the 3 bytes
	// before it.
	maxSection = 1024

	streamTypePrivatePES = 0x06 // PES packets containing private data
	streamTypeMetadata   = 0x15 // metadata carried in PES packets (2.12.4)
	streamTypeH264       = 0x1B // AVC video

	descRegistration = 0x05 // registration_descriptor (2.6.8)
	descMetaPointer  = 0x25 // metadata_pointer_descriptor (2.6.58)
	descMetadata     = 0x26 // metadata_descriptor (2.6.60)
	descMetaSTD      = 0x27 // metadata_std_descriptor (2.6.62)
)

// formatKLVA is the format identifier "KLVA" registered with SMPTE RA for
// KLV metadata (SMPTE RP 217; MISB ST 1402).
var formatKLVA = [4]byte{'K', 'L', 'V', 'A'}

// crcTable is the table of the MPEG-2 CRC-32 (polynomial 0x04C11DB7, most
// significant bit first, initial value 0xFFFFFFFF, no final inversion;
// ISO/IEC 13818-1 Annex A).
var crcTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crc32MPEG returns the MPEG-2 CRC-32 of b. Over a whole section including
// its CRC_32 field it is zero.
func crc32MPEG(b []byte) uint32 {
	c := uint32(0xFFFFFFFF)
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

// psiState assembles the sections of one PSI PID (PAT or a PMT) across
// transport packets.
type psiState struct {
	pid    uint16
	cc     int8 // last continuity counter, -1 before the first packet
	active bool // a section is being assembled
	buf    []byte

	// PMT only: the program it describes, the version and CRC last
	// applied, and the metadata PIDs it declared.
	isPMT   bool
	program uint16
	applied bool
	version uint8
	crc     uint32
	es      []uint16
}

// feedPSI takes the payload of one transport packet of PSI PID st.
func (d *Demuxer) feedPSI(st *psiState, payload []byte, pusi bool) {
	if !pusi {
		if st.active {
			st.take(d, payload)
		}
		return
	}
	if len(payload) == 0 {
		d.stats.PSIErrors++
		st.active = false
		return
	}
	ptr := int(payload[0])
	payload = payload[1:]
	if ptr > len(payload) {
		d.stats.PSIErrors++
		st.active = false
		return
	}
	if st.active {
		st.take(d, payload[:ptr])
		if st.active { // the previous section ended short of its length
			d.stats.PSIErrors++
			st.active = false
		}
	}
	payload = payload[ptr:]
	for len(payload) > 0 && payload[0] != 0xFF {
		st.active = true
		st.buf = st.buf[:0]
		n := st.take(d, payload)
		payload = payload[n:]
		if st.active {
			break // continues in the next packet
		}
	}
}

// take appends section bytes from p, handles the section once complete and
// returns how many bytes of p it used.
func (st *psiState) take(d *Demuxer, p []byte) int {
	used := 0
	if len(st.buf) < 3 {
		n := min(3-len(st.buf), len(p))
		st.buf = append(st.buf, p[:n]...)
		used, p = n, p[n:]
		if len(st.buf) < 3 {
			return used
		}
	}
	need := 3 + int(binary.BigEndian.Uint16(st.buf[1:3])&0x0FFF)
	if need > maxSection || need < 3+5+4 {
		d.stats.PSIErrors++
		st.active = false
		return used + len(p)
	}
	n := min(need-len(st.buf), len(p))
	st.buf = append(st.buf, p[:n]...)
	used += n
	if len(st.buf) == need {
		st.active = false
		d.section(st, st.buf)
	}
	return used
}

// section handles one complete section s (header to CRC_32) of PID st.
func (d *Demuxer) section(st *psiState, s []byte) {
	if s[1]&0x80 == 0 || crc32MPEG(s) != 0 {
		d.stats.PSIErrors++
		return
	}
	if s[5]&0x01 == 0 { // current_next_indicator: not yet applicable
		return
	}
	version := s[5] >> 1 & 0x1F
	body := s[8 : len(s)-4]
	switch {
	case st.pid == pidPAT && s[0] == tableIDPAT:
		d.stats.PSISections++
		d.pat(version, binary.BigEndian.Uint32(s[len(s)-4:]), body)
	case st.isPMT && s[0] == tableIDPMT:
		program := binary.BigEndian.Uint16(s[3:5])
		if program != st.program {
			return // another program's PMT sharing this PID
		}
		d.stats.PSISections++
		crc := binary.BigEndian.Uint32(s[len(s)-4:])
		if st.applied && version == st.version && crc == st.crc {
			return // a repetition
		}
		d.pmt(st, body)
		st.applied, st.version, st.crc = true, version, crc
		d.stats.PMTUpdates++
	default:
		// Other tables (CAT, TSDT, private sections) are not needed.
	}
}

// pat applies a program association section. A new version replaces the
// set of programs; further sections of the same version add to it.
func (d *Demuxer) pat(version uint8, crc uint32, body []byte) {
	if d.patSeen && version == d.patVersion && crc == d.patCRC {
		return // a repetition
	}
	if !d.patSeen || version != d.patVersion {
		d.patPMTs = d.patPMTs[:0]
	}
	d.patSeen, d.patVersion, d.patCRC = true, version, crc
	for ; len(body) >= 4; body = body[4:] {
		r := pmtRef{binary.BigEndian.Uint16(body[0:2]), binary.BigEndian.Uint16(body[2:4]) & 0x1FFF}
		if r.program == 0 || slices.Contains(d.patPMTs, r) { // network_PID, or known
			continue
		}
		if len(d.patPMTs) < maxPrograms {
			d.patPMTs = append(d.patPMTs, r)
		}
	}
	// Drop PMT PIDs no longer listed (and the streams they declared).
	for pid, st := range d.psi {
		if !st.isPMT {
			continue
		}
		if !slices.ContainsFunc(d.patPMTs, func(r pmtRef) bool { return r.pid == pid && r.program == st.program }) {
			d.dropPMT(st)
		}
	}
	for _, r := range d.patPMTs {
		if r.pid == pidPAT || r.pid == pidNull {
			continue
		}
		if st, ok := d.psi[r.pid]; ok && st.isPMT && st.program == r.program {
			continue
		}
		if d.kind[r.pid] != kindNone {
			continue // PID already in use (a PMT of another program, or a stream)
		}
		d.psi[r.pid] = &psiState{pid: r.pid, cc: -1, isPMT: true, program: r.program, buf: make([]byte, 0, 188)}
		d.kind[r.pid] = kindPSI
	}
}

// dropPMT forgets a PMT PID and the metadata streams it declared.
func (d *Demuxer) dropPMT(st *psiState) {
	for _, pid := range st.es {
		d.dropES(pid)
	}
	delete(d.psi, st.pid)
	d.kind[st.pid] = kindNone
}

// pmt applies a program map section's body (from PCR_PID to before the
// CRC): metadata streams it no longer lists are dropped, new ones watched,
// unchanged ones keep their state.
func (d *Demuxer) pmt(st *psiState, body []byte) {
	if len(body) < 4 {
		d.stats.PSIErrors++
		return
	}
	progInfo := int(binary.BigEndian.Uint16(body[2:4]) & 0x0FFF)
	if 4+progInfo > len(body) {
		d.stats.PSIErrors++
		return
	}
	programKLVA := hasRegistration(body[4:4+progInfo], formatKLVA)
	var found []esRef
	for p := body[4+progInfo:]; len(p) >= 5; {
		streamType := p[0]
		pid := binary.BigEndian.Uint16(p[1:3]) & 0x1FFF
		n := int(binary.BigEndian.Uint16(p[3:5]) & 0x0FFF)
		if 5+n > len(p) {
			d.stats.PSIErrors++
			break
		}
		if c := carriageOf(streamType, p[5:5+n], programKLVA); c != 0 && len(found) < maxStreams {
			found = append(found, esRef{pid, c})
		}
		p = p[5+n:]
	}
	// Drop streams this PMT no longer declares, or declares differently.
	keep := st.es[:0]
	for _, pid := range st.es {
		es := d.es[pid]
		if es != nil && slices.Contains(found, esRef{pid, es.carriage}) {
			keep = append(keep, pid)
			continue
		}
		d.dropES(pid)
	}
	st.es = keep
	for _, r := range found {
		if slices.Contains(st.es, r.pid) {
			continue
		}
		if d.kind[r.pid] != kindNone || r.pid == pidNull || len(d.es) >= maxStreams {
			continue // PID in use as PSI or by another program
		}
		d.es[r.pid] = &esState{pid: r.pid, carriage: r.carriage, cc: -1}
		d.kind[r.pid] = kindES
		st.es = append(st.es, r.pid)
	}
}

type pmtRef struct{ program, pid uint16 }

type esRef struct {
	pid      uint16
	carriage Carriage
}

// carriageOf tells whether an elementary stream of the given stream_type and
// ES_info descriptors carries KLV metadata, and how.
func carriageOf(streamType byte, desc []byte, programKLVA bool) Carriage {
	switch streamType {
	case streamTypePrivatePES:
		if hasRegistration(desc, formatKLVA) || programKLVA && !hasAnyRegistration(desc) {
			return Async
		}
	case streamTypeMetadata:
		for tag, body := range descriptors(desc) {
			if tag == descMetadata && metadataFormat(body) == formatKLVA {
				return Sync
			}
		}
	}
	return 0
}

// descriptors iterates over the (tag, body) pairs of a descriptor loop,
// stopping at the first one that overruns it.
func descriptors(b []byte) func(yield func(byte, []byte) bool) {
	return func(yield func(byte, []byte) bool) {
		for len(b) >= 2 {
			n := int(b[1])
			if 2+n > len(b) || !yield(b[0], b[2:2+n]) {
				return
			}
			b = b[2+n:]
		}
	}
}

func hasRegistration(desc []byte, id [4]byte) bool {
	for tag, body := range descriptors(desc) {
		if tag == descRegistration && len(body) >= 4 && [4]byte(body[:4]) == id {
			return true
		}
	}
	return false
}

func hasAnyRegistration(desc []byte) bool {
	for tag := range descriptors(desc) {
		if tag == descRegistration {
			return true
		}
	}
	return false
}

// metadataFormat returns the metadata_format_identifier of a
// metadata_descriptor or metadata_pointer_descriptor body (ISO/IEC 13818-1
// 2.6.58 and 2.6.60), or zero if metadata_format is not 0xFF.
func metadataFormat(body []byte) (id [4]byte) {
	p := 2
	if len(body) >= 2 && binary.BigEndian.Uint16(body) == 0xFFFF {
		p += 4 // metadata_application_format_identifier
	}
	if len(body) >= p+5 && body[p] == 0xFF {
		copy(id[:], body[p+1:p+5])
	}
	return id
}
