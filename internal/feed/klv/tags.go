package klv

import "math"

// Tag is the number of an item of the MISB ST 0601 UAS Datalink Local Set
// (the "tag" or local key, BER-OID encoded on the wire).
type Tag uint32

// The tags of MISB ST 0601.19. Names follow the standard's item names.
const (
	TagChecksum                                 Tag = 1
	TagPrecisionTimeStamp                       Tag = 2
	TagMissionID                                Tag = 3
	TagPlatformTailNumber                       Tag = 4
	TagPlatformHeading                          Tag = 5
	TagPlatformPitch                            Tag = 6
	TagPlatformRoll                             Tag = 7
	TagPlatformTrueAirspeed                     Tag = 8
	TagPlatformIndicatedAirspeed                Tag = 9
	TagPlatformDesignation                      Tag = 10
	TagImageSourceSensor                        Tag = 11
	TagImageCoordinateSystem                    Tag = 12
	TagSensorLatitude                           Tag = 13
	TagSensorLongitude                          Tag = 14
	TagSensorTrueAltitude                       Tag = 15
	TagSensorHorizontalFOV                      Tag = 16
	TagSensorVerticalFOV                        Tag = 17
	TagSensorRelativeAzimuth                    Tag = 18
	TagSensorRelativeElevation                  Tag = 19
	TagSensorRelativeRoll                       Tag = 20
	TagSlantRange                               Tag = 21
	TagTargetWidth                              Tag = 22
	TagFrameCenterLatitude                      Tag = 23
	TagFrameCenterLongitude                     Tag = 24
	TagFrameCenterElevation                     Tag = 25
	TagOffsetCornerLatitude1                    Tag = 26
	TagOffsetCornerLongitude1                   Tag = 27
	TagOffsetCornerLatitude2                    Tag = 28
	TagOffsetCornerLongitude2                   Tag = 29
	TagOffsetCornerLatitude3                    Tag = 30
	TagOffsetCornerLongitude3                   Tag = 31
	TagOffsetCornerLatitude4                    Tag = 32
	TagOffsetCornerLongitude4                   Tag = 33
	TagIcingDetected                            Tag = 34
	TagWindDirection                            Tag = 35
	TagWindSpeed                                Tag = 36
	TagStaticPressure                           Tag = 37
	TagDensityAltitude                          Tag = 38
	TagOutsideAirTemperature                    Tag = 39
	TagTargetLocationLatitude                   Tag = 40
	TagTargetLocationLongitude                  Tag = 41
	TagTargetLocationElevation                  Tag = 42
	TagTargetTrackGateWidth                     Tag = 43
	TagTargetTrackGateHeight                    Tag = 44
	TagTargetErrorEstimateCE90                  Tag = 45
	TagTargetErrorEstimateLE90                  Tag = 46
	TagGenericFlagData                          Tag = 47
	TagSecurityLocalSet                         Tag = 48
	TagDifferentialPressure                     Tag = 49
	TagPlatformAngleOfAttack                    Tag = 50
	TagPlatformVerticalSpeed                    Tag = 51
	TagPlatformSideslipAngle                    Tag = 52
	TagAirfieldBarometricPressure               Tag = 53
	TagAirfieldElevation                        Tag = 54
	TagRelativeHumidity                         Tag = 55
	TagPlatformGroundSpeed                      Tag = 56
	TagGroundRange                              Tag = 57
	TagPlatformFuelRemaining                    Tag = 58
	TagPlatformCallSign                         Tag = 59
	TagWeaponLoad                               Tag = 60
	TagWeaponFired                              Tag = 61
	TagLaserPRFCode                             Tag = 62
	TagSensorFOVName                            Tag = 63
	TagPlatformMagneticHeading                  Tag = 64
	TagLSVersion                                Tag = 65
	TagTargetLocationCovariance                 Tag = 66 // deprecated
	TagAlternatePlatformLatitude                Tag = 67
	TagAlternatePlatformLongitude               Tag = 68
	TagAlternatePlatformAltitude                Tag = 69
	TagAlternatePlatformName                    Tag = 70
	TagAlternatePlatformHeading                 Tag = 71
	TagEventStartTime                           Tag = 72
	TagRVTLocalSet                              Tag = 73
	TagVMTILocalSet                             Tag = 74
	TagSensorEllipsoidHeight                    Tag = 75
	TagAlternatePlatformEllipsoidHeight         Tag = 76
	TagOperationalMode                          Tag = 77
	TagFrameCenterHeightAboveEllipsoid          Tag = 78
	TagSensorNorthVelocity                      Tag = 79
	TagSensorEastVelocity                       Tag = 80
	TagImageHorizonPixelPack                    Tag = 81
	TagCornerLatitude1Full                      Tag = 82
	TagCornerLongitude1Full                     Tag = 83
	TagCornerLatitude2Full                      Tag = 84
	TagCornerLongitude2Full                     Tag = 85
	TagCornerLatitude3Full                      Tag = 86
	TagCornerLongitude3Full                     Tag = 87
	TagCornerLatitude4Full                      Tag = 88
	TagCornerLongitude4Full                     Tag = 89
	TagPlatformPitchFull                        Tag = 90
	TagPlatformRollFull                         Tag = 91
	TagPlatformAngleOfAttackFull                Tag = 92
	TagPlatformSideslipAngleFull                Tag = 93
	TagMIISCoreIdentifier                       Tag = 94
	TagSARMotionImageryLocalSet                 Tag = 95
	TagTargetWidthExtended                      Tag = 96
	TagRangeImageLocalSet                       Tag = 97
	TagGeoRegistrationLocalSet                  Tag = 98
	TagCompositeImagingLocalSet                 Tag = 99
	TagSegmentLocalSet                          Tag = 100
	TagAmendLocalSet                            Tag = 101
	TagSDCCFLP                                  Tag = 102
	TagDensityAltitudeExtended                  Tag = 103
	TagSensorEllipsoidHeightExtended            Tag = 104
	TagAlternatePlatformEllipsoidHeightExtended Tag = 105
	TagStreamDesignator                         Tag = 106
	TagOperationalBase                          Tag = 107
	TagBroadcastSource                          Tag = 108
	TagRangeToRecoveryLocation                  Tag = 109
	TagTimeAirborne                             Tag = 110
	TagPropulsionUnitSpeed                      Tag = 111
	TagPlatformCourseAngle                      Tag = 112
	TagAltitudeAGL                              Tag = 113
	TagRadarAltimeter                           Tag = 114
	TagControlCommand                           Tag = 115
	TagControlCommandVerificationList           Tag = 116
	TagSensorAzimuthRate                        Tag = 117
	TagSensorElevationRate                      Tag = 118
	TagSensorRollRate                           Tag = 119
	TagOnBoardMIStoragePercentFull              Tag = 120
	TagActiveWavelengthList                     Tag = 121
	TagCountryCodes                             Tag = 122
	TagNumberOfNAVSATsInView                    Tag = 123
	TagPositioningMethodSource                  Tag = 124
	TagPlatformStatus                           Tag = 125
	TagSensorControlMode                        Tag = 126
	TagSensorFrameRatePack                      Tag = 127
	TagWavelengthsList                          Tag = 128
	TagTargetID                                 Tag = 129
	TagAirbaseLocations                         Tag = 130
	TagTakeOffTime                              Tag = 131
	TagTransmissionFrequency                    Tag = 132
	TagOnBoardMIStorageCapacity                 Tag = 133
	TagZoomPercentage                           Tag = 134
	TagCommunicationsMethod                     Tag = 135
	TagLeapSeconds                              Tag = 136
	TagCorrectionOffset                         Tag = 137
	TagPayloadList                              Tag = 138
	TagActivePayloads                           Tag = 139
	TagWeaponsStores                            Tag = 140
	TagWaypointList                             Tag = 141
	TagViewDomain                               Tag = 142
	TagMetadataSubstreamID                      Tag = 143

	// MaxTag is the highest tag this package knows; higher tags are
	// skipped and counted as unknown.
	MaxTag = TagMetadataSubstreamID
)

// Kind says how a tag's value is carried on the wire and in a Value.
type Kind uint8

// Kinds of values.
const (
	KindNone         Kind = iota // not a tag of ST 0601
	KindUint                     // unsigned integer mapped linearly onto [Min, Max]; Value.Float
	KindInt                      // two's complement integer mapped onto [-Max, Max]; Value.Float
	KindIMAPB                    // MISB ST 1201 IMAPB on [Min, Max], 1 to 8 bytes; Value.Float
	KindString                   // UTF-8 text; Value.Str
	KindTime                     // unsigned microseconds since 1970-01-01 UTC (POSIX); Value.Time
	KindUintRaw                  // plain unsigned integer (count, enumeration, flags); Value.Float
	KindIntRaw                   // plain signed integer; Value.Float
	KindFrameRate                // ST 0601 frame rate pack (BER-OID numerator, optional denominator); Value.Float in Hz
	KindSecurity                 // MISB ST 0102 security local set; Value.Security
	KindVMTI                     // MISB ST 0903 VMTI local set; Value.VMTI
	KindBytes                    // opaque or nested data not interpreted here; Value.Bytes
	KindCountryCodes             // ST 0601 tag 122 country codes pack; Value.Countries
)

// tagInfo describes one tag: its JSON name (with a unit suffix), how it is
// encoded, its range and whether the most negative value of its integer
// is the standard's error indicator.
type tagInfo struct {
	name     string
	kind     Kind
	size     int     // fixed length in bytes (Uint, Int, Time, UintRaw); default length for IMAPB and variable integers
	variable bool    // length may vary (1..8) on the wire
	min, max float64 // range of the mapped value (KindUint, KindIMAPB; KindInt uses ±max)
	errInd   bool    // the integer -2^(8·size-1) means "error / out of range": the value is absent
}

// Precomputed per tag: the step of KindUint ((max−min)/(2^(8·size)−1)) and
// KindInt (max/(2^(8·size−1)−1)) tags, and the IMAPB mapping of each
// length 1..8.
var (
	tagScale [MaxTag + 1]float64
	tagMaps  [MaxTag + 1]*[9]imapb
)

func init() {
	for t := range tags {
		in := &tags[t]
		switch in.kind {
		case KindUint:
			tagScale[t] = (in.max - in.min) / (math.Exp2(float64(8*in.size)) - 1)
		case KindInt:
			tagScale[t] = in.max / (math.Exp2(float64(8*in.size-1)) - 1)
		case KindIMAPB:
			tagMaps[t] = new([9]imapb)
			for n := 1; n <= 8; n++ {
				tagMaps[t][n] = newIMAPB(in.min, in.max, n)
			}
		}
	}
}

var tags = [MaxTag + 1]tagInfo{
	TagChecksum:                                 {"checksum", KindUintRaw, 2, false, 0, 0, false},
	TagPrecisionTimeStamp:                       {"precision_time_stamp", KindTime, 8, false, 0, 0, false},
	TagMissionID:                                {"mission_id", KindString, 0, false, 0, 0, false},
	TagPlatformTailNumber:                       {"platform_tail_number", KindString, 0, false, 0, 0, false},
	TagPlatformHeading:                          {"platform_heading_deg", KindUint, 2, false, 0, 360, false},
	TagPlatformPitch:                            {"platform_pitch_deg", KindInt, 2, false, -20, 20, true},
	TagPlatformRoll:                             {"platform_roll_deg", KindInt, 2, false, -50, 50, true},
	TagPlatformTrueAirspeed:                     {"platform_true_airspeed_mps", KindUint, 1, false, 0, 255, false},
	TagPlatformIndicatedAirspeed:                {"platform_indicated_airspeed_mps", KindUint, 1, false, 0, 255, false},
	TagPlatformDesignation:                      {"platform_designation", KindString, 0, false, 0, 0, false},
	TagImageSourceSensor:                        {"image_source_sensor", KindString, 0, false, 0, 0, false},
	TagImageCoordinateSystem:                    {"image_coordinate_system", KindString, 0, false, 0, 0, false},
	TagSensorLatitude:                           {"sensor_latitude_deg", KindInt, 4, false, -90, 90, true},
	TagSensorLongitude:                          {"sensor_longitude_deg", KindInt, 4, false, -180, 180, true},
	TagSensorTrueAltitude:                       {"sensor_true_altitude_m", KindUint, 2, false, -900, 19000, false},
	TagSensorHorizontalFOV:                      {"sensor_horizontal_fov_deg", KindUint, 2, false, 0, 180, false},
	TagSensorVerticalFOV:                        {"sensor_vertical_fov_deg", KindUint, 2, false, 0, 180, false},
	TagSensorRelativeAzimuth:                    {"sensor_relative_azimuth_deg", KindUint, 4, false, 0, 360, false},
	TagSensorRelativeElevation:                  {"sensor_relative_elevation_deg", KindInt, 4, false, -180, 180, true},
	TagSensorRelativeRoll:                       {"sensor_relative_roll_deg", KindUint, 4, false, 0, 360, false},
	TagSlantRange:                               {"slant_range_m", KindUint, 4, false, 0, 5e6, false},
	TagTargetWidth:                              {"target_width_m", KindUint, 2, false, 0, 10000, false},
	TagFrameCenterLatitude:                      {"frame_center_latitude_deg", KindInt, 4, false, -90, 90, true},
	TagFrameCenterLongitude:                     {"frame_center_longitude_deg", KindInt, 4, false, -180, 180, true},
	TagFrameCenterElevation:                     {"frame_center_elevation_m", KindUint, 2, false, -900, 19000, false},
	TagOffsetCornerLatitude1:                    {"offset_corner_latitude_point_1_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLongitude1:                   {"offset_corner_longitude_point_1_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLatitude2:                    {"offset_corner_latitude_point_2_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLongitude2:                   {"offset_corner_longitude_point_2_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLatitude3:                    {"offset_corner_latitude_point_3_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLongitude3:                   {"offset_corner_longitude_point_3_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLatitude4:                    {"offset_corner_latitude_point_4_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagOffsetCornerLongitude4:                   {"offset_corner_longitude_point_4_deg", KindInt, 2, false, -0.075, 0.075, true},
	TagIcingDetected:                            {"icing_detected", KindUintRaw, 1, false, 0, 255, false},
	TagWindDirection:                            {"wind_direction_deg", KindUint, 2, false, 0, 360, false},
	TagWindSpeed:                                {"wind_speed_mps", KindUint, 1, false, 0, 100, false},
	TagStaticPressure:                           {"static_pressure_hpa", KindUint, 2, false, 0, 5000, false},
	TagDensityAltitude:                          {"density_altitude_m", KindUint, 2, false, -900, 19000, false},
	TagOutsideAirTemperature:                    {"outside_air_temperature_c", KindInt, 1, false, -127, 127, false},
	TagTargetLocationLatitude:                   {"target_location_latitude_deg", KindInt, 4, false, -90, 90, true},
	TagTargetLocationLongitude:                  {"target_location_longitude_deg", KindInt, 4, false, -180, 180, true},
	TagTargetLocationElevation:                  {"target_location_elevation_m", KindUint, 2, false, -900, 19000, false},
	TagTargetTrackGateWidth:                     {"target_track_gate_width_px", KindUint, 1, false, 0, 510, false},
	TagTargetTrackGateHeight:                    {"target_track_gate_height_px", KindUint, 1, false, 0, 510, false},
	TagTargetErrorEstimateCE90:                  {"target_error_estimate_ce90_m", KindUint, 2, false, 0, 4095, false},
	TagTargetErrorEstimateLE90:                  {"target_error_estimate_le90_m", KindUint, 2, false, 0, 4095, false},
	TagGenericFlagData:                          {"generic_flag_data", KindUintRaw, 1, false, 0, 255, false},
	TagSecurityLocalSet:                         {"security", KindSecurity, 0, false, 0, 0, false},
	TagDifferentialPressure:                     {"differential_pressure_hpa", KindUint, 2, false, 0, 5000, false},
	TagPlatformAngleOfAttack:                    {"platform_angle_of_attack_deg", KindInt, 2, false, -20, 20, true},
	TagPlatformVerticalSpeed:                    {"platform_vertical_speed_mps", KindInt, 2, false, -180, 180, true},
	TagPlatformSideslipAngle:                    {"platform_sideslip_angle_deg", KindInt, 2, false, -20, 20, true},
	TagAirfieldBarometricPressure:               {"airfield_barometric_pressure_hpa", KindUint, 2, false, 0, 5000, false},
	TagAirfieldElevation:                        {"airfield_elevation_m", KindUint, 2, false, -900, 19000, false},
	TagRelativeHumidity:                         {"relative_humidity_pct", KindUint, 1, false, 0, 100, false},
	TagPlatformGroundSpeed:                      {"platform_ground_speed_mps", KindUint, 1, false, 0, 255, false},
	TagGroundRange:                              {"ground_range_m", KindUint, 4, false, 0, 5e6, false},
	TagPlatformFuelRemaining:                    {"platform_fuel_remaining_kg", KindUint, 2, false, 0, 10000, false},
	TagPlatformCallSign:                         {"platform_call_sign", KindString, 0, false, 0, 0, false},
	TagWeaponLoad:                               {"weapon_load", KindUintRaw, 2, false, 0, 65535, false},
	TagWeaponFired:                              {"weapon_fired", KindUintRaw, 1, false, 0, 255, false},
	TagLaserPRFCode:                             {"laser_prf_code", KindUintRaw, 2, false, 0, 65535, false},
	TagSensorFOVName:                            {"sensor_fov_name", KindUintRaw, 1, false, 0, 255, false},
	TagPlatformMagneticHeading:                  {"platform_magnetic_heading_deg", KindUint, 2, false, 0, 360, false},
	TagLSVersion:                                {"ls_version", KindUintRaw, 1, false, 0, 255, false},
	TagTargetLocationCovariance:                 {"target_location_covariance", KindBytes, 0, false, 0, 0, false},
	TagAlternatePlatformLatitude:                {"alternate_platform_latitude_deg", KindInt, 4, false, -90, 90, true},
	TagAlternatePlatformLongitude:               {"alternate_platform_longitude_deg", KindInt, 4, false, -180, 180, true},
	TagAlternatePlatformAltitude:                {"alternate_platform_altitude_m", KindUint, 2, false, -900, 19000, false},
	TagAlternatePlatformName:                    {"alternate_platform_name", KindString, 0, false, 0, 0, false},
	TagAlternatePlatformHeading:                 {"alternate_platform_heading_deg", KindUint, 2, false, 0, 360, false},
	TagEventStartTime:                           {"event_start_time", KindTime, 8, false, 0, 0, false},
	TagRVTLocalSet:                              {"rvt_local_set", KindBytes, 0, false, 0, 0, false},
	TagVMTILocalSet:                             {"vmti", KindVMTI, 0, false, 0, 0, false},
	TagSensorEllipsoidHeight:                    {"sensor_ellipsoid_height_m", KindUint, 2, false, -900, 19000, false},
	TagAlternatePlatformEllipsoidHeight:         {"alternate_platform_ellipsoid_height_m", KindUint, 2, false, -900, 19000, false},
	TagOperationalMode:                          {"operational_mode", KindUintRaw, 1, false, 0, 255, false},
	TagFrameCenterHeightAboveEllipsoid:          {"frame_center_height_above_ellipsoid_m", KindUint, 2, false, -900, 19000, false},
	TagSensorNorthVelocity:                      {"sensor_north_velocity_mps", KindInt, 2, false, -327, 327, true},
	TagSensorEastVelocity:                       {"sensor_east_velocity_mps", KindInt, 2, false, -327, 327, true},
	TagImageHorizonPixelPack:                    {"image_horizon_pixel_pack", KindBytes, 0, false, 0, 0, false},
	TagCornerLatitude1Full:                      {"corner_latitude_point_1_full_deg", KindInt, 4, false, -90, 90, true},
	TagCornerLongitude1Full:                     {"corner_longitude_point_1_full_deg", KindInt, 4, false, -180, 180, true},
	TagCornerLatitude2Full:                      {"corner_latitude_point_2_full_deg", KindInt, 4, false, -90, 90, true},
	TagCornerLongitude2Full:                     {"corner_longitude_point_2_full_deg", KindInt, 4, false, -180, 180, true},
	TagCornerLatitude3Full:                      {"corner_latitude_point_3_full_deg", KindInt, 4, false, -90, 90, true},
	TagCornerLongitude3Full:                     {"corner_longitude_point_3_full_deg", KindInt, 4, false, -180, 180, true},
	TagCornerLatitude4Full:                      {"corner_latitude_point_4_full_deg", KindInt, 4, false, -90, 90, true},
	TagCornerLongitude4Full:                     {"corner_longitude_point_4_full_deg", KindInt, 4, false, -180, 180, true},
	TagPlatformPitchFull:                        {"platform_pitch_full_deg", KindInt, 4, false, -90, 90, true},
	TagPlatformRollFull:                         {"platform_roll_full_deg", KindInt, 4, false, -90, 90, true},
	TagPlatformAngleOfAttackFull:                {"platform_angle_of_attack_full_deg", KindInt, 4, false, -90, 90, true},
	TagPlatformSideslipAngleFull:                {"platform_sideslip_angle_full_deg", KindInt, 4, false, -180, 180, true},
	TagMIISCoreIdentifier:                       {"miis_core_identifier", KindBytes, 0, false, 0, 0, false},
	TagSARMotionImageryLocalSet:                 {"sar_motion_imagery_local_set", KindBytes, 0, false, 0, 0, false},
	TagTargetWidthExtended:                      {"target_width_extended_m", KindIMAPB, 3, true, 0, 1.5e6, false},
	TagRangeImageLocalSet:                       {"range_image_local_set", KindBytes, 0, false, 0, 0, false},
	TagGeoRegistrationLocalSet:                  {"georegistration_local_set", KindBytes, 0, false, 0, 0, false},
	TagCompositeImagingLocalSet:                 {"composite_imaging_local_set", KindBytes, 0, false, 0, 0, false},
	TagSegmentLocalSet:                          {"segment_local_set", KindBytes, 0, false, 0, 0, false},
	TagAmendLocalSet:                            {"amend_local_set", KindBytes, 0, false, 0, 0, false},
	TagSDCCFLP:                                  {"sdcc_flp", KindBytes, 0, false, 0, 0, false},
	TagDensityAltitudeExtended:                  {"density_altitude_extended_m", KindIMAPB, 3, true, -900, 40000, false},
	TagSensorEllipsoidHeightExtended:            {"sensor_ellipsoid_height_extended_m", KindIMAPB, 3, true, -900, 40000, false},
	TagAlternatePlatformEllipsoidHeightExtended: {"alternate_platform_ellipsoid_height_extended_m", KindIMAPB, 3, true, -900, 40000, false},
	TagStreamDesignator:                         {"stream_designator", KindString, 0, false, 0, 0, false},
	TagOperationalBase:                          {"operational_base", KindString, 0, false, 0, 0, false},
	TagBroadcastSource:                          {"broadcast_source", KindString, 0, false, 0, 0, false},
	TagRangeToRecoveryLocation:                  {"range_to_recovery_location_km", KindIMAPB, 3, true, 0, 21000, false},
	TagTimeAirborne:                             {"time_airborne_s", KindUintRaw, 4, true, 0, math.MaxUint32, false},
	TagPropulsionUnitSpeed:                      {"propulsion_unit_speed_rpm", KindUintRaw, 4, true, 0, math.MaxUint32, false},
	TagPlatformCourseAngle:                      {"platform_course_angle_deg", KindIMAPB, 2, true, 0, 360, false},
	TagAltitudeAGL:                              {"altitude_agl_m", KindIMAPB, 3, true, -900, 40000, false},
	TagRadarAltimeter:                           {"radar_altimeter_m", KindIMAPB, 3, true, -900, 40000, false},
	TagControlCommand:                           {"control_command", KindBytes, 0, false, 0, 0, false},
	TagControlCommandVerificationList:           {"control_command_verification_list", KindBytes, 0, false, 0, 0, false},
	TagSensorAzimuthRate:                        {"sensor_azimuth_rate_deg_s", KindIMAPB, 3, true, -1000, 1000, false},
	TagSensorElevationRate:                      {"sensor_elevation_rate_deg_s", KindIMAPB, 3, true, -1000, 1000, false},
	TagSensorRollRate:                           {"sensor_roll_rate_deg_s", KindIMAPB, 3, true, -1000, 1000, false},
	TagOnBoardMIStoragePercentFull:              {"onboard_mi_storage_percent_full_pct", KindIMAPB, 2, true, 0, 100, false},
	TagActiveWavelengthList:                     {"active_wavelength_list", KindBytes, 0, false, 0, 0, false},
	TagCountryCodes:                             {"country_codes", KindCountryCodes, 0, false, 0, 0, false},
	TagNumberOfNAVSATsInView:                    {"number_of_navsats_in_view", KindUintRaw, 1, false, 0, 255, false},
	TagPositioningMethodSource:                  {"positioning_method_source", KindUintRaw, 1, false, 0, 255, false},
	TagPlatformStatus:                           {"platform_status", KindUintRaw, 1, false, 0, 255, false},
	TagSensorControlMode:                        {"sensor_control_mode", KindUintRaw, 1, false, 0, 255, false},
	TagSensorFrameRatePack:                      {"sensor_frame_rate_hz", KindFrameRate, 0, false, 0, 0, false},
	TagWavelengthsList:                          {"wavelengths_list", KindBytes, 0, false, 0, 0, false},
	TagTargetID:                                 {"target_id", KindString, 0, false, 0, 0, false},
	TagAirbaseLocations:                         {"airbase_locations", KindBytes, 0, false, 0, 0, false},
	TagTakeOffTime:                              {"take_off_time", KindTime, 8, true, 0, 0, false},
	TagTransmissionFrequency:                    {"transmission_frequency_mhz", KindIMAPB, 3, true, 1, 99999, false},
	TagOnBoardMIStorageCapacity:                 {"onboard_mi_storage_capacity_gb", KindUintRaw, 4, true, 0, math.MaxUint32, false},
	TagZoomPercentage:                           {"zoom_percentage_pct", KindIMAPB, 2, true, 0, 100, false},
	TagCommunicationsMethod:                     {"communications_method", KindString, 0, false, 0, 0, false},
	TagLeapSeconds:                              {"leap_seconds_s", KindIntRaw, 4, true, math.MinInt32, math.MaxInt32, false},
	TagCorrectionOffset:                         {"correction_offset_us", KindIntRaw, 8, true, -(1 << 53), 1 << 53, false},
	TagPayloadList:                              {"payload_list", KindBytes, 0, false, 0, 0, false},
	TagActivePayloads:                           {"active_payloads", KindBytes, 0, false, 0, 0, false},
	TagWeaponsStores:                            {"weapons_stores", KindBytes, 0, false, 0, 0, false},
	TagWaypointList:                             {"waypoint_list", KindBytes, 0, false, 0, 0, false},
	TagViewDomain:                               {"view_domain", KindBytes, 0, false, 0, 0, false},
	TagMetadataSubstreamID:                      {"metadata_substream_id", KindUintRaw, 1, true, 0, 1 << 53, false},
}

func (t Tag) info() *tagInfo {
	if t == 0 || t > MaxTag {
		return &tagInfo{}
	}
	return &tags[t]
}

// Known reports whether t is a tag of ST 0601 that this package decodes.
func (t Tag) Known() bool { return t.info().kind != KindNone }

// Name returns the tag's JSON name, snake_case with a unit suffix
// ("sensor_latitude_deg"), or "" for an unknown tag.
func (t Tag) Name() string { return t.info().name }

// Kind returns how the tag is encoded and which field of a Value carries
// it (KindNone for an unknown tag).
func (t Tag) Kind() Kind { return t.info().kind }

// Range returns the interval the tag's value is mapped onto, in the unit of
// its JSON name, for KindUint, KindInt and KindIMAPB tags (and the integer
// limits of plain integer tags); 0, 0 otherwise.
func (t Tag) Range() (min, max float64) {
	in := t.info()
	return in.min, in.max
}

// HasErrorIndicator reports whether the tag reserves its most negative
// integer as the standard's error indicator ("out of range" or "N/A
// (off-Earth)"). Such a value decodes with Value.Invalid set.
func (t Tag) HasErrorIndicator() bool { return t.info().errInd }

// Resolution returns the smallest step of the tag's value as Encode writes
// it, in the unit of its JSON name: the quantisation of KindUint, KindInt
// and KindIMAPB tags (at the default IMAPB length), 1 for plain integers,
// 1e-6 s for times, 0 for strings and bytes.
func (t Tag) Resolution() float64 {
	in := t.info()
	switch in.kind {
	case KindUint, KindInt:
		return tagScale[t]
	case KindIMAPB:
		return tagMaps[t][in.size].sR
	case KindUintRaw, KindIntRaw:
		return 1
	case KindTime:
		return 1e-6
	case KindFrameRate:
		return 1e-3
	}
	return 0
}
