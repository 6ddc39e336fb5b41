package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/compliance"
)

// sonoraGrant is a valid authorisation (docs/FORMATS.md, "Authorisations").
const sonoraGrant = `{"id":"AUT-MEX-SON-01","aircraft":["icao:AE1F10"],"operator":"USA","airspace":"MEX",
 "areas":[{"type":"Polygon","coordinates":[[[-111,29],[-109,29],[-109,30.5],[-111,30.5],[-111,29]]]}],
 "windows":[{"start":"2026-03-02T15:00:00Z","end":"2026-03-02T23:00:00Z"}],
 "altitude":{"min_m":3000,"max_m":9000}}`

type authorisation struct {
	ID       string     `json:"id"`
	Airspace string     `json:"airspace"`
	Revoked  *time.Time `json:"revoked"`
	Altitude struct {
		Max float64 `json:"max_m"`
	} `json:"altitude"`
}

func (ta *testAPI) authorisations(t *testing.T, all bool) (list []authorisation, body string) {
	t.Helper()
	path := "/api/authorisations"
	if all {
		path += "?all=true"
	}
	r := ta.get(t, path)
	wantJSON(t, path, r, 200, &list)
	return list, r.body
}

func TestAuthorisations(t *testing.T) {
	ta := newTestAPI(t, nil)
	if list, body := ta.authorisations(t, true); len(list) != 0 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("authorisations before any: %s", body)
	}
	var a authorisation
	r := ta.do(t, "POST", "/api/authorisations", sonoraGrant)
	wantJSON(t, "add", r, 201, &a)
	if a.ID != "AUT-MEX-SON-01" || a.Airspace != "MEX" || a.Altitude.Max != 9000 || a.Revoked != nil {
		t.Fatalf("added: %s", r.body)
	}
	if loc := r.hdr.Get("Location"); loc != "/api/authorisations/AUT-MEX-SON-01" {
		t.Errorf("Location %q", loc)
	}
	wantJSON(t, "identical re-add", ta.do(t, "POST", "/api/authorisations", sonoraGrant), 200, &a)
	var one authorisation
	wantJSON(t, "get one", ta.get(t, "/api/authorisations/AUT-MEX-SON-01"), 200, &one)
	if one.ID != "AUT-MEX-SON-01" || one.Altitude.Max != 9000 {
		t.Fatalf("get one: %+v", one)
	}
	wantError(t, "get unknown", ta.get(t, "/api/authorisations/AUT-NONE"), 404, `"AUT-NONE": not found`)
	_, stored := ta.authorisations(t, true)

	// Refused: nothing stored changes, and nothing new is stored.
	other := strings.Replace(sonoraGrant, `"max_m":9000`, `"max_m":8000`, 1)
	malformed := strings.Replace(strings.Replace(sonoraGrant, `"max_m":9000`, `"max_m":1000`, 1), "AUT-MEX-SON-01", "AUT-BAD", 1)
	for _, c := range []struct {
		name, body string
		code       int
		parts      []string
	}{
		{"other content", other, 409, []string{"AUT-MEX-SON-01", "already exists"}},
		{"min above max", malformed, 400, []string{"altitude.max_m"}},
		{"latitude out of range", strings.Replace(strings.Replace(sonoraGrant, "[-109,30.5]", "[-109,95]", 1), "AUT-MEX-SON-01", "AUT-BAD", 1),
			400, []string{"areas[0].coordinates[0][2]"}},
		{"unknown field", strings.Replace(sonoraGrant, `"operator"`, `"colour":"red","operator"`, 1), 400, []string{"colour"}},
		{"syntax", `{"id":"AUT-BAD",`, 400, []string{"request body"}},
		{"empty", " ", 400, []string{"request body"}},
		{"wrong type", strings.Replace(sonoraGrant, `"max_m":9000`, `"max_m":"high"`, 1), 400, []string{"max_m"}},
		{"too large", `{"id":"AUT-BAD","note":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`, 413, []string{"too large"}},
	} {
		wantError(t, c.name, ta.do(t, "POST", "/api/authorisations", c.body), c.code, c.parts...)
		if _, after := ta.authorisations(t, true); after != stored {
			t.Fatalf("%s: stored authorisations changed:\n%s\nwas\n%s", c.name, after, stored)
		}
	}

	// Revoke from a given time; a second revocation conflicts.
	r = ta.do(t, "POST", "/api/authorisations/AUT-MEX-SON-01/revoke", `{"at":"2026-03-02T18:00:00Z"}`)
	wantJSON(t, "revoke", r, 200, &a)
	if a.ID != "AUT-MEX-SON-01" || a.Revoked == nil || !a.Revoked.Equal(time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("revoked: %s", r.body)
	}
	wantError(t, "revoke again", ta.do(t, "POST", "/api/authorisations/AUT-MEX-SON-01/revoke", ""), 409, "already revoked")
	wantError(t, "delete revoked", ta.do(t, "DELETE", "/api/authorisations/AUT-MEX-SON-01", ""), 409, "already revoked")
	wantError(t, "revoke unknown", ta.do(t, "POST", "/api/authorisations/AUT-NONE/revoke", ""), 404, `"AUT-NONE": not found`)
	wantError(t, "delete unknown", ta.do(t, "DELETE", "/api/authorisations/AUT-NONE", ""), 404, `"AUT-NONE": not found`)

	// DELETE revokes now (Config.Now); a bad revoke body is refused.
	second := strings.Replace(sonoraGrant, "AUT-MEX-SON-01", "AUT-MEX-SON-02", 1)
	wantJSON(t, "add second", ta.do(t, "POST", "/api/authorisations", second), 201, nil)
	wantError(t, "bad revoke body", ta.do(t, "POST", "/api/authorisations/AUT-MEX-SON-02/revoke", `{"at":"soon"}`), 400, "at")
	wantError(t, "unknown revoke field", ta.do(t, "POST", "/api/authorisations/AUT-MEX-SON-02/revoke", `{"when":"2026-03-02T18:00:00Z"}`), 400, "when")
	if list, _ := ta.authorisations(t, false); len(list) != 1 || list[0].ID != "AUT-MEX-SON-02" {
		t.Fatalf("in force: %+v", list)
	}
	wantJSON(t, "delete", ta.do(t, "DELETE", "/api/authorisations/AUT-MEX-SON-02", ""), 200, &a)
	if a.Revoked == nil || !a.Revoked.Equal(now) {
		t.Fatalf("deleted: %+v", a)
	}
	if list, body := ta.authorisations(t, false); len(list) != 0 {
		t.Fatalf("in force after revoking both: %s", body)
	}
	list, body := ta.authorisations(t, true)
	if len(list) != 2 || list[0].Revoked == nil || list[1].Revoked == nil {
		t.Fatalf("all: %s", body)
	}
	// Every listed object is an authorisation the parser accepts again.
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil || len(raw) != 2 {
		t.Fatalf("all: %v", err)
	}
	for i, m := range raw {
		if a, err := compliance.ParseAuthorisation(bytes.NewReader(m), "listed"); err != nil || a.Revoked == nil {
			t.Errorf("listed authorisation %d: %v", i, err)
		}
	}
	wantError(t, "bad all", ta.get(t, "/api/authorisations?all=both"), 400, `"all"`)
}

func TestAuthorisationsReadOnly(t *testing.T) {
	ta := newTestAPI(t, func(c *api.Config) { c.Authz = nil })
	wantError(t, "add", ta.do(t, "POST", "/api/authorisations", sonoraGrant), 503, "read-only")
	wantError(t, "revoke", ta.do(t, "DELETE", "/api/authorisations/AUT-MEX-SON-01", ""), 503, "read-only")
	if list, _ := ta.authorisations(t, true); len(list) != 0 {
		t.Fatalf("stored: %+v", list)
	}
}
