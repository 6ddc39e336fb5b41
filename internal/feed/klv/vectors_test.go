package klv

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Published test vectors. Each is cited where it is used:
//
//   - testdata/st0902_dynamic_only.bin and st0902_dynamic_constant.bin:
//     the "Dynamic Only" and "Dynamic and Constant" MISMMS packets of MISB
//     ST 0902.5 Annex C, as published with klvdata
//     (https://github.com/paretech/klvdata, data/, commit 62d5552b).
//     The stored checksum of the "Dynamic and Constant" packet (0xAA43) is
//     wrong: the running sum of its bytes is 0x3E1E.
//   - testdata/st0601_kwiver.bin: the ST 0601.17 local set of every tag 2 to
//     143 with its checksum footer 01 02 DE 18, from KWIVER's
//     arrows/klv/tests/test_klv_0601.cxx (https://github.com/Kitware/kwiver,
//     commit 02397a25), wrapped in the ST 0601 key and a two-byte long-form
//     BER length (0x82 0x03 0xBF), the framing for which DE18 is the sum.
//   - testdata/st1201_vectors.json: the finite, in-range entries of the MISB
//     ST 1201 IMAPB test vectors shipped with jmisb
//     (https://github.com/WestRidgeSystems/jmisb,
//     api/src/test/resources/org/jmisb/api/klv/st1201/st1201tests.json,
//     commit ede21c11), fields L, a, b, x, forwardResultHex, reverseResult.
//   - testdata/st0903_jmisb.bin: jmisb's api/src/test/resources/0903.bin,
//     a stream of ST 0903 VMTI local sets.

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestST0902DynamicOnly decodes the ST 0902.5 Annex C "Dynamic Only" packet
// and checks the values its annex lists.
func TestST0902DynamicOnly(t *testing.T) {
	b := readTestdata(t, "st0902_dynamic_only.bin")
	p, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasChecksum || !p.ChecksumOK || p.Checksum != 0xC850 {
		t.Errorf("checksum: has %v ok %v stored %#04x, want 0xC850 verified", p.HasChecksum, p.ChecksumOK, p.Checksum)
	}
	if p.Length != len(b) || p.Unknown != 0 || p.Malformed != 0 {
		t.Errorf("length %d unknown %d malformed %d, want %d 0 0", p.Length, p.Unknown, p.Malformed, len(b))
	}
	ts, _ := p.Get(TagPrecisionTimeStamp)
	if want := time.Date(2009, 1, 12, 22, 8, 22, 0, time.UTC); !ts.Time.Equal(want) {
		t.Errorf("time %v, want %v", ts.Time, want)
	}
	want := []struct {
		tag Tag
		v   float64
	}{
		{TagPlatformHeading, 159.974364843}, {TagPlatformPitch, -0.431531724}, {TagPlatformRoll, 3.405865658},
		{TagSensorLatitude, 60.176822967}, {TagSensorLongitude, 128.426759042}, {TagSensorTrueAltitude, 14190.72},
		{TagSensorHorizontalFOV, 144.5713}, {TagSensorVerticalFOV, 152.6436}, {TagSensorRelativeAzimuth, 160.719211474},
		{TagSensorRelativeElevation, -168.792324834}, {TagSensorRelativeRoll, 0}, {TagSlantRange, 68590.9832},
		{TagTargetWidth, 722.8199}, {TagFrameCenterLatitude, -10.542388633}, {TagFrameCenterLongitude, 29.157890123},
		{TagFrameCenterElevation, 3216.037}, {TagLSVersion, 6},
	}
	for _, w := range want {
		got, ok := p.Float(w.tag)
		if !ok || !near(got, w.v, 1e-3) {
			t.Errorf("tag %d (%s) = %v, %v; want %v", w.tag, w.tag.Name(), got, ok, w.v)
		}
	}
}

// TestST0902DynamicConstantWrongChecksum decodes the ST 0902.5 Annex C
// "Dynamic and Constant" packet, whose stored checksum is wrong, with its
// nested ST 0102 security set.
func TestST0902DynamicConstantWrongChecksum(t *testing.T) {
	b := readTestdata(t, "st0902_dynamic_constant.bin")
	p, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasChecksum || p.ChecksumOK || p.Checksum != 0xAA43 {
		t.Errorf("checksum: has %v ok %v stored %#04x; want stored 0xAA43 flagged bad", p.HasChecksum, p.ChecksumOK, p.Checksum)
	}
	if got := Checksum(b[:len(b)-2]); got != 0x3E1E {
		t.Errorf("running sum %#04x, want 0x3e1e", got)
	}
	for tag, want := range map[Tag]string{
		TagMissionID: "Mission 12", TagPlatformDesignation: "Predator",
		TagImageSourceSensor: "EO Nose", TagImageCoordinateSystem: "Geodetic WGS84",
	} {
		if v, _ := p.Get(tag); v.Str != want {
			t.Errorf("tag %d = %q, want %q", tag, v.Str, want)
		}
	}
	sv, ok := p.Get(TagSecurityLocalSet)
	if !ok || sv.Security == nil {
		t.Fatal("no security set")
	}
	s := sv.Security
	if s.Classification != 1 || s.ClassifyingCountryCodingMethod != 7 || s.ClassifyingCountry != "//USA" ||
		s.ObjectCountryCodingMethod != 7 || s.ObjectCountryCodes != "USA" || s.Version != 10 {
		t.Errorf("security %+v", *s)
	}
	mv, ok := p.Get(TagMIISCoreIdentifier)
	if !ok || len(mv.Bytes) != 0x22 || mv.Bytes[0] != 0x01 || mv.Bytes[1] != 0x70 {
		t.Errorf("MIIS core identifier %x", mv.Bytes)
	}
}

// kwiverExpected holds the values of KWIVER's test_klv_0601.cxx
// expected_result for the numeric tags (see the file comment).
var kwiverExpected = map[Tag]float64{
	TagPlatformHeading: 159.97436484321355, TagPlatformPitch: -0.4315317239906003, TagPlatformRoll: 3.4058656575212867,
	TagPlatformTrueAirspeed: 147, TagPlatformIndicatedAirspeed: 159,
	TagSensorLatitude: 60.176822966978335, TagSensorLongitude: 128.42675904204452, TagSensorTrueAltitude: 14190.719462882427,
	TagSensorHorizontalFOV: 144.57129777981231, TagSensorVerticalFOV: 152.64362554360267,
	TagSensorRelativeAzimuth: 160.71921143697557, TagSensorRelativeElevation: -168.79232483394085,
	TagSensorRelativeRoll: 176.86543764939194, TagSlantRange: 68590.983298744770, TagTargetWidth: 722.81986724650960,
	TagFrameCenterLatitude: -10.542388633146132, TagFrameCenterLongitude: 29.157890122923018,
	TagFrameCenterElevation:  3216.0372320134275,
	TagOffsetCornerLatitude1: 0.013660084841456343, TagOffsetCornerLongitude1: 0.0036599322489089632,
	TagOffsetCornerLatitude2: -0.0036599322489089632, TagOffsetCornerLongitude2: 0.013660084841456343,
	TagOffsetCornerLatitude3: -0.011062196722312082, TagOffsetCornerLongitude3: -0.005159154026917325,
	TagOffsetCornerLatitude4: 0.0010620441297647023, TagOffsetCornerLongitude4: -0.01216086306344798,
	TagIcingDetected: 2, TagWindDirection: 235.92401007095447, TagWindSpeed: 69.803921568627445,
	TagStaticPressure: 3725.1850156404976, TagDensityAltitude: 14818.677042801555, TagOutsideAirTemperature: 84,
	TagTargetLocationLatitude: -79.163850051892850, TagTargetLocationLongitude: 166.40081296041646,
	TagTargetLocationElevation: 18389.047074082551, TagTargetTrackGateWidth: 6, TagTargetTrackGateHeight: 30,
	TagTargetErrorEstimateCE90: 425.21515220874340, TagTargetErrorEstimateLE90: 608.92309452964071,
	TagGenericFlagData: 0x31, TagDifferentialPressure: 1191.9584954604411,
	TagPlatformAngleOfAttack: -8.6703085421308028, TagPlatformVerticalSpeed: -61.887874996185190,
	TagPlatformSideslipAngle: -5.0825525681325727, TagAirfieldBarometricPressure: 2088.9600976577403,
	TagAirfieldElevation: 8306.8055237659264, TagRelativeHumidity: 50.588235294117645, TagPlatformGroundSpeed: 140,
	TagGroundRange: 3506979.0316063400, TagPlatformFuelRemaining: 6420.5386434729535, TagWeaponLoad: 45016,
	TagWeaponFired: 186, TagLaserPRFCode: 1743, TagSensorFOVName: 2, TagPlatformMagneticHeading: 311.86816205081254,
	TagLSVersion: 13, TagAlternatePlatformLatitude: -86.041207348947040, TagAlternatePlatformLongitude: 0.15552755452484243,
	TagAlternatePlatformAltitude: 9.4453345540549662, TagAlternatePlatformHeading: 32.60242618448158,
	TagSensorEllipsoidHeight: 14190.719462882427, TagAlternatePlatformEllipsoidHeight: 9.4453345540549662,
	TagOperationalMode: 1, TagFrameCenterHeightAboveEllipsoid: 9.4453345540549662,
	TagSensorNorthVelocity: 25.497756889553518, TagSensorEastVelocity: 12.095217749565112,
	TagCornerLatitude1Full: -10.528728394084018, TagCornerLongitude1Full: 29.161550416220702,
	TagCornerLatitude2Full: -10.546048884534299, TagCornerLongitude2Full: 29.171550361985130,
	TagCornerLatitude3Full: -10.553450817499986, TagCornerLongitude3Full: 29.152729888052090,
	TagCornerLatitude4Full: -10.541326436466223, TagCornerLongitude4Full: 29.145729909253181,
	TagPlatformPitchFull: -0.43152510208614409, TagPlatformRollFull: 3.4058139815022304,
	TagPlatformAngleOfAttackFull: -8.6701769841230370, TagPlatformSideslipAngleFull: -47.683000037299003,
	TagTargetWidthExtended: 13898.5, TagDensityAltitudeExtended: 23456.234375,
	TagSensorEllipsoidHeightExtended: 23456.234375, TagAlternatePlatformEllipsoidHeightExtended: 23456.234375,
	TagRangeToRecoveryLocation: 1.625, TagTimeAirborne: 19887, TagPropulsionUnitSpeed: 3000,
	TagPlatformCourseAngle: 125, TagAltitudeAGL: 2150, TagRadarAltimeter: 2154.5,
	TagSensorAzimuthRate: 1, TagSensorElevationRate: 0.004150390625, TagSensorRollRate: -50,
	TagOnBoardMIStoragePercentFull: 72, TagNumberOfNAVSATsInView: 7, TagPositioningMethodSource: 3,
	TagPlatformStatus: 9, TagSensorControlMode: 5, TagSensorFrameRatePack: 60000.0 / 1001,
	TagTransmissionFrequency: 2400, TagOnBoardMIStorageCapacity: 10000, TagZoomPercentage: 55,
	TagLeapSeconds: 30, TagCorrectionOffset: 5025678901, TagMetadataSubstreamID: 7,
}

// TestKWIVEREveryTag decodes KWIVER's ST 0601 packet of every tag up to 143
// (see the file comment) and checks each value against KWIVER's expected
// result, the strings, times and opaque values included.
func TestKWIVEREveryTag(t *testing.T) {
	b := readTestdata(t, "st0601_kwiver.bin")
	p, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !p.ChecksumOK || p.Checksum != 0xDE18 {
		t.Errorf("checksum ok %v stored %#04x, want DE18 verified", p.ChecksumOK, p.Checksum)
	}
	if p.Unknown != 0 || p.Malformed != 0 {
		t.Errorf("unknown %d malformed %d", p.Unknown, p.Malformed)
	}
	seen := map[Tag]bool{}
	for _, v := range p.Values {
		seen[v.Tag] = true
	}
	for tag := Tag(2); tag <= MaxTag; tag++ {
		if !seen[tag] && tag != TagTargetLocationCovariance { // tag 66 is deprecated and absent
			t.Errorf("tag %d (%s) not decoded", tag, tag.Name())
		}
	}
	for tag, want := range kwiverExpected {
		got, ok := p.Float(tag)
		if !ok || !near(got, want, 1e-9*math.Max(1, math.Abs(want))) {
			t.Errorf("tag %d (%s) = %.17g, %v; want %.17g", tag, tag.Name(), got, ok, want)
		}
	}
	strs := map[Tag]string{
		TagMissionID: "MISSION01", TagPlatformTailNumber: "AF-101", TagPlatformDesignation: "MQ1-B",
		TagImageSourceSensor: "EO", TagImageCoordinateSystem: "Geodetic WGS84", TagPlatformCallSign: "TOP GUN",
		TagAlternatePlatformName: "APACHE", TagStreamDesignator: "BLUE", TagOperationalBase: "BASE01",
		TagBroadcastSource: "HOME", TagTargetID: "A123", TagCommunicationsMethod: "Frequency Modulation",
	}
	for tag, want := range strs {
		if v, _ := p.Get(tag); v.Str != want {
			t.Errorf("tag %d = %q, want %q", tag, v.Str, want)
		}
	}
	times := map[Tag]int64{TagPrecisionTimeStamp: 0x000459F4A6AA4AA8, TagEventStartTime: 798039894000000, TagTakeOffTime: 1529588637122999}
	for tag, us := range times {
		if v, _ := p.Get(tag); v.Time.UnixMicro() != us {
			t.Errorf("tag %d = %v (%d µs), want %d µs", tag, v.Time, v.Time.UnixMicro(), us)
		}
	}
	if v, _ := p.Get(TagPrecisionTimeStamp); v.Time.Format(time.RFC3339Nano) != "2008-10-24T00:13:29.913Z" {
		t.Errorf("precision time stamp %v", v.Time)
	}
	if v, _ := p.Get(TagImageHorizonPixelPack); hex.EncodeToString(v.Bytes) != "00243800" {
		t.Errorf("image horizon pixel pack %x", v.Bytes)
	}
	if v, _ := p.Get(TagViewDomain); len(v.Bytes) != 14 {
		t.Errorf("view domain %x", v.Bytes)
	}
	// KWIVER: {GENC three-letter, "CAN", none, "FRA"}.
	if v, _ := p.Get(TagCountryCodes); v.Countries == nil || *v.Countries != (CountryCodes{14, "CAN", "", "FRA"}) {
		t.Errorf("country codes %+v", v.Countries)
	}
	if v, _ := p.Get(TagSecurityLocalSet); v.Security == nil {
		t.Error("empty security set not decoded")
	}
	if v, _ := p.Get(TagVMTILocalSet); v.VMTI == nil || len(v.VMTI.Targets) != 0 {
		t.Error("empty VMTI set not decoded")
	}
}

// TestKWIVERReencode re-encodes every value decoded from KWIVER's packet
// (see the file comment) and gets the same bytes back, the checksum
// included: the nested sets, which KWIVER sends empty, are left out of
// both.
func TestKWIVERReencode(t *testing.T) {
	b := readTestdata(t, "st0601_kwiver.bin")
	p, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var vals []Value
	for _, v := range p.Values {
		if v.Tag != TagSecurityLocalSet && v.Tag != TagVMTILocalSet {
			vals = append(vals, v)
		}
	}
	got, err := Encode(nil, vals)
	if err != nil {
		t.Fatal(err)
	}
	// The published packet without the empty items 48 (30 00) and 74 (4A 00).
	body := strings.Replace(hex.EncodeToString(b[19:len(b)-4]), "2f0131"+"3000", "2f0131", 1)
	body = strings.Replace(body, "4900"+"4a00", "4900", 1)
	want, _ := hex.DecodeString(body)
	q, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !q.ChecksumOK {
		t.Error("re-encoded checksum does not verify")
	}
	if gotBody := got[19 : len(got)-4]; hex.EncodeToString(gotBody) != hex.EncodeToString(want) {
		t.Errorf("re-encoded body differs:\n got %x\nwant %x", gotBody, want)
	}
}

// TestChecksumVector is the checksum example of MISB ST 0601 (section
// "Checksum"), as tested by jmisb's ChecksumTest.testFromSt: the bytes
// 06 0E 2B 34 02 00 81 BB sum to 0xB4FD.
func TestChecksumVector(t *testing.T) {
	if got := Checksum([]byte{0x06, 0x0e, 0x2b, 0x34, 0x02, 0x00, 0x81, 0xbb}); got != 0xB4FD {
		t.Errorf("checksum %#04x, want 0xb4fd", got)
	}
}

// TestKLVDataTagExamples checks single items against the examples of MISB
// ST 0601.9 and ST 0601.11 section 8 ("Conversions and Mappings of Metadata
// Types") as published in klvdata's test/test_misb_0601.py
// (https://github.com/paretech/klvdata). Where klvdata also encodes the
// example value (encode true), Encode must give the same bytes.
func TestKLVDataTagExamples(t *testing.T) {
	cases := []struct {
		item   string
		value  float64
		tol    float64
		encode bool
	}{
		{"05 02 71 C2", 159.974, 1e-3, false},
		{"06 02 FD 3D", -0.4315, 1e-4, false},
		{"07 02 08 b8", 3.405814, 1e-4, true},
		{"08 01 93", 147, 0, true},
		{"09 01 9f", 159, 0, true},
		{"0D 04 55 95 B6 6D", 60.1768229669783, 1e-9, true},
		{"0E 04 5B 53 60 c4", 128.426759042045, 1e-9, true},
		{"0F 02 c2 21", 14190.72, 0.2, true},
		{"10 02 cd 9c", 144.5713, 2e-3, true},
		{"11 02 d9 17", 152.6436, 2e-3, true},
		{"12 04 72 4a 0a 20", 160.719211474396, 1e-7, true},
		{"13 04 87 f8 4b 86", -168.792324833941, 1e-7, true},
		{"14 04 7d c5 5e ce", 176.865437690572, 1e-7, true},
		{"15 04 03 83 09 26", 68590.9832, 1e-3, true},
		{"16 02 12 81", 722.8199, 0.1, true},
		{"17 04 f1 01 a2 29", -10.5423886331461, 1e-7, true},
		{"18 04 14 bc 08 2b", 29.157890122923, 1e-7, true},
		{"19 02 34 f3", 3216.037, 0.2, true},
		{"1a 02 c0 6e", -10.579637999887 - -10.5423886331461, 3e-6, true},
		{"1b 02 cb e9", 29.1273677986333 - 29.157890122923, 3e-6, true},
		{"1c 02 d7 65", -10.5661816260963 - -10.5423886331461, 3e-6, true},
		{"1d 02 e2 e0", 29.140824172424 - 29.157890122923, 3e-6, true},
		{"1e 02 ee 5b", -10.5527275411938 - -10.5423886331461, 3e-6, true},
		{"1f 02 f9 d6", 29.1542782573265 - 29.157890122923, 3e-6, true},
		{"20 02 05 52", -10.5392711674031 - -10.5423886331461, 3e-6, true},
		{"21 02 10 cd", 29.1677346311172 - 29.157890122923, 3e-6, true},
		{"22 01 9b", 155, 0, true},
		{"23 02 a7 c4", 235.924, 3e-3, true},
		{"24 01 b2", 69.80392, 1e-4, true},
		{"25 02 be ba", 3725.185, 0.04, true},
		{"26 02 CA 35", 14818.68, 0.2, true},
		{"27 01 54", 84, 0, true},
		{"28 04 8F 69 52 62", -79.1638500518929, 1e-7, true},
		{"29 04 76 54 57 F2", 166.400812960416, 1e-7, true},
		{"2A 02 F8 23", 18389.05, 0.2, true},
		{"2B 01 03", 6, 0, true},
		{"2C 01 0F", 30, 0, true},
		{"2D 02 1A 95", 425.21515, 0.04, true},
		{"2E 02 26 11", 608.92309, 0.04, true},
		{"2F 01 31", 49, 0, true},
		{"31 02 3D 07", 1191.958, 0.04, true},
		{"32 02 C8 83", -8.670177, 1e-3, true},
		{"33 02 D3 FE", -61.88693, 3e-3, true},
		{"34 02 DF 79", -5.082475, 1e-3, true},
		{"35 02 6A F4", 2088.96, 0.04, true},
		{"36 02 76 70", 8306.806, 0.2, true},
		{"37 01 81", 50.58823, 1e-4, true},
		{"38 01 8C", 140, 0, true},
		{"39 04 b3 8e ac f1", 3506979.0316, 1e-3, true},
		{"3A 02 A4 5D", 6420.539, 0.1, true},
		{"3C 02 AF D8", 45016, 0, true},
		{"3D 01 BA", 186, 0, true},
		{"3E 02 C6 CF", 50895, 0, true},
		{"3F 01 D1", 209, 0, true},
		{"40 02 DD C5", 311.8682, 3e-3, true},
		{"41 01 E8", 232, 0, true},
		{"43 04 85 A1 5A 39", -86.041207348947, 1e-7, true},
		{"44 04 00 1C 50 1C", 0.155527554524842, 1e-7, true},
		{"45 02 0B B3", 9.445334, 0.2, true},
		{"47 02 17 2F", 32.60242, 3e-3, true},
		{"4B 02 C2 21", 14190.72, 0.2, true},
		{"4C 02 0B B3", 9.445334, 0.2, true},
		{"4D 01 00", 0, 0, true},
		{"4E 02 0B B3", 9.445334, 0.2, true},
		{"4F 02 80 01", -327, 0, true},
		{"50 02 80 01", -327, 0, true},
		{"52 04 F0 F4 12 44", -10.579637999887, 1e-7, true},
		{"53 04 14 B6 79 B9", 29.1273677986333, 1e-7, true},
		{"54 04 F0 F8 F8 7E", -10.5661816260963, 1e-7, true},
		{"55 04 14 B8 EC D6", 29.140824172424, 1e-7, true},
		{"56 04 F0 FD DE 81", -10.5527275411938, 1e-7, true},
		{"57 04 14 BB 5F D8", 29.1542782573265, 1e-7, true},
		{"58 04 F1 02 C4 BB", -10.5392711674031, 1e-7, true},
		{"59 04 14 BD D2 F5", 29.1677346311172, 1e-7, true},
		{"5A 04 FF 62 E2 F2", -0.4315251, 1e-7, true},
		{"5B 04 04 D8 04 DF", 3.405814, 1e-7, true},
		{"5C 04 F3 AB 48 EF", -8.670177, 1e-7, true},
	}
	for _, c := range cases {
		item, err := hex.DecodeString(strings.ReplaceAll(c.item, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		pkt := append(append(UniversalLabel[:len(UniversalLabel):len(UniversalLabel)], byte(len(item))), item...)
		p, err := Decode(pkt)
		if err != nil {
			t.Errorf("%s: %v", c.item, err)
			continue
		}
		tag := Tag(item[0])
		got, ok := p.Float(tag)
		if !ok || !near(got, c.value, c.tol) {
			t.Errorf("%s: tag %d (%s) = %v, %v; want %v ± %v", c.item, tag, tag.Name(), got, ok, c.value, c.tol)
		}
		if !c.encode {
			continue
		}
		enc, err := Encode(nil, []Value{{Tag: tag, Float: c.value}})
		if err != nil {
			t.Errorf("%s: encode: %v", c.item, err)
			continue
		}
		if gotItem := enc[17 : len(enc)-4]; hex.EncodeToString(gotItem) != hex.EncodeToString(item) {
			t.Errorf("encode tag %d %v = % x, want % x", tag, c.value, gotItem, item)
		}
	}
}

// TestST1201Vectors checks the IMAPB mapping against the ST 1201 test
// vectors shipped with jmisb (see the file comment): forward (encode) and
// reverse (decode) results for 976 values, lengths 1 to 8.
func TestST1201Vectors(t *testing.T) {
	var vecs []struct {
		L          int
		A, B, X    float64
		ForwardHex string  `json:"forwardResultHex"`
		Reverse    float64 `json:"reverseResult"`
	}
	if err := json.Unmarshal(readTestdata(t, "st1201_vectors.json"), &vecs); err != nil {
		t.Fatal(err)
	}
	if len(vecs) < 900 {
		t.Fatalf("only %d vectors", len(vecs))
	}
	for _, v := range vecs {
		m := newIMAPB(v.A, v.B, v.L)
		want, err := strconv.ParseUint(strings.TrimPrefix(v.ForwardHex, "0x"), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		enc := m.encode(nil, v.X)
		if got := readUint(enc); got != want {
			t.Errorf("L=%d [%v, %v] encode(%v) = %#x, want %#x", v.L, v.A, v.B, v.X, got, want)
			continue
		}
		got, st := m.decode(enc)
		if st != imapbNormal || !near(got, v.Reverse, 1e-12*math.Max(1, math.Abs(v.Reverse))) {
			t.Errorf("L=%d [%v, %v] decode(%#x) = %v (%v), want %v", v.L, v.A, v.B, want, got, st, v.Reverse)
		}
	}
}

// TestVMTIjmisb decodes the first ST 0903 VMTI local set of jmisb's
// 0903.bin (see the file comment) down to its two targets.
func TestVMTIjmisb(t *testing.T) {
	b := readTestdata(t, "st0903_jmisb.bin")
	n, k := readBERLength(b[16:])
	m, ok := decodeVMTI(b[16+k : 16+k+n])
	if !ok {
		t.Fatal("not decoded")
	}
	if m.SystemName != "Example Targeting System" || m.Version != 4 || m.FrameNumber != 1 ||
		m.FrameWidth != 1000 || m.FrameHeight != 600 || m.SourceSensor != "EO Nose" {
		t.Errorf("VMTI %+v", *m)
	}
	if len(m.Targets) != 2 {
		t.Fatalf("%d targets, want 2", len(m.Targets))
	}
	t0, t1 := m.Targets[0], m.Targets[1]
	if t0.ID != 0 || t0.Centroid != 0x05ea12 || t0.TopLeft != 0x08127a || t0.BottomRight != 0x063fd6 || t0.Confidence != 15 {
		t.Errorf("target 0 %+v", t0)
	}
	if t1.ID != 1 || t1.Centroid != 0x055fcd || t1.Confidence != 0x54 {
		t.Errorf("target 1 %+v", t1)
	}
	if m.Unknown != 2 { // algorithm (102) and ontology (103) series
		t.Errorf("unknown %d, want 2", m.Unknown)
	}
}

// TestVTargetSeriesjmisb decodes the two-target VTarget series of jmisb's
// VTargetSeriesTest (api/src/test/java/org/jmisb/api/klv/st0903/
// VTargetSeriesTest.java): priority 27; height 10000 m, centroid row 872,
// column 1137.
func TestVTargetSeriesjmisb(t *testing.T) {
	series := []byte{4, 0x01, 0x04, 0x01, 0x1B, 13, 0x02, 0x0C, 0x02, 0x2a, 0x94, 0x13, 0x02, 0x03, 0x68, 0x14, 0x02, 0x04, 0x71}
	var m VMTI
	if !decodeTargets(&m, series) || len(m.Targets) != 2 {
		t.Fatalf("targets %+v", m.Targets)
	}
	a, b := m.Targets[0], m.Targets[1]
	if a.ID != 1 || a.Has != HasPriority || a.Priority != 27 {
		t.Errorf("target 1 %+v", a)
	}
	if b.ID != 2 || b.Has != HasHAE|HasRowColumn || b.HAE != 10000 || b.Row != 872 || b.Column != 1137 {
		t.Errorf("target 2 %+v", b)
	}
}

// TestTruncated cuts the published KWIVER packet at every length: each cut
// is an ErrTruncated error naming a byte offset, never a panic.
func TestTruncated(t *testing.T) {
	b := readTestdata(t, "st0601_kwiver.bin")
	for n := 1; n < len(b); n++ {
		_, err := Decode(b[:n])
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d: %v, want ErrTruncated", n, err)
		}
		if !strings.Contains(err.Error(), "offset ") {
			t.Fatalf("cut at %d: %v names no offset", n, err)
		}
	}
	// A packet whose announced length runs past an item: the ST 0902
	// Dynamic Only packet with its length byte raised by 3.
	d := readTestdata(t, "st0902_dynamic_only.bin")
	d[16] += 3
	if _, err := Decode(d); !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "offset 114") {
		t.Errorf("over-long packet: %v", err)
	}
	if _, err := Decode([]byte("not a KLV packet at all")); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key: %v", err)
	}
}

// TestUnknownTag adds items of tags ST 0601 does not define (200, with a
// two-byte BER-OID tag and a long-form length, and 16383) to the published
// ST 0902 Dynamic Only packet: they are skipped and counted, and every
// other value decodes as before.
func TestUnknownTag(t *testing.T) {
	orig := readTestdata(t, "st0902_dynamic_only.bin")
	items := orig[17 : len(orig)-4]
	extra := append([]byte{0x81, 0x48, 0x81, 0x81}, make([]byte, 0x81)...) // tag 200, length 129
	extra = append(extra, 0xFF, 0x7F, 0x01, 0x00)                          // tag 16383, length 1
	body := append(append(append([]byte{}, items[:10]...), extra...), items[10:]...)
	pkt := append([]byte{}, UniversalLabel[:]...)
	pkt = appendBERLength(pkt, len(body)+4)
	pkt = append(append(pkt, body...), 1, 2)
	sum := Checksum(pkt)
	pkt = append(pkt, byte(sum>>8), byte(sum))
	p, err := Decode(pkt)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := Decode(orig)
	if p.Unknown != 2 || !p.ChecksumOK || len(p.Values) != len(q.Values) {
		t.Fatalf("unknown %d checksum %v values %d, want 2 true %d", p.Unknown, p.ChecksumOK, len(p.Values), len(q.Values))
	}
	for i := range q.Values {
		if p.Values[i].Tag != q.Values[i].Tag || p.Values[i].Float != q.Values[i].Float || !p.Values[i].Time.Equal(q.Values[i].Time) {
			t.Errorf("value %d: %+v, want %+v", i, p.Values[i], q.Values[i])
		}
	}
	if js := string(p.AppendJSON(nil)); !strings.Contains(js, `"unknown_tags":2`) {
		t.Errorf("JSON lacks unknown_tags: %s", js)
	}
}

// TestJMISBItemVectors checks single values against the byte arrays of
// jmisb's ST 0601 unit tests (api/src/test/java/org/jmisb/api/klv/st0601/,
// commit ede21c11; the class is named per case): Encode gives the bytes
// (at the default IMAPB lengths) and Decode the value.
func TestJMISBItemVectors(t *testing.T) {
	cases := []struct {
		test  string
		tag   Tag
		value float64
		bytes string
		tol   float64
	}{
		{"SensorLatitudeTest", TagSensorLatitude, -90, "80000001", 0},
		{"SensorLatitudeTest", TagSensorLatitude, 90, "7fffffff", 0},
		{"SensorLatitudeTest", TagSensorLatitude, 0, "00000000", 0},
		{"SensorLatitudeTest", TagSensorLatitude, 60.1768229669783, "5595b66d", 1e-7},
		{"CornerOffsetTest", TagOffsetCornerLatitude1, -0.075, "8001", 0},
		{"CornerOffsetTest", TagOffsetCornerLongitude1, 0.075, "7fff", 0},
		{"CornerOffsetTest", TagOffsetCornerLatitude2, 0, "0000", 0},
		{"CornerOffsetTest", TagOffsetCornerLatitude1, -0.037249367, "c06e", 3e-6},
		{"PlatformPitchAngleTest", TagPlatformPitch, -20, "8001", 0},
		{"PlatformPitchAngleTest", TagPlatformPitch, 20, "7fff", 0},
		{"AltitudeAGLTest", TagAltitudeAGL, 2150, "05f500", 0.01},
		{"SensorEllipsoidHeightExtendedTest", TagSensorEllipsoidHeightExtended, 23456.24, "2f921e", 0.01},
		{"DensityAltitudeExtendedTest", TagDensityAltitudeExtended, 23456.24, "2f921e", 0.01},
		{"PlatformCourseAngleTest", TagPlatformCourseAngle, 125, "1f40", 0.001},
		{"ZoomPercentageTest", TagZoomPercentage, 55, "3700", 0.01},
		{"TransmissionFrequencyTest", TagTransmissionFrequency, 2400, "0257c0", 0.01},
		{"SensorAngleRateTest", TagSensorAzimuthRate, 1, "3e9000", 0.001},
		{"SensorAngleRateTest", TagSensorElevationRate, 0.004176, "3e8011", 1e-4},
		{"RangeToRecoveryLocationTest", TagRangeToRecoveryLocation, 1.625, "0001a0", 0.001},
		{"TargetWidthExtendedTest", TagTargetWidthExtended, 13898.5463, "00d92a", 0.25},
		{"OnBoardMiStoragePercentFullTest", TagOnBoardMIStoragePercentFull, 72, "4800", 0.01},
		{"RadarAltimeterTest", TagRadarAltimeter, 2154.5, "05f740", 0.01},
		{"SensorFrameRateTest", TagSensorFrameRatePack, 30, "1e", 0},
	}
	for _, c := range cases {
		b, err := Encode(nil, []Value{{Tag: c.tag, Float: c.value}})
		if err != nil {
			t.Errorf("%s: %v", c.test, err)
			continue
		}
		p, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		v := p.Values[0]
		item := b[17 : len(b)-4]
		_, tn := readBEROID(item, 4)
		n, ln := readBERLength(item[tn:])
		val := item[tn+ln : tn+ln+n]
		if hex.EncodeToString(val) != c.bytes {
			t.Errorf("%s: encode tag %d %v = %x, want %s", c.test, c.tag, c.value, val, c.bytes)
		}
		if !near(v.Float, c.value, c.tol) || v.Invalid {
			t.Errorf("%s: decode tag %d = %v, want %v ± %v", c.test, c.tag, v.Float, c.value, c.tol)
		}
	}
	// jmisb encodes an out-of-range latitude or corner offset as the error
	// indicator, 0x80000000 / 0x8000 (SensorLatitudeTest, CornerOffsetTest).
	for _, c := range []struct {
		tag Tag
		raw string
	}{{TagSensorLatitude, "0d0480000000"}, {TagOffsetCornerLongitude2, "1d028000"}} {
		item, _ := hex.DecodeString(c.raw)
		p, err := Decode(append(append(UniversalLabel[:16:16], byte(len(item))), item...))
		if err != nil || len(p.Values) != 1 || !p.Values[0].Invalid {
			t.Errorf("%s: %v %+v, want the error indicator", c.raw, err, p.Values)
		}
		b, err := Encode(nil, []Value{{Tag: c.tag, Invalid: true}})
		if err != nil || hex.EncodeToString(b[17:len(b)-4]) != c.raw {
			t.Errorf("encode error indicator of tag %d: %x, %v; want %s", c.tag, b, err, c.raw)
		}
	}
}
