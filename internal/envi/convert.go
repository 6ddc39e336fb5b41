package envi

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// convFunc converts len(dst) samples, the i-th at src[i*stride:], to
// float32. src must hold them all.
type convFunc func(src []byte, stride int, dst []float32)

// nativeLittle is true on little-endian hosts.
var nativeLittle = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// converters holds the conversion of each data type code (index) and byte
// order (0 little, 1 big), built once so that ReadBlock does not allocate.
var converters = func() (c [16][2]convFunc) {
	for t := range c {
		c[t][0], c[t][1] = makeConverter(DataType(t), false), makeConverter(DataType(t), true)
	}
	return c
}()

// converter returns the conversion for a data type and byte order.
func converter(t DataType, bigEndian bool) convFunc {
	if t < 0 || int(t) >= len(converters) {
		return makeConverter(t, bigEndian)
	}
	if bigEndian {
		return converters[t][1]
	}
	return converters[t][0]
}

// makeConverter builds the conversion for a data type and byte order.
func makeConverter(t DataType, bigEndian bool) convFunc {
	var bo binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		bo = binary.BigEndian
	}
	switch t {
	case Uint8:
		return convU8
	case Int16:
		if bigEndian {
			return convI16BE
		}
		return convI16LE
	case Uint16:
		if bigEndian {
			return convU16BE
		}
		return convU16LE
	case Float32:
		native := bigEndian != nativeLittle
		if bigEndian {
			return func(src []byte, stride int, dst []float32) { convF32BE(src, stride, dst, native) }
		}
		return func(src []byte, stride int, dst []float32) { convF32LE(src, stride, dst, native) }
	case Int32:
		return func(src []byte, stride int, dst []float32) {
			for i := range dst {
				dst[i] = float32(int32(bo.Uint32(src[i*stride:])))
			}
		}
	case Uint32:
		return func(src []byte, stride int, dst []float32) {
			for i := range dst {
				dst[i] = float32(bo.Uint32(src[i*stride:]))
			}
		}
	case Float64:
		return func(src []byte, stride int, dst []float32) {
			for i := range dst {
				dst[i] = float32(math.Float64frombits(bo.Uint64(src[i*stride:])))
			}
		}
	case Int64:
		return func(src []byte, stride int, dst []float32) {
			for i := range dst {
				dst[i] = float32(int64(bo.Uint64(src[i*stride:])))
			}
		}
	case Uint64:
		return func(src []byte, stride int, dst []float32) {
			for i := range dst {
				dst[i] = float32(bo.Uint64(src[i*stride:]))
			}
		}
	}
	return func(src []byte, stride int, dst []float32) { clear(dst) }
}

func convU8(src []byte, stride int, dst []float32) {
	if stride == 1 {
		src = src[:len(dst)]
		for i, v := range src {
			dst[i] = float32(v)
		}
		return
	}
	for i := range dst {
		dst[i] = float32(src[i*stride])
	}
}

func convI16LE(src []byte, stride int, dst []float32) {
	if stride == 2 {
		src = src[:2*len(dst)]
		for i := range dst {
			dst[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:])))
		}
		return
	}
	for i := range dst {
		dst[i] = float32(int16(binary.LittleEndian.Uint16(src[i*stride:])))
	}
}

func convI16BE(src []byte, stride int, dst []float32) {
	if stride == 2 {
		src = src[:2*len(dst)]
		for i := range dst {
			dst[i] = float32(int16(binary.BigEndian.Uint16(src[2*i:])))
		}
		return
	}
	for i := range dst {
		dst[i] = float32(int16(binary.BigEndian.Uint16(src[i*stride:])))
	}
}

func convU16LE(src []byte, stride int, dst []float32) {
	for i := range dst {
		dst[i] = float32(binary.LittleEndian.Uint16(src[i*stride:]))
	}
}

func convU16BE(src []byte, stride int, dst []float32) {
	for i := range dst {
		dst[i] = float32(binary.BigEndian.Uint16(src[i*stride:]))
	}
}

// convF32LE converts little-endian float32; when that is the host order
// and the run is contiguous and aligned, it is a copy.
func convF32LE(src []byte, stride int, dst []float32, native bool) {
	n := len(dst)
	if stride == 4 && native && n > 0 && uintptr(unsafe.Pointer(&src[0]))%4 == 0 {
		_ = src[4*n-1]
		copy(dst, unsafe.Slice((*float32)(unsafe.Pointer(&src[0])), n))
		return
	}
	if stride == 4 {
		src = src[:4*n]
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[i*stride:]))
	}
}

// convF32BE converts big-endian float32.
func convF32BE(src []byte, stride int, dst []float32, native bool) {
	n := len(dst)
	if stride == 4 && native && n > 0 && uintptr(unsafe.Pointer(&src[0]))%4 == 0 {
		_ = src[4*n-1]
		copy(dst, unsafe.Slice((*float32)(unsafe.Pointer(&src[0])), n))
		return
	}
	if stride == 4 {
		src = src[:4*n]
		for i := range dst {
			dst[i] = math.Float32frombits(binary.BigEndian.Uint32(src[4*i:]))
		}
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.BigEndian.Uint32(src[i*stride:]))
	}
}
