package mpegts

import "math"

// A minimal H.264 (ITU-T H.264 | ISO/IEC 14496-10) video stream for the
// Muxer: Constrained Baseline, CAVLC, 64×64 pixels. An IDR access unit
// holds 16 I_PCM macroblocks (raw samples: no transform or entropy coding
// to get wrong); the frames between IDRs are P slices whose macroblocks are
// all skipped, so they repeat the picture in a few bytes. Every access unit
// starts with an access unit delimiter; each IDR is preceded by the SPS and
// PPS. Filler data NAL units pad frames to a chosen bit rate.

const (
	videoWidthMBs  = 4 // 64 pixels
	videoHeightMBs = 4 // 64 pixels

	log2MaxFrameNum = 8

	nalSlice  = 1
	nalIDR    = 5
	nalSPS    = 7
	nalPPS    = 8
	nalAUD    = 9
	nalFiller = 12

	sliceTypeP = 5 // P, all slices of the picture
	sliceTypeI = 7 // I, all slices of the picture
	mbTypeIPCM = 25
)

// bitWriter writes an RBSP most significant bit first.
type bitWriter struct {
	b    []byte
	cur  byte
	nbit uint // bits in cur
}

// u writes the n low bits of v (n ≤ 64).
func (w *bitWriter) u(n uint, v uint64) {
	for i := int(n) - 1; i >= 0; i-- {
		w.cur = w.cur<<1 | byte(v>>uint(i)&1)
		if w.nbit++; w.nbit == 8 {
			w.b = append(w.b, w.cur)
			w.cur, w.nbit = 0, 0
		}
	}
}

// flag writes one bit.
func (w *bitWriter) flag(v bool) {
	if v {
		w.u(1, 1)
	} else {
		w.u(1, 0)
	}
}

// ue writes an unsigned Exp-Golomb code (H.264 9.1).
func (w *bitWriter) ue(v uint64) {
	x := v + 1
	n := uint(0)
	for t := x; t > 1; t >>= 1 {
		n++
	}
	w.u(n, 0)
	w.u(n+1, x)
}

// se writes a signed Exp-Golomb code (H.264 9.1.1).
func (w *bitWriter) se(v int64) {
	if v > 0 {
		w.ue(uint64(2*v - 1))
	} else {
		w.ue(uint64(-2 * v))
	}
}

// align writes zero bits up to the next byte boundary.
func (w *bitWriter) align() {
	for w.nbit != 0 {
		w.u(1, 0)
	}
}

// trailing writes rbsp_trailing_bits and returns the RBSP.
func (w *bitWriter) trailing() []byte {
	w.u(1, 1)
	w.align()
	return w.b
}

// appendNAL appends an Annex B NAL unit (4-byte start code, header,
// payload with emulation prevention bytes) to dst.
func appendNAL(dst []byte, refIdc, typ byte, rbsp []byte) []byte {
	dst = append(dst, 0, 0, 0, 1, refIdc<<5|typ)
	zeros := 0
	for _, c := range rbsp {
		if zeros == 2 && c <= 3 {
			dst = append(dst, 3)
			zeros = 0
		}
		dst = append(dst, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return dst
}

// h264Stream produces the access units of the minimal video stream.
type h264Stream struct {
	sps, pps     []byte // complete NAL units
	idrSamples   []byte // 16 × 384 PCM samples
	frameNum     uint64
	idrPicID     uint64
	fillerBudget float64 // bytes per frame to reach the bit rate, 0 for none
}

func newH264Stream(frameRate float64, bitRate int64) *h264Stream {
	s := &h264Stream{}
	var w bitWriter
	// seq_parameter_set_rbsp (H.264 7.3.2.1.1)
	w.u(8, 66)   // profile_idc: Baseline
	w.u(8, 0xC0) // constraint_set0_flag, constraint_set1_flag: Constrained Baseline
	w.u(8, 30)   // level_idc 3.0
	w.ue(0)      // seq_parameter_set_id
	w.ue(log2MaxFrameNum - 4)
	w.ue(2) // pic_order_cnt_type 2: output order is decoding order
	w.ue(1) // max_num_ref_frames
	w.flag(false)
	w.ue(videoWidthMBs - 1)
	w.ue(videoHeightMBs - 1)
	w.flag(true)  // frame_mbs_only_flag
	w.flag(true)  // direct_8x8_inference_flag
	w.flag(false) // frame_cropping_flag
	w.flag(true)  // vui_parameters_present_flag
	// vui_parameters (E.1.1)
	w.flag(false) // aspect_ratio_info_present_flag
	w.flag(false) // overscan_info_present_flag
	w.flag(false) // video_signal_type_present_flag
	w.flag(false) // chroma_loc_info_present_flag
	w.flag(true)  // timing_info_present_flag
	w.u(32, 1000) // num_units_in_tick
	w.u(32, uint64(math.Round(2000*frameRate)))
	w.flag(true)  // fixed_frame_rate_flag
	w.flag(false) // nal_hrd_parameters_present_flag
	w.flag(false) // vcl_hrd_parameters_present_flag
	w.flag(false) // pic_struct_present_flag
	w.flag(true)  // bitstream_restriction_flag
	w.flag(true)  // motion_vectors_over_pic_boundaries_flag
	w.ue(0)       // max_bytes_per_pic_denom
	w.ue(0)       // max_bits_per_mb_denom
	w.ue(16)      // log2_max_mv_length_horizontal
	w.ue(16)      // log2_max_mv_length_vertical
	w.ue(0)       // max_num_reorder_frames
	w.ue(1)       // max_dec_frame_buffering
	s.sps = appendNAL(nil, 3, nalSPS, w.trailing())

	w = bitWriter{}
	// pic_parameter_set_rbsp (7.3.2.2)
	w.ue(0)       // pic_parameter_set_id
	w.ue(0)       // seq_parameter_set_id
	w.flag(false) // entropy_coding_mode_flag: CAVLC
	w.flag(false) // bottom_field_pic_order_in_frame_present_flag
	w.ue(0)       // num_slice_groups_minus1
	w.ue(0)       // num_ref_idx_l0_default_active_minus1
	w.ue(0)       // num_ref_idx_l1_default_active_minus1
	w.flag(false) // weighted_pred_flag
	w.u(2, 0)     // weighted_bipred_idc
	w.se(0)       // pic_init_qp_minus26
	w.se(0)       // pic_init_qs_minus26
	w.se(0)       // chroma_qp_index_offset
	w.flag(true)  // deblocking_filter_control_present_flag
	w.flag(false) // constrained_intra_pred_flag
	w.flag(false) // redundant_pic_cnt_present_flag
	s.pps = appendNAL(nil, 3, nalPPS, w.trailing())

	// A picture: a diagonal luma ramp with a cross, neutral-ish chroma.
	// Sample values stay in 16..240, so no emulation prevention is needed
	// inside the PCM data (it would be applied anyway).
	s.idrSamples = make([]byte, 0, videoWidthMBs*videoHeightMBs*384)
	for mby := range videoHeightMBs {
		for mbx := range videoWidthMBs {
			for y := range 16 {
				for x := range 16 {
					px, py := mbx*16+x, mby*16+y
					v := 16 + (px+py)*224/126
					if px == 32 || py == 32 {
						v = 235
					}
					s.idrSamples = append(s.idrSamples, byte(v))
				}
			}
			for c := range 2 {
				for range 64 {
					s.idrSamples = append(s.idrSamples, byte(112+32*c))
				}
			}
		}
	}
	if bitRate > 0 && frameRate > 0 {
		s.fillerBudget = float64(bitRate) / 8 / frameRate
	}
	return s
}

// accessUnit appends one access unit to dst: an IDR picture if idr, else a
// P picture of skipped macroblocks.
func (s *h264Stream) accessUnit(dst []byte, idr bool) []byte {
	start := len(dst)
	var w bitWriter
	if idr {
		w.u(3, 0) // primary_pic_type: I
	} else {
		w.u(3, 1) // primary_pic_type: I, P
	}
	dst = appendNAL(dst, 0, nalAUD, w.trailing())

	w = bitWriter{}
	// slice_header (7.3.3)
	w.ue(0) // first_mb_in_slice
	if idr {
		s.frameNum = 0
		dst = append(dst, s.sps...)
		dst = append(dst, s.pps...)
		w.ue(sliceTypeI)
	} else {
		s.frameNum = (s.frameNum + 1) % (1 << log2MaxFrameNum)
		w.ue(sliceTypeP)
	}
	w.ue(0) // pic_parameter_set_id
	w.u(log2MaxFrameNum, s.frameNum)
	if idr {
		w.ue(s.idrPicID) // consecutive IDRs must differ (7.4.3)
		s.idrPicID = (s.idrPicID + 1) % 2
	} else {
		w.flag(false) // num_ref_idx_active_override_flag
		w.flag(false) // ref_pic_list_modification_flag_l0
	}
	// dec_ref_pic_marking (7.3.3.3)
	if idr {
		w.flag(false) // no_output_of_prior_pics_flag
		w.flag(false) // long_term_reference_flag
	} else {
		w.flag(false) // adaptive_ref_pic_marking_mode_flag: sliding window
	}
	w.se(0) // slice_qp_delta
	w.ue(1) // disable_deblocking_filter_idc: off
	// slice_data (7.3.4)
	if idr {
		for mb := range videoWidthMBs * videoHeightMBs {
			w.ue(mbTypeIPCM)
			w.align() // pcm_alignment_zero_bit
			w.b = append(w.b, s.idrSamples[mb*384:(mb+1)*384]...)
		}
		dst = appendNAL(dst, 3, nalIDR, w.trailing())
	} else {
		w.ue(videoWidthMBs * videoHeightMBs) // mb_skip_run: the whole picture
		dst = appendNAL(dst, 2, nalSlice, w.trailing())
	}
	if s.fillerBudget > 0 {
		// filler_data_rbsp (7.3.2.7): 0xFF bytes then the trailing bits.
		if n := int(s.fillerBudget) - (len(dst) - start) - 6; n > 0 {
			dst = append(dst, 0, 0, 0, 1, nalFiller)
			for range n {
				dst = append(dst, 0xFF)
			}
			dst = append(dst, 0x80)
		}
	}
	return dst
}
