package compliance

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/vigia/vigia/internal/airspace"
	"github.com/vigia/vigia/internal/geo"
)

// MapOptions sizes the map image of a report.
type MapOptions struct {
	Width  int // pixels; the height follows the track's extent (between Width/3 and Width)
	Margin float64
}

// DefaultMapOptions returns a 900-pixel-wide map with a 12 % margin round
// the track.
func DefaultMapOptions() MapOptions { return MapOptions{Width: 900, Margin: 0.12} }

// Map colours.
var (
	mapOutside = color.RGBA{0xe8, 0xf1, 0xf8, 0xff} // outside every airspace
	mapBorder  = color.RGBA{0x33, 0x33, 0x33, 0xff}
	mapLand    = []color.RGBA{{0xf4, 0xee, 0xdc, 0xff}, {0xe4, 0xed, 0xdc, 0xff}, {0xee, 0xe2, 0xea, 0xff}, {0xe0, 0xe0, 0xe0, 0xff}}
	mapInk     = color.RGBA{0x11, 0x11, 0x11, 0xff}
)

// mapView is the projection of a map: plate carrée with longitude scaled
// by the cosine of the middle latitude, so that shapes are true near the
// track.
type mapView struct {
	lon0, lat1 float64 // upper-left corner
	dlon, dlat float64 // degrees per pixel
	w, h       int
}

func (v *mapView) px(p geo.LatLon) (float64, float64) {
	return (float64(p.Lon) - v.lon0) / v.dlon, (v.lat1 - float64(p.Lat)) / v.dlat
}

func (v *mapView) at(x, y float64) geo.LatLon {
	return geo.LatLon{Lon: geo.Degrees(v.lon0 + x*v.dlon), Lat: geo.Degrees(v.lat1 - y*v.dlat)}
}

// newView fits a view round the report's track, crossings and alerts.
func newView(r *Report, opts MapOptions) mapView {
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	add := func(p geo.LatLon) {
		lo[0], lo[1] = min(lo[0], float64(p.Lon)), min(lo[1], float64(p.Lat))
		hi[0], hi[1] = max(hi[0], float64(p.Lon)), max(hi[1], float64(p.Lat))
	}
	for _, p := range r.Pieces {
		add(p.From)
		add(p.To)
	}
	for _, a := range r.Alerts {
		add(a.FirstPoint)
	}
	if math.IsInf(lo[0], 0) {
		lo, hi = [2]float64{-0.5, -0.5}, [2]float64{0.5, 0.5}
	}
	midLat := (lo[1] + hi[1]) / 2
	k := math.Max(math.Cos(midLat*math.Pi/180), 0.05)
	// Extent in "true" degrees (longitude scaled by k), at least 0.05°.
	ex, ey := math.Max((hi[0]-lo[0])*k, 0.05), math.Max(hi[1]-lo[1], 0.05)
	ex, ey = ex*(1+2*opts.Margin), ey*(1+2*opts.Margin)
	w := opts.Width
	h := int(math.Round(float64(w) * ey / ex))
	h = min(max(h, w/3), w)
	// Widen the short side so that the aspect matches the image.
	if ey/ex < float64(h)/float64(w) {
		ey = ex * float64(h) / float64(w)
	} else {
		ex = ey * float64(w) / float64(h)
	}
	cx, cy := (lo[0]+hi[0])/2, (lo[1]+hi[1])/2
	return mapView{lon0: cx - ex/k/2, lat1: math.Min(cy+ey/2, 90), dlon: ex / k / float64(w), dlat: ey / float64(h), w: w, h: h}
}

// RenderMap draws the report's track on a map of the airspaces of as: each
// pixel classified exactly (airspace.Set.Locate at its centre), borders
// where neighbouring pixels differ, the track coloured by verdict,
// crossings as black rings, alerts as red squares, and a scale bar. No
// network tiles. The image is owned by the caller.
func RenderMap(r *Report, as *airspace.Set, opts MapOptions) *image.RGBA {
	if opts.Width < 100 {
		opts.Width = DefaultMapOptions().Width
	}
	v := newView(r, opts)
	img := image.NewRGBA(image.Rect(0, 0, v.w, v.h))
	cls := make([]int, v.w*v.h)
	for y := range v.h {
		for x := range v.w {
			p := v.at(float64(x)+0.5, float64(y)+0.5)
			i := -1
			if as != nil {
				i = as.Locate(p.Lon, p.Lat)
			}
			cls[y*v.w+x] = i
			c := mapOutside
			if i >= 0 {
				c = mapLand[i%len(mapLand)]
			}
			img.SetRGBA(x, y, c)
		}
	}
	for y := range v.h {
		for x := range v.w {
			i := cls[y*v.w+x]
			if (x+1 < v.w && cls[y*v.w+x+1] != i) || (y+1 < v.h && cls[(y+1)*v.w+x] != i) {
				img.SetRGBA(x, y, mapBorder)
			}
		}
	}
	for _, p := range r.Pieces {
		x0, y0 := v.px(p.From)
		x1, y1 := v.px(p.To)
		line(img, x0, y0, x1, y1, 1.6, hexColour(p.Verdict.Colour()))
	}
	for _, c := range r.Crossings {
		x, y := v.px(c.Point)
		ring(img, x, y, 5, 1.2, mapInk)
	}
	for _, a := range r.Alerts {
		x, y := v.px(a.FirstPoint)
		fillRect(img, int(x)-4, int(y)-4, 9, 9, hexColour(Unauthorised.Colour()))
	}
	scaleBar(img, &v)
	if as != nil {
		codes := as.Codes()
		labelCountries(img, &v, cls, codes)
	}
	return img
}

// labelCountries writes each visible airspace's code at the centroid of
// its pixels.
func labelCountries(img *image.RGBA, v *mapView, cls []int, codes []string) {
	sx, sy, n := make([]float64, len(codes)), make([]float64, len(codes)), make([]int, len(codes))
	for y := range v.h {
		for x := range v.w {
			if i := cls[y*v.w+x]; i >= 0 && i < len(codes) {
				sx[i] += float64(x)
				sy[i] += float64(y)
				n[i]++
			}
		}
	}
	for i, c := range codes {
		if n[i] > v.w*v.h/50 {
			text(img, int(sx[i]/float64(n[i]))-10, int(sy[i]/float64(n[i])), c, color.RGBA{0x66, 0x66, 0x66, 0xff})
		}
	}
}

// scaleBar draws a bar of a round length (1, 2 or 5 × 10ⁿ m) about a fifth
// of the width, bottom left, measured on the geodesic at the map's middle
// latitude.
func scaleBar(img *image.RGBA, v *mapView) {
	mid := v.at(0, float64(v.h)/2)
	east := v.at(100, float64(v.h)/2)
	mpp := float64(geo.WGS84.Distance(mid, east)) / 100 // metres per pixel
	want := mpp * float64(v.w) / 5
	step := math.Pow(10, math.Floor(math.Log10(want)))
	length := step
	for _, m := range []float64{2, 5, 10} {
		if step*m <= want {
			length = step * m
		}
	}
	px := int(math.Round(length / mpp))
	x0, y0 := 16, v.h-20
	fillRect(img, x0-6, y0-18, px+70, 30, color.NRGBA{0xff, 0xff, 0xff, 0xd0})
	fillRect(img, x0, y0, px, 3, mapInk)
	fillRect(img, x0, y0-6, 2, 9, mapInk)
	fillRect(img, x0+px-2, y0-6, 2, 9, mapInk)
	label := fmt.Sprintf("%g m", length)
	if length >= 1000 {
		label = fmt.Sprintf("%g km", length/1000)
	}
	text(img, x0+px+6, y0+4, label, mapInk)
}

func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func fillRect(img *image.RGBA, x, y, w, h int, c color.Color) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h).Intersect(img.Bounds()), image.NewUniform(c), image.Point{}, draw.Over)
}

// line draws a segment of half-width hw pixels by stamping discs along it.
func line(img *image.RGBA, x0, y0, x1, y1, hw float64, c color.RGBA) {
	n := int(math.Ceil(math.Hypot(x1-x0, y1-y0)*2)) + 1
	if n > 100000 {
		n = 100000
	}
	for k := 0; k <= n; k++ {
		t := float64(k) / float64(n)
		disc(img, x0+(x1-x0)*t, y0+(y1-y0)*t, hw, c)
	}
}

func disc(img *image.RGBA, cx, cy, r float64, c color.RGBA) {
	b := img.Bounds()
	for y := int(math.Floor(cy - r)); y <= int(math.Ceil(cy+r)); y++ {
		for x := int(math.Floor(cx - r)); x <= int(math.Ceil(cx+r)); x++ {
			if (float64(x)+0.5-cx)*(float64(x)+0.5-cx)+(float64(y)+0.5-cy)*(float64(y)+0.5-cy) <= r*r && image.Pt(x, y).In(b) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

func ring(img *image.RGBA, cx, cy, r, hw float64, c color.RGBA) {
	for k := range 48 {
		a := float64(k) * 2 * math.Pi / 48
		disc(img, cx+r*math.Cos(a), cy+r*math.Sin(a), hw, c)
	}
}

func hexColour(s string) color.RGBA {
	var r, g, b uint8
	fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 0xff}
}

// htmlData is what the page template sees.
type htmlData struct {
	R           *Report
	MapURI      template.URL
	Share       string
	Legend      []Verdict
	Attribution string
}

var funcs = template.FuncMap{
	"secs": func(s float64) string {
		d := int64(math.Round(finiteOr(s)))
		return fmt.Sprintf("%d:%02d:%02d", d/3600, d/60%60, d%60)
	},
	"km":   func(m geo.Meters) string { return fmt.Sprintf("%.2f", float64(m)/1000) },
	"m":    func(m geo.Meters) string { return fmt.Sprintf("%.0f", float64(m)) },
	"t":    func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04:05Z07:00") },
	"code": func(c string) string { return map[bool]string{true: "international", false: c}[c == ""] },
	"ll":   func(p geo.LatLon) string { return fmt.Sprintf("%.5f, %.5f", float64(p.Lat), float64(p.Lon)) },
	"css":  func(c string) template.CSS { return template.CSS("background:" + c) },
}

var page = template.Must(template.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Flight report {{.R.FlightID}}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:2em;color:#111}
h1{font-size:20px;margin:0 0 .3em}h2{font-size:15px;margin:1.4em 0 .4em;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%;border:1px solid #999}
.sw{display:inline-block;width:14px;height:4px;vertical-align:middle;margin:0 4px 0 10px}
.foot{color:#666;font-size:11px;margin-top:2em}
@media print{body{margin:1cm}h2{break-after:avoid}table,img{break-inside:avoid}}
</style></head><body>
<h1>Flight report: {{.R.FlightID}}</h1>
<table>
<tr><th>aircraft</th><td>{{.R.Aircraft}}{{if .R.Callsign}} ({{.R.Callsign}}){{end}}</td></tr>
<tr><th>from – to</th><td>{{t .R.Start}} – {{t .R.End}}</td></tr>
<tr><th>duration</th><td>{{secs .R.Seconds}}</td></tr>
<tr><th>distance</th><td>{{km .R.Distance}} km</td></tr>
<tr><th>fixes</th><td>{{.R.Fixes}}</td></tr>
<tr><th>time in partner airspace</th><td>{{secs .R.PartnerSeconds}}</td></tr>
<tr><th>of which authorised</th><td>{{.Share}}</td></tr>
<tr><th>alerts</th><td>{{len .R.Alerts}}</td></tr>
</table>
<h2>Map</h2>
<img src="{{.MapURI}}" alt="map of the track coloured by verdict">
<div>{{range .Legend}}<span class="sw" style="{{css .Colour}}"></span>{{.}}{{end}}
<span class="sw" style="background:#111;width:8px;height:8px;border-radius:4px"></span>crossing
<span class="sw" style="{{css "#e03131"}};width:8px;height:8px"></span>alert</div>
<h2>Airspaces</h2>
<table><tr><th>airspace</th><th>time</th><th>distance (km)</th><th>fixes</th><th>max depth (m)</th></tr>
{{range .R.Airspaces}}<tr><td>{{code .Airspace}}</td><td class="n">{{secs .Seconds}}</td><td class="n">{{km .Distance}}</td><td class="n">{{.Fixes}}</td><td class="n">{{m .MaxDepth}}</td></tr>
{{end}}</table>
<h2>Verdicts</h2>
<table><tr><th>verdict</th><th>time</th><th>distance (km)</th><th>fixes</th></tr>
{{range .R.Verdicts}}<tr><td><span class="sw" style="{{css .Verdict.Colour}}"></span>{{.Verdict}}</td><td class="n">{{secs .Seconds}}</td><td class="n">{{km .Distance}}</td><td class="n">{{.Fixes}}</td></tr>
{{end}}</table>
<h2>Crossings ({{len .R.Crossings}})</h2>
{{if .R.Crossings}}<table><tr><th>time</th><th>from</th><th>to</th><th>point (lat, lon)</th></tr>
{{range .R.Crossings}}<tr><td>{{t .Time}}</td><td>{{code .From}}</td><td>{{code .To}}</td><td>{{ll .Point}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
<h2>Alerts ({{len .R.Alerts}})</h2>
{{if .R.Alerts}}<table><tr><th>id</th><th>airspace</th><th>start</th><th>last</th><th>fixes</th><th>max depth (m)</th><th>first point (lat, lon)</th><th>state</th></tr>
{{range .R.Alerts}}<tr><td>{{.ID}}</td><td>{{.Airspace}}</td><td>{{t .Start}}</td><td>{{t .Last}}</td><td class="n">{{.Fixes}}</td><td class="n">{{m .MaxDepth}}</td><td>{{ll .FirstPoint}}</td><td>{{if .Open}}open{{else}}closed{{end}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
<p class="foot">Times UTC. Distances are geodesic on WGS84 between consecutive fixes, split at crossings; depth is the distance to the border of the airspace. {{.Attribution}}</p>
</body></html>
`))

// WriteHTML writes r as a printable HTML page (inline CSS, no external
// resources): the figures, a map of the track (RenderMap, as an embedded
// PNG data URI), the crossings and the alerts.
func WriteHTML(w io.Writer, r *Report, as *airspace.Set) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, RenderMap(r, as, DefaultMapOptions())); err != nil {
		return fmt.Errorf("write report HTML: map: %w", err)
	}
	d := htmlData{R: r, MapURI: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())),
		Share: "—", Legend: []Verdict{Domestic, International, Authorised, Unauthorised}, Attribution: airspace.Attribution}
	if r.AuthorisedShare != nil {
		d.Share = fmt.Sprintf("%.1f %%", 100**r.AuthorisedShare)
	}
	if err := page.Execute(w, d); err != nil {
		return fmt.Errorf("write report HTML: %w", err)
	}
	return nil
}
