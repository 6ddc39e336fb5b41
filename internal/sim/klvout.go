package sim

import (
	"io"
	"math"
	"time"

	"github.com/vigia/vigia/internal/feed/klv"
	"github.com/vigia/vigia/internal/feed/mpegts"
	"github.com/vigia/vigia/internal/geo"
)

// PTSBase is the 90 kHz presentation time stamp of the scenario start in
// every transport stream the simulator writes (one second, so that the
// program clock, which runs 100 ms behind, never goes negative).
const PTSBase = 90000

// LSVersion is the ST 0601 version number sent in tag 65.
const LSVersion = 19

// cornerOffsetMax is the range of ST 0601 tags 26–33, degrees.
const cornerOffsetMax = 0.075

// PTS returns the 90 kHz time stamp of scenario time t.
func PTS(t time.Duration) int64 {
	return PTSBase + int64(math.Round(t.Seconds()*90000))
}

// KLVValues appends to dst the ST 0601 values that drone a sends at state s
// and UTC time ts: time stamp, mission id, platform attitude and
// designation, sensor position (MSL and height above ellipsoid), ground
// speed, LS version, and, with a sensor, the field of view, relative
// angles, slant range, frame centre and corner offsets.
func KLVValues(dst []klv.Value, a *Aircraft, s *State, ts time.Time, geoidN geo.Meters) []klv.Value {
	f := func(t klv.Tag, x float64) klv.Value { return klv.Value{Tag: t, Float: x} }
	dst = append(dst,
		klv.Value{Tag: klv.TagPrecisionTimeStamp, Time: ts.UTC()},
		klv.Value{Tag: klv.TagMissionID, Str: a.MissionID},
		f(klv.TagPlatformHeading, float64(s.Heading)),
		f(klv.TagPlatformPitch, clamp(float64(s.Pitch), 20)),
		f(klv.TagPlatformRoll, clamp(float64(s.Roll), 50)),
		klv.Value{Tag: klv.TagPlatformDesignation, Str: a.PlatformDesignation},
		f(klv.TagSensorLatitude, float64(s.Pos.Lat)),
		f(klv.TagSensorLongitude, float64(s.Pos.Lon)),
		f(klv.TagSensorTrueAltitude, float64(s.Alt)),
	)
	if sn := a.Sensor; sn != nil {
		v := sn.Look(s, geoidN)
		dst = append(dst,
			f(klv.TagSensorHorizontalFOV, float64(sn.HFOV)),
			f(klv.TagSensorVerticalFOV, float64(sn.VFOV)),
			f(klv.TagSensorRelativeAzimuth, float64(v.RelAzimuth)),
			f(klv.TagSensorRelativeElevation, float64(v.RelElevation)),
			f(klv.TagSensorRelativeRoll, float64(v.RelRoll)),
			f(klv.TagSlantRange, float64(v.SlantRange)),
			f(klv.TagFrameCenterLatitude, float64(v.Center.Lat)),
			f(klv.TagFrameCenterLongitude, float64(v.Center.Lon)),
			f(klv.TagFrameCenterElevation, float64(sn.TargetElevation)),
		)
		if v.HasCorners && cornersFit(&v) {
			for i, c := range v.Corners {
				dst = append(dst,
					f(klv.TagOffsetCornerLatitude1+klv.Tag(2*i), float64(c.Lat-v.Center.Lat)),
					f(klv.TagOffsetCornerLongitude1+klv.Tag(2*i), float64(c.Lon-v.Center.Lon)))
			}
		}
	}
	dst = append(dst,
		f(klv.TagPlatformGroundSpeed, math.Min(s.Speed, 255)),
		f(klv.TagLSVersion, LSVersion),
		f(klv.TagSensorEllipsoidHeight, float64(s.Alt+geoidN)),
	)
	return dst
}

// cornersFit reports whether every corner offset is inside the range of
// tags 26–33 (otherwise they are left out).
func cornersFit(v *View) bool {
	for _, c := range v.Corners {
		if math.Abs(float64(c.Lat-v.Center.Lat)) > cornerOffsetMax || math.Abs(float64(c.Lon-v.Center.Lon)) > cornerOffsetMax {
			return false
		}
	}
	return true
}

func clamp(x, lim float64) float64 { return math.Max(-lim, math.Min(lim, x)) }

// tsWriter writes one drone's transport stream: video frames and KLV
// packets in time order through an mpegts.Muxer.
type tsWriter struct {
	mux  *mpegts.Muxer
	vals []klv.Value
	pkt  []byte
}

func newTSWriter(w io.Writer, a *Aircraft) (*tsWriter, error) {
	m, err := mpegts.NewMuxer(w, mpegts.MuxOptions{Carriage: a.Carriage, FrameRate: a.FrameRate})
	if err != nil {
		return nil, err
	}
	return &tsWriter{mux: m}, nil
}

// klv encodes and writes one packet; it returns the packet's bytes (valid
// until the next call).
func (w *tsWriter) klv(a *Aircraft, s *State, ts time.Time, geoidN geo.Meters, t time.Duration) ([]byte, error) {
	w.vals = KLVValues(w.vals[:0], a, s, ts, geoidN)
	var err error
	w.pkt, err = klv.Encode(w.pkt[:0], w.vals)
	if err != nil {
		return nil, err
	}
	return w.pkt, w.mux.WriteMetadata(PTS(t), w.pkt)
}
