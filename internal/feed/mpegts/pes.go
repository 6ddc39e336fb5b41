package mpegts

// PES packets of the metadata streams (ISO/IEC 13818-1 2.4.3.6) and, for
// synchronous carriage, the metadata access unit cells in them (2.12.4).

const (
	streamIDPrivate1 = 0xBD // private_stream_1: asynchronous KLV (SMPTE RP 217)
	streamIDMetadata = 0xFC // metadata_stream: synchronous KLV
	streamIDVideo    = 0xE0 // the first video stream_id

	// Cell fragment indications (ISO/IEC 13818-1 Table 2-97).
	cellMiddle   = 0 // neither the first nor the last fragment of an AU
	cellLast     = 1 // the last fragment
	cellFirst    = 2 // the first fragment
	cellComplete = 3 // a whole access unit

	// cellHeaderSize is the size of a metadata AU cell header: service ID,
	// sequence number, flags, AU_cell_data_length.
	cellHeaderSize = 5
)

// esState assembles the PES packets of one metadata stream.
type esState struct {
	pid      uint16
	carriage Carriage
	cc       int8 // last continuity counter, -1 before the first packet

	active bool   // a PES packet is being assembled in buf
	buf    []byte // the PES packet from its start code
	offset int64  // input offset of the packet that began it

	// An AU fragmented over several cells (Sync), being reassembled.
	fragActive bool
	frag       []byte
	fragSeq    uint8
	fragPTS    int64
	fragHasPTS bool
	fragOffset int64
}

// feedES takes the payload of one transport packet of a metadata stream.
func (d *Demuxer) feedES(es *esState, payload []byte, pusi bool, off int64) {
	if pusi {
		if es.active {
			d.finishPES(es) // a PES packet of unbounded length ends here
		}
		es.active, es.buf, es.offset = true, es.buf[:0], off
	}
	if !es.active {
		return // the rest of a PES packet whose start was lost
	}
	if len(es.buf)+len(payload) > MaxUnitSize {
		d.dropPES(es)
		return
	}
	es.buf = append(es.buf, payload...)
	if len(es.buf) < 6 {
		return
	}
	if es.buf[0] != 0 || es.buf[1] != 0 || es.buf[2] != 1 {
		d.dropPES(es)
		return
	}
	if n := int(es.buf[4])<<8 | int(es.buf[5]); n > 0 && len(es.buf) >= 6+n {
		es.buf = es.buf[:6+n] // anything after it in the packet is not PES data
		d.finishPES(es)
	}
}

// dropPES abandons the PES packet being assembled, if any, and any AU
// being reassembled from fragments.
func (d *Demuxer) dropPES(es *esState) {
	if es.active {
		d.stats.PESErrors++
	}
	es.active, es.buf = false, es.buf[:0]
	es.fragActive = false
}

// hasPESHeader reports whether PES packets of stream_id sid have the
// optional PES header (flags, header length, PTS, ...); ISO/IEC 13818-1
// Table 2-21.
func hasPESHeader(sid byte) bool {
	switch sid {
	case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF:
		// program_stream_map, padding, private_stream_2, ECM, EMM,
		// DSMCC, ITU-T H.222.1 type E, program_stream_directory
		return false
	}
	return true
}

// finishPES parses the complete PES packet in es.buf and queues its units.
func (d *Demuxer) finishPES(es *esState) {
	es.active = false
	b := es.buf
	if len(b) < 6 || b[0] != 0 || b[1] != 0 || b[2] != 1 {
		d.stats.PESErrors++
		return
	}
	if n := int(b[4])<<8 | int(b[5]); n > 0 {
		if len(b) < 6+n {
			d.stats.PESErrors++ // truncated: the next one began early, or the input ended
			return
		}
		b = b[:6+n]
	}
	var pts int64
	hasPTS := false
	start := 6
	if hasPESHeader(b[3]) {
		if len(b) < 9 || b[6]&0xC0 != 0x80 {
			d.stats.PESErrors++
			return
		}
		hl := int(b[8])
		if 9+hl > len(b) || b[7]&0x80 != 0 && hl < 5 {
			d.stats.PESErrors++
			return
		}
		if b[7]&0x80 != 0 {
			pts, hasPTS = readTimestamp(b[9:14]), true
		}
		start = 9 + hl
	}
	d.stats.PES++
	payload := b[start:]
	switch es.carriage {
	case Async:
		d.emit(es, pts, hasPTS, es.offset, payload)
	case Sync:
		d.cells(es, payload, pts, hasPTS)
	}
}

// cells splits a metadata PES payload into AU cells, queueing each whole
// AU and reassembling fragmented ones.
func (d *Demuxer) cells(es *esState, p []byte, pts int64, hasPTS bool) {
	for len(p) > 0 {
		if len(p) < cellHeaderSize {
			d.stats.PESErrors++
			return
		}
		seq, frag := p[1], p[2]>>6
		n := int(p[3])<<8 | int(p[4])
		if cellHeaderSize+n > len(p) {
			d.stats.PESErrors++
			return
		}
		data := p[cellHeaderSize : cellHeaderSize+n]
		p = p[cellHeaderSize+n:]
		switch frag {
		case cellComplete:
			if es.fragActive { // the previous AU never got its last fragment
				d.stats.PESErrors++
				es.fragActive = false
			}
			d.emit(es, pts, hasPTS, es.offset, data)
		case cellFirst:
			if es.fragActive {
				d.stats.PESErrors++
			}
			es.fragActive, es.frag, es.fragSeq = true, append(es.frag[:0], data...), seq
			es.fragPTS, es.fragHasPTS, es.fragOffset = pts, hasPTS, es.offset
		default: // cellMiddle, cellLast
			if !es.fragActive || seq != es.fragSeq+1 || len(es.frag)+n > MaxUnitSize {
				d.stats.PESErrors++
				es.fragActive = false
				continue
			}
			es.frag, es.fragSeq = append(es.frag, data...), seq
			if frag == cellLast {
				es.fragActive = false
				d.emit(es, es.fragPTS, es.fragHasPTS, es.fragOffset, es.frag)
			}
		}
	}
}

// readTimestamp decodes a 33-bit PTS or DTS from its 5-byte field.
func readTimestamp(b []byte) int64 {
	return int64(b[0]>>1&0x07)<<30 | int64(b[1])<<22 | int64(b[2]>>1)<<15 | int64(b[3])<<7 | int64(b[4]>>1)
}

// putTimestamp encodes a 33-bit time stamp with the 4-bit prefix (0x2 for
// PTS alone, 0x3 for a PTS followed by a DTS, 0x1 for that DTS) into b[:5].
func putTimestamp(b []byte, prefix byte, ts int64) {
	ts &= 1<<33 - 1
	b[0] = prefix<<4 | byte(ts>>29)&0x0E | 1
	b[1] = byte(ts >> 22)
	b[2] = byte(ts>>14) | 1
	b[3] = byte(ts >> 7)
	b[4] = byte(ts<<1) | 1
}
