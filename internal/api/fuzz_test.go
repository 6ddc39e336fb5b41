package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigia/vigia/internal/api"
	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/sqlite"
)

// splitReader returns its data in two reads, split at a given point, as a
// network would.
type splitReader struct {
	data  []byte
	split int
}

func (r *splitReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if r.split > 0 && r.split < n {
		n = r.split
		r.split = 0
	}
	n = copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// storedAuthorisations is the JSON of every stored authorisation.
func storedAuthorisations(t *testing.T, st store.Store) string {
	t.Helper()
	as, err := st.Authorisations(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(as)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzRequest sends any method, path, query and body (delivered in two
// reads split at any point) to the API: it never panics or fails with 500,
// every error is a JSON {"error"} body, and a refused request leaves the
// stored authorisations as they were.
func FuzzRequest(f *testing.F) {
	f.Add(uint8(1), "/api/authorisations", []byte(sonoraGrant), uint(40))
	f.Add(uint8(1), "/api/authorisations", []byte(strings.Replace(sonoraGrant, `"max_m":9000`, `"max_m":1000`, 1)), uint(0))
	f.Add(uint8(1), "/api/authorisations/AUT-MEX-SON-01/revoke", []byte(`{"at":"2026-03-02T18:00:00Z"}`), uint(7))
	f.Add(uint8(2), "/api/authorisations/AUT-MEX-SON-01", []byte(nil), uint(0))
	f.Add(uint8(0), "/api/alerts?open=true&since=2026-03-02T00:00:00Z&limit=3", []byte(nil), uint(0))
	f.Add(uint8(0), "/api/flights/icao:AE1F10@2026-03-02T16:00:00.000Z/report?format=geojson", []byte(nil), uint(0))
	f.Add(uint8(0), "/api/flights/icao%3AAE1F10%402026-03-02T16%3A00%3A00.000Z/fixes?map=true", []byte(nil), uint(0))
	f.Add(uint8(3), "/api/alerts", []byte("x"), uint(1))
	ctx := context.Background()
	st, err := sqlite.OpenDir(ctx, f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h := api.New(api.Config{Store: st, Authz: storeAuthz{st}, Hub: api.NewHub(4), Metrics: api.NewMetrics(),
		Now: func() time.Time { return now }})
	methods := []string{"GET", "POST", "DELETE", "PUT", "HEAD"}
	f.Fuzz(func(t *testing.T, m uint8, target string, body []byte, split uint) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") || strings.HasSuffix(u.Path, "/stream") {
			return // not a request line a server would pass on; streams do not end by themselves
		}
		method := methods[int(m)%len(methods)]
		req := &http.Request{Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Body: io.NopCloser(&splitReader{data: body, split: int(split % (1 << 30))}),
			ContentLength: int64(len(body)), Host: "vigia.test"}
		req = req.WithContext(ctx)
		before := storedAuthorisations(t, st)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		code := rec.Code
		if code >= 500 && code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s: %d %s", method, target, code, rec.Body)
		}
		if code >= 400 {
			var e struct{ Error string }
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("%s %s: %d with Content-Type %q", method, target, code, ct)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%s %s: %d with body %q", method, target, code, rec.Body)
			}
			if after := storedAuthorisations(t, st); after != before {
				t.Fatalf("%s %s: refused with %d but the stored authorisations changed", method, target, code)
			}
		}
	})
}
