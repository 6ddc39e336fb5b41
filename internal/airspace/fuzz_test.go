package airspace

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"testing/iotest"
)

// FuzzParse feeds arbitrary bytes to the GeoJSON loader. It must never
// panic; whatever it accepts must index, and each country must cover its
// own vertices.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"type":"Feature","properties":{"A3":"AAA"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ISO_A3":"BBB"},"geometry":{"type":"MultiPolygon","coordinates":[[[[179,50],[180,50],[180,52],[179,50]]],[[[-180,50],[-179,51],[-180,52],[-180,50]]]]}}]}`))
	f.Add([]byte(`{"type":"Feature","properties":{"A3":"CCC"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0]]]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := Parse("fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		cs = merge(cs)
		s, err := New(cs, nil)
		if err != nil {
			return
		}
		for ci, c := range cs {
			v := c.Polygons[0][0][0]
			if got := s.LocateAll(nil, degrees(v[0]), degrees(v[1])); !slices.Contains(got, ci) {
				t.Fatalf("%s does not cover its vertex %v (got %v)", c.Code, v, got)
			}
			s.Depth(ci, degrees(v[0]), degrees(v[1]))
		}
	})
}

// FuzzClassifyCSV feeds arbitrary bytes to the point reader: no panic, and
// every line is either classified, skipped as malformed, or passed over.
func FuzzClassifyCSV(f *testing.F) {
	f.Add([]byte("lon,lat\n-117.0382,32.5149\n"))
	f.Add([]byte("-117,32\r\n\"-110.9\",\"29.1\",x\n#c\n\nabc,1\n-1e400,2\n1,NaN\n"))
	f.Add([]byte("190,-90\n-540,90\n"))
	s := embeddedForTest(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var skipped int64
		var whole, split bytes.Buffer
		st, err := s.ClassifyCSV(context.Background(), bytes.NewReader(data), &whole, func(int64, error) { skipped++ }, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Skipped != skipped || st.Classified+st.Skipped > st.Lines {
			t.Fatalf("stats %+v, %d reported", st, skipped)
		}
		// The same bytes arriving a byte at a time give the same output.
		st2, err := s.ClassifyCSV(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), &split, func(int64, error) {}, nil)
		if err != nil || st2 != st || !bytes.Equal(whole.Bytes(), split.Bytes()) {
			t.Fatalf("split input: %+v vs %+v, %v", st2, st, err)
		}
	})
}
