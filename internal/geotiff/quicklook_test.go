package geotiff

import (
	"bytes"
	"errors"
	"image/color"
	"image/png"
	"math"
	"testing"
)

// TestQuicklook decodes the PNG with image/png and checks its size, the
// colours of cells on the scale, transparent nodata, and the legend: the
// bar's ends and tick labels drawn in black.
func TestQuicklook(t *testing.T) {
	const w, h = 400, 60
	r := &Raster{Width: w, Height: h, Data: make([]float32, w*h), NoData: -9999, HasNoData: true}
	for i := range r.Data {
		r.Data[i] = float32(i%w) * 5 // 0 … 1995 across
	}
	r.Data[0] = -9999               // nodata: transparent
	r.Data[1] = float32(math.NaN()) // NaN: transparent
	r.Data[2] = -500                // below the scale: first colour
	r.Data[w+5] = 5000              // above: last colour
	r.Data[2*w+7] = 500             // a quarter up the scale
	s := Scale{Min: 0, Max: 2000, Label: "CH4 enhancement (ppm·m)"}
	var buf bytes.Buffer
	if err := Quicklook(&buf, r, s); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	W, H := QuicklookSize(w, h)
	if b := img.Bounds(); b.Dx() != W || b.Dy() != H || W != w || H != h+legendHeight {
		t.Fatalf("size %v, want %d × %d", b, W, H)
	}
	nrgba := func(x, y int) color.NRGBA { return color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) }
	for _, x := range []int{0, 1} {
		if c := nrgba(x, 0); c.A != 0 {
			t.Errorf("nodata cell %d: %v, want transparent", x, c)
		}
	}
	if c := nrgba(2, 0); c != viridis[0] {
		t.Errorf("below scale: %v", c)
	}
	if c := nrgba(5, 1); c != viridis[8] {
		t.Errorf("above scale: %v", c)
	}
	if c := nrgba(7, 2); c != viridis[2] {
		t.Errorf("quarter: %v, want %v", c, viridis[2])
	}
	// Legend bar: first and last colours at its ends.
	barY := h + barTop + barHeight/2
	if c := nrgba(legendMargin, barY); c != viridis[0] {
		t.Errorf("bar left %v", c)
	}
	if c := nrgba(W-legendMargin-1, barY); c != viridis[8] {
		t.Errorf("bar right %v", c)
	}
	if c := nrgba(legendMargin/2, barY); c != (color.NRGBA{255, 255, 255, 255}) {
		t.Errorf("legend background %v", c)
	}
	// Text: black pixels under each tick and on the label line.
	black := func(x0, x1, y0, y1 int) int {
		n := 0
		for y := y0; y < y1; y++ {
			for x := max(0, x0); x < min(W, x1); x++ {
				if nrgba(x, y) == (color.NRGBA{0, 0, 0, 255}) {
					n++
				}
			}
		}
		return n
	}
	textTop := h + barTop + barHeight + 3
	for i := range legendTicks {
		x := legendMargin + i*(W-2*legendMargin-1)/(legendTicks-1)
		if n := black(x-20, x+20, textTop, textTop+13); n < 10 {
			t.Errorf("tick %d label: %d black pixels", i, n)
		}
	}
	if n := black(0, W, textTop+13, H); n < 100 {
		t.Errorf("scale label: %d black pixels", n)
	}
}

func TestQuicklookNarrowAndErrors(t *testing.T) {
	r := &Raster{Width: 3, Height: 2, Data: []float32{1, 2, 3, 4, 5, 6}}
	var buf bytes.Buffer
	if err := Quicklook(&buf, r, Scale{Min: 1, Max: 6}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != minWidth || b.Dy() != 2+legendHeight {
		t.Errorf("narrow raster canvas %v", b)
	}
	// The canvas right of a narrow map is transparent.
	if _, _, _, a := img.At(10, 0).RGBA(); a != 0 {
		t.Errorf("canvas beside the map is opaque")
	}
	if err := Quicklook(&buf, r, Scale{Min: 2, Max: 2}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty scale: %v", err)
	}
	if err := Quicklook(&buf, &Raster{Width: 2, Height: 2, Data: []float32{1}}, Scale{Max: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad raster: %v", err)
	}
}

func TestColormap(t *testing.T) {
	if Colormap(0) != viridis[0] || Colormap(1) != viridis[8] || Colormap(math.NaN()) != viridis[0] {
		t.Error("ends")
	}
	// Halfway between stops 0 and 1.
	c := Colormap(1.0 / 16)
	if c.R != 0x46 || c.G != 0x17 || c.B != 0x67 {
		t.Errorf("interpolated %v", c)
	}
	// Luminance rises monotonically (a perceptual sequential map).
	prev := -1.0
	for i := 0; i <= 100; i++ {
		c := Colormap(float64(i) / 100)
		l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
		if l < prev-0.5 {
			t.Errorf("luminance falls at %d%%", i)
		}
		prev = l
	}
}
