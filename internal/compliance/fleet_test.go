package compliance

import "testing"

// TestICAOBlocks checks the edges of the address blocks of ICAO Annex 10,
// Volume III, Part I, Chapter 9, Table 9-1 (Mexico 0D0000–0D7FFF, United
// States A00000–AFFFFF, Canada C00000–C3FFFF), the same ranges as tar1090's
// table generated from that appendix (https://github.com/wiedehopf/tar1090,
// icao_ranges).
func TestICAOBlocks(t *testing.T) {
	for _, c := range []struct {
		addr uint32
		want string
	}{
		{0x0CFFFF, ""}, {0x0D0000, "MEX"}, {0x0D7FFF, "MEX"}, {0x0D8000, ""},
		{0x9FFFFF, ""}, {0xA00000, "USA"}, {0xAE1F01, "USA"}, {0xAFFFFF, "USA"}, {0xB00000, ""},
		{0xC00000, "CAN"}, {0xC3FFFF, "CAN"}, {0xC40000, ""},
	} {
		got, ok := ICAOBlockState(c.addr)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%06X: %q %v, want %q", c.addr, got, ok, c.want)
		}
	}
}

func TestFleet(t *testing.T) {
	f := NewFleet(FleetEntry{ID: "icao:ae1f01", Operator: "MEX", Registration: "XA-ABC"})
	if op, ok := f.Operator("icao:AE1F01"); !ok || op != "MEX" {
		t.Errorf("explicit entry (id normalised): %q %v, want MEX over the US block", op, ok)
	}
	if op, ok := f.Operator("icao:AE1F02"); !ok || op != "USA" {
		t.Errorf("block fallback: %q %v", op, ok)
	}
	if op, ok := f.Operator("klv:MQ-9A/X"); ok || op != "" {
		t.Errorf("unknown KLV aircraft: %q %v", op, ok)
	}
	if op, ok := f.Operator("icao:ZZZZZZ"); ok {
		t.Errorf("bad hex: %q", op)
	}
	// Replacing an entry drops its old registration.
	f.Add(FleetEntry{ID: "icao:AE1F01", Operator: "USA", Registration: "N1VG"})
	if _, ok := f.byReg["XA-ABC"]; ok || f.byReg["N1VG"] != "icao:AE1F01" {
		t.Errorf("registrations %v", f.byReg)
	}
	var nilFleet *Fleet
	if _, ok := nilFleet.Entry("x"); ok {
		t.Error("nil fleet has an entry")
	}
}

// TestProgramme shows which aircraft belong to the programme: those with a
// Fleet entry or named by an authorisation (by address or mission), and
// not an aircraft that only an ICAO address block places.
func TestProgramme(t *testing.T) {
	e := NewEngine(testSet(t), NewFleet(FleetEntry{ID: "icao:AE1F10", Operator: "USA"}), Options{})
	if err := e.Add(mustParse(t, authJSON)); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{
		"icao:AE1F10":          true,  // fleet
		"icao:AE1F01":          true,  // named by AUT-1
		"klv:MQ-9B/SON-ORB-01": true,  // named by mission
		"icao:A12345":          false, // a US address, nothing more
		"klv:MQ-9B/OTHER":      false,
		"icao:0D0ABC":          false, // a Mexican address
	} {
		if got := e.Programme(id); got != want {
			t.Errorf("Programme(%s) = %v, want %v", id, got, want)
		}
	}
	if NewEngine(testSet(t), nil, Options{}).Programme("icao:AE1F10") {
		t.Error("no fleet, no authorisation: in the programme")
	}
}
