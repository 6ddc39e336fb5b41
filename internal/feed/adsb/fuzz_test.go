package adsb

import (
	"bytes"
	"io"
	"math"
	"testing"
)

// splitReader returns the input in two reads, split at k.
type splitReader struct {
	parts [][]byte
}

func (s *splitReader) Read(p []byte) (int, error) {
	for len(s.parts) > 0 && len(s.parts[0]) == 0 {
		s.parts = s.parts[1:]
	}
	if len(s.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.parts[0])
	s.parts[0] = s.parts[0][n:]
	return n, nil
}

// fuzzReader decodes data whole and split at split, and demands the same
// messages, the same counters and sane positions from both.
func fuzzReader(t *testing.T, data []byte, split uint16, f Format) {
	run := func(src io.Reader) ([]byte, Stats) {
		opts := DefaultOptions()
		d := NewDecoder(opts)
		r := NewReader(src, f, d)
		var out []byte
		var m Message
		for i := 0; ; i++ {
			err := r.Next(&m)
			if err != nil {
				if err != io.EOF && err != ErrUnknownFormat {
					t.Fatalf("error %v", err)
				}
				break
			}
			if m.Has&HasPosition != 0 && (math.Abs(float64(m.Lat)) > 90 || m.Lon < -180 || m.Lon >= 180 || math.IsNaN(float64(m.Lat+m.Lon))) {
				t.Fatalf("bad position %v %v", m.Lat, m.Lon)
			}
			out = m.AppendJSON(out)
			out = append(out, '\n')
			if i > len(data) {
				t.Fatal("more messages than input bytes")
			}
		}
		return out, d.Stats()
	}
	whole, ws := run(bytes.NewReader(data))
	k := int(split) % (len(data) + 1)
	parts, ps := run(&splitReader{parts: [][]byte{append([]byte(nil), data[:k]...), append([]byte(nil), data[k:]...)}})
	if !bytes.Equal(whole, parts) || ws != ps {
		t.Fatalf("split at %d changes the result:\n%s\n%+v\nvs\n%s\n%+v", k, whole, ws, parts, ps)
	}
	if ws.JunkBytes > uint64(len(data)) {
		t.Fatalf("%d junk bytes in %d", ws.JunkBytes, len(data))
	}
}

func FuzzAVR(f *testing.F) {
	f.Add([]byte("*8D4840D6202CC371C32CE0576098;\n@0000000012348D40621D58C382D690C8AC2863A7;\n"), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) { fuzzReader(t, data, split, FormatAVR) })
}

func FuzzBeast(f *testing.F) {
	fr := frameHex(f, "8D40621D58C382D690C8AC2863A7", 1)
	f.Add(AppendBeast([]byte("\x1a\x1a\x1a2"), &fr), uint16(9))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) { fuzzReader(t, data, split, FormatBeast) })
}

func FuzzSBS(f *testing.F) {
	f.Add([]byte("MSG,3,1,1,4840D6,1,2016/03/14,22:20:01.500,2016/03/14,22:20:01.500,,37000,,,52.25720,3.91937,,,0,0,0,0\n"), uint16(40))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) { fuzzReader(t, data, split, FormatSBS) })
}

// FuzzDecode feeds arbitrary frames, 15 bytes each (a length selector,
// then up to 14 bytes), to one Decoder with the receiver set, so that
// every CPR path and the aircraft table see arbitrary state.
func FuzzDecode(f *testing.F) {
	var seed []byte
	for _, h := range []string{"8D40621D58C386435CC412692AD6", "8D40621D58C382D690C8AC2863A7", "8C4841753AAB238733C8CD4020B1", "8C4841753A8A35323FAEBDAC702D", "8D485020994409940838175B284F"} {
		seed = append(seed, 14)
		seed = append(seed, mustHex(h)...)
	}
	f.Add(seed, uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, ticks uint64) {
		opts := DefaultOptions()
		opts.HasReceiver = true
		opts.Receiver.Lat, opts.Receiver.Lon = 52, 4
		opts.MaxRange = 150 * 1852
		if ticks&1 == 1 {
			opts.Clock = ClockGPS
		}
		d := NewDecoder(opts)
		var m Message
		for len(data) > 0 {
			var fr Frame
			fr.Len = []int{2, 7, 14, 14, 5}[int(data[0])%5]
			copy(fr.Data[:], data[1:])
			fr.Ticks, fr.HasTicks = ticks, data[0]&0x80 == 0
			ticks += uint64(data[0]) << 16
			data = data[min(len(data), 15):]
			if d.Decode(&fr, &m) == nil && m.Has&HasPosition != 0 {
				if math.Abs(float64(m.Lat)) > 90 || m.Lon < -180 || m.Lon >= 180 {
					t.Fatalf("bad position %v %v", m.Lat, m.Lon)
				}
				if _, ok := m.Position(); !ok {
					t.Fatal("position flag without a position")
				}
			}
			_ = m.AppendJSON(nil)
		}
		_ = d.DecodeSBS(data, 0, &m)
	})
}
