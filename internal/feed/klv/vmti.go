package klv

import (
	"fmt"
	"math"
)

// VMTI is the MISB ST 0903 Video Moving Target Indicator local set nested in
// ST 0601 tag 74, read as far as its target list (the VTarget series, tag
// 101). Counts and frame sizes are 0 when absent; other items (algorithm
// and ontology series, masks, objects, features, trackers, chips) and items
// of an unexpected length are skipped and counted in Unknown. Only a set
// whose framing (tags and lengths) is broken fails to decode.
type VMTI struct {
	SystemName      string  // tag 3
	Version         int     // tag 4, the ST 0903 version
	TotalTargets    int     // tag 5, targets detected in the frame
	ReportedTargets int     // tag 6, targets reported in this set
	FrameNumber     uint64  // tag 7
	FrameWidth      int     // tag 8, pixels
	FrameHeight     int     // tag 9, pixels
	SourceSensor    string  // tag 10
	HorizontalFOV   float64 // tag 11, degrees; 0 if absent
	VerticalFOV     float64 // tag 12, degrees; 0 if absent
	Targets         []Target
	Unknown         int
}

// Target is one VTarget pack of ST 0903: a detected moving target.
// Optional fields are valid when their Has bit is set.
type Target struct {
	ID          uint64 // target identifier (BER-OID)
	Has         TargetHas
	Centroid    uint64 // tag 1, pixel number (row·width + column + 1)
	TopLeft     uint64 // tag 2, pixel number of the bounding box's top left
	BottomRight uint64 // tag 3, pixel number of the bounding box's bottom right
	Priority    int    // tag 4, 1 (highest) to 255
	Confidence  int    // tag 5, percent
	HAE         float64
	Lat, Lon    float64 // tag 17 location pack, degrees
	LocationHAE float64 // tag 17 location pack, metres above the ellipsoid
	Row, Column uint64  // tags 19 and 20, centroid pixel row and column
	Unknown     int     // other items, and items of an unexpected length, skipped
}

// TargetHas says which optional fields of a Target hold a value.
type TargetHas uint16

// Optional fields of a Target.
const (
	HasCentroid   TargetHas = 1 << iota // Centroid
	HasBox                              // TopLeft and BottomRight
	HasPriority                         // Priority
	HasConfidence                       // Confidence
	HasHAE                              // HAE (tag 12, metres above the ellipsoid)
	HasLocation                         // Lat, Lon, LocationHAE
	HasRowColumn                        // Row and Column
)

// ST 0903 IMAPB mappings.
var (
	vmtiFOV = newIMAPB(0, 180, 2)
	vmtiHAE = newIMAPB(-900, 19000, 2)
	vmtiLat = newIMAPB(-90, 90, 4)
	vmtiLon = newIMAPB(-180, 180, 4)
)

// items walks a local set of BER-OID tags and BER lengths, calling f for
// each item; it reports false on a malformed or overrunning item.
func items(b []byte, f func(tag uint64, v []byte) bool) bool {
	for i := 0; i < len(b); {
		tag, tn := readBEROID(b[i:], 4)
		if tn <= 0 {
			return false
		}
		i += tn
		n, ln := readBERLength(b[i:])
		if ln <= 0 || n > len(b)-i-ln {
			return false
		}
		i += ln
		if !f(tag, b[i:i+n]) {
			return false
		}
		i += n
	}
	return true
}

func decodeVMTI(b []byte) (*VMTI, bool) {
	m := &VMTI{}
	return m, decodeVMTIInto(m, b)
}

// decodeVMTIInto decodes b into m, reusing m's target array and the
// strings that did not change.
func decodeVMTIInto(m *VMTI, b []byte) bool {
	name, sensor, targets := m.SystemName, m.SourceSensor, m.Targets[:0]
	*m = VMTI{Targets: targets}
	ok := items(b, func(tag uint64, v []byte) bool {
		switch tag {
		case 1, 2: // checksum (CRC-16-CCITT), precision time stamp: the 0601 packet's own apply
		case 3:
			m.SystemName = name
			if string(v) != name {
				m.SystemName = string(v)
			}
		case 4, 5, 6, 7, 8, 9:
			if len(v) < 1 || len(v) > 8 {
				m.Unknown++
				return true
			}
			u := readUint(v)
			switch tag {
			case 4:
				m.Version = int(u & 0xffff)
			case 5:
				m.TotalTargets = int(u & 0xffffffff)
			case 6:
				m.ReportedTargets = int(u & 0xffffffff)
			case 7:
				m.FrameNumber = u
			case 8:
				m.FrameWidth = int(u & 0xffffffff)
			case 9:
				m.FrameHeight = int(u & 0xffffffff)
			}
		case 10:
			m.SourceSensor = sensor
			if string(v) != sensor {
				m.SourceSensor = string(v)
			}
		case 11, 12:
			if len(v) != 2 {
				m.Unknown++
				return true
			}
			x, st := vmtiFOV.decodeInRange(v)
			if st == imapbNormal {
				if tag == 11 {
					m.HorizontalFOV = x
				} else {
					m.VerticalFOV = x
				}
			}
		case 101:
			return decodeTargets(m, v)
		default:
			m.Unknown++
		}
		return true
	})
	return ok
}

// decodeTargets reads a VTarget series: each VTarget pack is preceded by
// its BER length and begins with the target id (BER-OID).
func decodeTargets(m *VMTI, b []byte) bool {
	for i := 0; i < len(b); {
		n, ln := readBERLength(b[i:])
		if ln <= 0 || n > len(b)-i-ln {
			return false
		}
		i += ln
		pack := b[i : i+n]
		i += n
		id, idn := readBEROID(pack, 8)
		if idn <= 0 {
			return false
		}
		t := Target{ID: id}
		ok := items(pack[idn:], func(tag uint64, v []byte) bool {
			switch tag {
			case 1, 2, 3, 19, 20:
				if len(v) < 1 || len(v) > 8 {
					t.Unknown++
					return true
				}
				u := readUint(v)
				switch tag {
				case 1:
					t.Centroid, t.Has = u, t.Has|HasCentroid
				case 2:
					t.TopLeft, t.Has = u, t.Has|HasBox
				case 3:
					t.BottomRight, t.Has = u, t.Has|HasBox
				case 19:
					t.Row, t.Has = u, t.Has|HasRowColumn
				case 20:
					t.Column, t.Has = u, t.Has|HasRowColumn
				}
			case 4, 5:
				if len(v) != 1 {
					t.Unknown++
					return true
				}
				if tag == 4 {
					t.Priority, t.Has = int(v[0]), t.Has|HasPriority
				} else {
					t.Confidence, t.Has = int(v[0]), t.Has|HasConfidence
				}
			case 12:
				if len(v) != 2 {
					t.Unknown++
					return true
				}
				if x, st := vmtiHAE.decodeInRange(v); st == imapbNormal {
					t.HAE, t.Has = x, t.Has|HasHAE
				}
			case 17:
				if len(v) < 10 {
					t.Unknown++
					return true
				}
				lat, s1 := vmtiLat.decodeInRange(v[0:4])
				lon, s2 := vmtiLon.decodeInRange(v[4:8])
				hae, s3 := vmtiHAE.decodeInRange(v[8:10])
				if s1 == imapbNormal && s2 == imapbNormal && s3 == imapbNormal {
					t.Lat, t.Lon, t.LocationHAE, t.Has = lat, lon, hae, t.Has|HasLocation
				}
			default:
				t.Unknown++
			}
			return true
		})
		if !ok {
			return false
		}
		if len(m.Targets) >= maxTargets {
			m.Unknown++
			continue
		}
		m.Targets = append(m.Targets, t)
	}
	return true
}

// maxTargets bounds the targets kept from one VMTI set (each VTarget pack
// takes at least two bytes on the wire, so the input bounds them anyway).
const maxTargets = 4096

// appendVMTI appends m as an ST 0903 local set (without its checksum; the
// enclosing ST 0601 packet carries one).
func appendVMTI(dst []byte, m *VMTI) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("tag 74: nil VMTI")
	}
	uintItem := func(tag byte, u uint64) {
		dst = append(dst, tag, byte(uintSize(u)))
		dst = appendUint(dst, u, uintSize(u))
	}
	if m.SystemName != "" {
		dst = append(dst, 3)
		dst = appendBERLength(dst, len(m.SystemName))
		dst = append(dst, m.SystemName...)
	}
	if m.Version != 0 {
		uintItem(4, uint64(m.Version))
	}
	uintItem(5, uint64(m.TotalTargets))
	uintItem(6, uint64(m.ReportedTargets))
	if m.FrameNumber != 0 {
		uintItem(7, m.FrameNumber)
	}
	if m.FrameWidth != 0 {
		uintItem(8, uint64(m.FrameWidth))
	}
	if m.FrameHeight != 0 {
		uintItem(9, uint64(m.FrameHeight))
	}
	if m.SourceSensor != "" {
		dst = append(dst, 10)
		dst = appendBERLength(dst, len(m.SourceSensor))
		dst = append(dst, m.SourceSensor...)
	}
	if m.HorizontalFOV != 0 {
		if !(m.HorizontalFOV >= 0 && m.HorizontalFOV <= 180) {
			return nil, fmt.Errorf("tag 74: horizontal FOV %v out of [0, 180]", m.HorizontalFOV)
		}
		dst = vmtiFOV.encode(append(dst, 11, 2), m.HorizontalFOV)
	}
	if m.VerticalFOV != 0 {
		if !(m.VerticalFOV >= 0 && m.VerticalFOV <= 180) {
			return nil, fmt.Errorf("tag 74: vertical FOV %v out of [0, 180]", m.VerticalFOV)
		}
		dst = vmtiFOV.encode(append(dst, 12, 2), m.VerticalFOV)
	}
	if len(m.Targets) == 0 {
		return dst, nil
	}
	var series []byte
	for i := range m.Targets {
		p, err := appendTarget(nil, &m.Targets[i])
		if err != nil {
			return nil, err
		}
		series = appendBERLength(series, len(p))
		series = append(series, p...)
	}
	dst = append(dst, 101)
	dst = appendBERLength(dst, len(series))
	return append(dst, series...), nil
}

func appendTarget(dst []byte, t *Target) ([]byte, error) {
	dst = appendBEROID(dst, t.ID)
	uintItem := func(tag byte, u uint64) {
		dst = append(dst, tag, byte(uintSize(u)))
		dst = appendUint(dst, u, uintSize(u))
	}
	if t.Has&HasCentroid != 0 {
		uintItem(1, t.Centroid)
	}
	if t.Has&HasBox != 0 {
		uintItem(2, t.TopLeft)
		uintItem(3, t.BottomRight)
	}
	if t.Has&HasPriority != 0 {
		if t.Priority < 0 || t.Priority > 255 {
			return nil, fmt.Errorf("tag 74: target %d: priority %d out of [0, 255]", t.ID, t.Priority)
		}
		dst = append(dst, 4, 1, byte(t.Priority))
	}
	if t.Has&HasConfidence != 0 {
		if t.Confidence < 0 || t.Confidence > 100 {
			return nil, fmt.Errorf("tag 74: target %d: confidence %d out of [0, 100]", t.ID, t.Confidence)
		}
		dst = append(dst, 5, 1, byte(t.Confidence))
	}
	if t.Has&HasHAE != 0 {
		if !(t.HAE >= -900 && t.HAE <= 19000) {
			return nil, fmt.Errorf("tag 74: target %d: height %v out of [-900, 19000]", t.ID, t.HAE)
		}
		dst = vmtiHAE.encode(append(dst, 12, 2), t.HAE)
	}
	if t.Has&HasLocation != 0 {
		if !(math.Abs(t.Lat) <= 90 && math.Abs(t.Lon) <= 180 && t.LocationHAE >= -900 && t.LocationHAE <= 19000) {
			return nil, fmt.Errorf("tag 74: target %d: location %v, %v, %v out of range", t.ID, t.Lat, t.Lon, t.LocationHAE)
		}
		dst = append(dst, 17, 10)
		dst = vmtiLat.encode(dst, t.Lat)
		dst = vmtiLon.encode(dst, t.Lon)
		dst = vmtiHAE.encode(dst, t.LocationHAE)
	}
	if t.Has&HasRowColumn != 0 {
		uintItem(19, t.Row)
		uintItem(20, t.Column)
	}
	return dst, nil
}
