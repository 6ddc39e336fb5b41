package geotiff

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Scale is the fixed colour scale of a quicklook: values at or below Min
// take the first colour, at or above Max the last; Label names the
// quantity and unit under the legend bar.
type Scale struct {
	Min, Max float64
	Label    string // for example "CH4 enhancement (ppm·m)"
}

// viridis holds nine evenly spaced stops of the viridis colormap
// (perceptually uniform, readable in grey and by colour-blind viewers),
// from matplotlib's published table; Colormap interpolates linearly in
// between.
var viridis = [9]color.NRGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x47, 0x2c, 0x7a, 0xff}, {0x3b, 0x51, 0x8b, 0xff},
	{0x2c, 0x71, 0x8e, 0xff}, {0x21, 0x90, 0x8d, 0xff}, {0x27, 0xad, 0x81, 0xff},
	{0x5c, 0xc8, 0x63, 0xff}, {0xaa, 0xdc, 0x32, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// Colormap returns the quicklook colour of the fraction t in [0, 1]
// (clamped).
func Colormap(t float64) color.NRGBA {
	if !(t > 0) { // also NaN
		return viridis[0]
	}
	if t >= 1 {
		return viridis[len(viridis)-1]
	}
	x := t * float64(len(viridis)-1)
	i := int(x)
	f := x - float64(i)
	a, b := viridis[i], viridis[i+1]
	mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + f*(float64(q)-float64(p)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// Quicklook layout, in pixels.
const (
	legendHeight = 50 // below the map: bar, ticks, labels
	legendMargin = 12 // left and right of the bar
	barTop       = 6  // bar's top, from the legend's top
	barHeight    = 12
	minWidth     = 320 // narrow maps get a wider canvas for the legend
	legendTicks  = 5
)

// QuicklookSize returns the size of the PNG Quicklook draws for a raster
// of width × height: the map at one pixel per cell, on a canvas at least
// minWidth wide, above a legend legendHeight tall.
func QuicklookSize(width, height int) (w, h int) {
	return max(width, minWidth), height + legendHeight
}

// Quicklook writes a PNG picture of r: each cell coloured by Colormap on
// the fixed scale s (so pictures of different scenes compare), nodata and
// NaN cells transparent, and below the map a legend bar with tick labels
// at five evenly spaced values and s.Label, in black on white.
func Quicklook(w io.Writer, r *Raster, s Scale) error {
	if r == nil || r.Width < 1 || r.Height < 1 || len(r.Data) != r.Width*r.Height {
		return fmt.Errorf("%w: quicklook of a raster with bad size", ErrInvalid)
	}
	if !(s.Max > s.Min) || math.IsInf(s.Max-s.Min, 0) {
		return fmt.Errorf("%w: quicklook scale [%v, %v] is empty", ErrInvalid, s.Min, s.Max)
	}
	W, H := QuicklookSize(r.Width, r.Height)
	img := image.NewNRGBA(image.Rect(0, 0, W, H))
	span := s.Max - s.Min
	for y := range r.Height {
		row := r.Data[y*r.Width : (y+1)*r.Width]
		for x, v := range row {
			if v != v || (r.HasNoData && v == r.NoData) {
				continue // transparent
			}
			img.SetNRGBA(x, y, Colormap((float64(v)-s.Min)/span))
		}
	}
	// Legend: white band, bar, ticks, labels.
	top := r.Height
	draw.Draw(img, image.Rect(0, top, W, H), image.NewUniform(color.White), image.Point{}, draw.Src)
	x0, x1 := legendMargin, W-legendMargin
	for x := x0; x < x1; x++ {
		c := Colormap(float64(x-x0) / float64(x1-x0-1))
		for y := top + barTop; y < top+barTop+barHeight; y++ {
			img.SetNRGBA(x, y, c)
		}
	}
	black := color.NRGBA{0, 0, 0, 0xff}
	face := basicfont.Face7x13
	dr := &font.Drawer{Dst: img, Src: image.NewUniform(black), Face: face}
	tickY := top + barTop + barHeight
	labelBase := tickY + 13
	for i := range legendTicks {
		x := x0 + int(math.Round(float64(i)*float64(x1-x0-1)/float64(legendTicks-1)))
		for y := tickY; y < tickY+3; y++ {
			img.SetNRGBA(x, y, black)
		}
		text := tickLabel(s.Min + span*float64(i)/float64(legendTicks-1))
		wd := dr.MeasureString(text).Round()
		lx := min(max(x-wd/2, 0), W-wd)
		dr.Dot = fixed.P(lx, labelBase)
		dr.DrawString(text)
	}
	if s.Label != "" {
		wd := dr.MeasureString(s.Label).Round()
		dr.Dot = fixed.P(max(0, (W-wd)/2), labelBase+13)
		drawText(dr, img, s.Label)
	}
	// Best speed: a quicklook is looked at, not archived, and default
	// compression costs more CPU than the rest of the picture.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

// drawText draws text with dr, drawing the middle dot (U+00B7, as in
// "ppm·m"), which the 7×13 font lacks, as a 2×2 dot at mid-height.
func drawText(dr *font.Drawer, img *image.NRGBA, text string) {
	adv := font.MeasureString(dr.Face, "m")
	for _, r := range text {
		if r == '·' {
			x, y := dr.Dot.X.Round()+adv.Round()/2-1, dr.Dot.Y.Round()-5
			for dy := range 2 {
				for dx := range 2 {
					img.SetNRGBA(x+dx, y+dy, color.NRGBA{0, 0, 0, 0xff})
				}
			}
			dr.Dot.X += adv
			continue
		}
		dr.DrawString(string(r))
	}
}

// tickLabel formats a tick value compactly ("0", "250", "1.5e+03").
func tickLabel(v float64) string {
	if math.Abs(v) < 1e-9 {
		v = 0
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
