package sim

// AVR and Beast are written here rather than through internal/feed/adsb so
// that the decoder's tests of the simulator's output check two independent
// implementations of each framing against each other.

const hexUpper = "0123456789ABCDEF"

// Ticks is a 48-bit receiver timestamp: 12 MHz ticks since the scenario
// start, as dump1090, readsb and the Mode-S Beast count them.
type Ticks uint64

// TicksPerSecond is the receiver clock rate.
const TicksPerSecond = 12_000_000

// appendAVR appends frame as an AVR record with its timestamp: "@", 12 hex
// digits of ticks, the frame in hex, ";" and a newline.
func appendAVR(b []byte, t Ticks, frame []byte) []byte {
	b = append(b, '@')
	for s := 44; s >= 0; s -= 4 {
		b = append(b, hexUpper[uint64(t)>>s&15])
	}
	for _, c := range frame {
		b = append(b, hexUpper[c>>4], hexUpper[c&15])
	}
	return append(b, ';', '\n')
}

// appendAVRPlain appends frame as a plain AVR record, "*" + hex + ";".
func appendAVRPlain(b []byte, frame []byte) []byte {
	b = append(b, '*')
	for _, c := range frame {
		b = append(b, hexUpper[c>>4], hexUpper[c&15])
	}
	return append(b, ';', '\n')
}
