package compliance

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseAuthorisation: ParseAuthorisation never panics, gives the same
// result however the input is split between reads, wraps
// ErrBadAuthorisation for bad content, and what it accepts can be
// prepared (or is rejected by Prepare with an error) and survives a
// MarshalJSON round trip unchanged.
func FuzzParseAuthorisation(f *testing.F) {
	f.Add([]byte(authJSON), uint(10))
	f.Add([]byte(strings.Replace(authJSON, `[-109.85,29.85]`, `[-109.85,95]`, 1)), uint(0))
	f.Add([]byte(`{"id":"x","aircraft":["klv:A/B"],"operator":"USA","airspace":"MEX","areas":[{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}],"windows":[{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"}],"altitude":{"min_m":0,"max_m":1}}`), uint(50))
	f.Fuzz(func(t *testing.T, data []byte, split uint) {
		if len(data) > 1<<16 {
			return
		}
		a, err := ParseAuthorisation(bytes.NewReader(data), "fuzz")
		k := int(split % uint(len(data)+1))
		b, err2 := ParseAuthorisation(io.MultiReader(bytes.NewReader(data[:k]), bytes.NewReader(data[k:])), "fuzz")
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("split at %d changed the result: %v / %v", k, err, err2)
		}
		if err != nil {
			if !errors.Is(err, ErrBadAuthorisation) {
				t.Fatalf("error does not wrap ErrBadAuthorisation: %v", err)
			}
			return
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("split changed the authorisation")
		}
		js, err := a.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseAuthorisation(bytes.NewReader(js), "round-trip")
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, js)
		}
		if !reflect.DeepEqual(a, c) {
			t.Fatalf("round trip changed the authorisation:\n%+v\n%+v", a, c)
		}
		if err := a.Prepare(); err == nil {
			a.InArea(ll(0, 0))
		}
	})
}
