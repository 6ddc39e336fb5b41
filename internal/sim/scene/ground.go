package scene

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/vigia/vigia/internal/spectral"
)

// absorptionAt returns the target's absorption per ppm·m at l nm, linear
// between its samples and 0 outside them.
func absorptionAt(t *spectral.Target) func(l float64) float64 {
	return func(l float64) float64 {
		w := t.Wavelength
		n := len(w)
		if n < 2 || l < w[0] || l > w[n-1] {
			return 0
		}
		i := sort.SearchFloat64s(w, l)
		if i == 0 {
			return t.Absorption[0]
		}
		f := (l - w[i-1]) / (w[i] - w[i-1])
		return t.Absorption[i-1]*(1-f) + t.Absorption[i]*f
	}
}

// noiseField is smooth value noise over lines×samples: random values on a
// grid of cell pixels, interpolated with a smoothstep, in [−1, 1].
func noiseField(rng *rand.Rand, lines, samples int, cell float64) []float32 {
	gl := int(float64(lines)/cell) + 2
	gs := int(float64(samples)/cell) + 2
	g := make([]float64, gl*gs)
	for i := range g {
		g[i] = 2*rng.Float64() - 1
	}
	out := make([]float32, lines*samples)
	smooth := func(t float64) float64 { return t * t * (3 - 2*t) }
	for l := range lines {
		y := float64(l) / cell
		iy := int(y)
		fy := smooth(y - float64(iy))
		for s := range samples {
			x := float64(s) / cell
			ix := int(x)
			fx := smooth(x - float64(ix))
			a := g[iy*gs+ix]*(1-fx) + g[iy*gs+ix+1]*fx
			b := g[(iy+1)*gs+ix]*(1-fx) + g[(iy+1)*gs+ix+1]*fx
			out[l*samples+s] = float32(a*(1-fy) + b*fy)
		}
	}
	return out
}

// octaves sums value noise at cells c, c/2.5, c/6.25 with weights 1, ½, ¼.
func octaves(rng *rand.Rand, lines, samples int, c float64) []float32 {
	out := noiseField(rng, lines, samples, c)
	w := float32(0.5)
	for range 2 {
		c /= 2.5
		f := noiseField(rng, lines, samples, math.Max(c, 2))
		for i := range out {
			out[i] += w * f[i]
		}
		w /= 2
	}
	return out
}

// surfaceBias sets how common each surface is in the random mixture:
// fields, crops and clay mostly, rock outcrops in patches; asphalt, roofs
// and water come mostly from the drawn features (roads, a village, a
// river).
var surfaceBias = [numSurfaces]float64{
	Soil: 0.5, Vegetation: 0.6, Asphalt: -2.2, Water: -3, Calcite: -0.7, Dolomite: -0.9, Roof: -2.4, Clay: -0.2,
}

// ground lays out the surfaces: smooth random mixtures (a softmax of
// value-noise fields), then a road, a river, a village of roofs and
// lanes, and a carbonate quarry; per-pixel brightness and spectral tilt;
// and the swath's no-data edges.
func (s *Scene) ground() {
	o := s.opts
	L, S := o.Lines, o.Samples
	n := L * S
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed_0002))
	cell := math.Max(float64(min(L, S))/5, 12)
	var fields [numSurfaces][]float32
	for k := range numSurfaces {
		fields[k] = octaves(rng, L, S, cell)
	}
	full := make([]float64, n*int(numSurfaces))
	const beta = 5.0
	for p := range n {
		var z [numSurfaces]float64
		var m float64 = -math.MaxFloat64
		for k := range numSurfaces {
			z[k] = beta * (float64(fields[k][p]) + surfaceBias[k]/beta)
			m = math.Max(m, z[k])
		}
		var sum float64
		for k := range numSurfaces {
			z[k] = math.Exp(z[k] - m)
			sum += z[k]
		}
		for k := range numSurfaces {
			full[p*int(numSurfaces)+int(k)] = z[k] / sum
		}
	}
	paint := func(p int, k Surface, w float64) {
		if w <= 0 {
			return
		}
		w = math.Min(w, 1)
		row := full[p*int(numSurfaces) : (p+1)*int(numSurfaces)]
		for i := range row {
			row[i] *= 1 - w
		}
		row[k] += w
	}
	// A straight road across the scene, 2.5 px wide with soft shoulders.
	ang := rng.Float64() * math.Pi
	ca, sa := math.Cos(ang), math.Sin(ang)
	cl, cs := float64(L)*(0.3+0.4*rng.Float64()), float64(S)*(0.3+0.4*rng.Float64())
	// A river: a sine meander, 4 px wide, along the other diagonal.
	rAng := ang + math.Pi/2 + 0.3*rng.NormFloat64()
	rc, rs := math.Cos(rAng), math.Sin(rAng)
	rl, rsmp := float64(L)*(0.2+0.6*rng.Float64()), float64(S)*(0.2+0.6*rng.Float64())
	amp, wav := 8+10*rng.Float64(), 80+60*rng.Float64()
	// A village: roofs in a grid of lanes around a centre.
	vl, vs := float64(L)*(0.2+0.6*rng.Float64()), float64(S)*(0.2+0.6*rng.Float64())
	vr := math.Max(float64(min(L, S))/10, 8)
	// A carbonate quarry: an ellipse of calcite with a dolomite rim.
	ql, qs := float64(L)*(0.15+0.7*rng.Float64()), float64(S)*(0.15+0.7*rng.Float64())
	qa, qb := math.Max(float64(min(L, S))/14, 5), math.Max(float64(min(L, S))/20, 4)
	for l := range L {
		for smp := range S {
			p := l*S + smp
			y, x := float64(l)+0.5, float64(smp)+0.5
			// road
			d := math.Abs(-(y-cl)*sa + (x-cs)*ca)
			paint(p, Asphalt, 1.8-d/1.5)
			// river
			along := (y-rl)*rc + (x-rsmp)*rs
			cross := -(y-rl)*rs + (x-rsmp)*rc - amp*math.Sin(2*math.Pi*along/wav)
			paint(p, Water, 2.5-math.Abs(cross)/1.6)
			// quarry
			e := math.Hypot((y-ql)/qa, (x-qs)/qb)
			paint(p, Dolomite, 3*(1.25-e))
			paint(p, Calcite, 4*(1-e))
			// village
			if r := math.Hypot(y-vl, x-vs); r < vr {
				lane := math.Mod(y-vl+100*vr, 9) < 2 || math.Mod(x-vs+100*vr, 11) < 2
				if lane {
					paint(p, Asphalt, 0.8)
				} else {
					paint(p, Roof, 0.9-0.5*r/vr)
				}
			}
		}
	}
	// Keep each pixel's topK strongest surfaces, renormalised.
	s.abund = make([]uint8, n*topK)
	s.weight = make([]float32, n*topK)
	var idx [numSurfaces]int
	for p := range n {
		row := full[p*int(numSurfaces) : (p+1)*int(numSurfaces)]
		for k := range idx {
			idx[k] = k
		}
		sort.Slice(idx[:], func(i, j int) bool { return row[idx[i]] > row[idx[j]] })
		var sum float64
		for k := range topK {
			sum += row[idx[k]]
		}
		for k := range topK {
			s.abund[p*topK+k] = uint8(idx[k])
			w := row[idx[k]] / sum
			if w < 1e-3 {
				w = 0
			}
			s.weight[p*topK+k] = float32(w)
		}
	}
	// Brightness (illumination, moisture) and spectral tilt per pixel.
	bf := octaves(rng, L, S, 6)
	tf := octaves(rng, L, S, 10)
	s.bright = make([]float32, n)
	s.tilt = make([]float32, n)
	for p := range n {
		s.bright[p] = float32(1 + 0.08*float64(bf[p]) + 0.02*rng.NormFloat64())
		s.tilt[p] = float32(0.06*float64(tf[p]) + 0.01*rng.NormFloat64())
	}
	s.nodata = make([]bool, n)
	if o.NoDataEdge {
		// The swath of an orthorectified flight line at a slant: up to
		// 6 % of the width lost on each side.
		w := 0.06 * float64(S)
		for l := range L {
			f := float64(l) / float64(L)
			left := w * (1 - f)
			right := float64(S) - w*f
			for smp := range S {
				x := float64(smp) + 0.5
				if x < left || x > right {
					s.nodata[l*S+smp] = true
				}
			}
		}
	}
}

// hotspots places the flare and the glints.
func (s *Scene) hotspots() {
	o := s.opts
	L, S := o.Lines, o.Samples
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed_0004))
	s.flareFrac = make([]float32, L*S)
	s.glint = make([]bool, L*S)
	s.flareAt = [2]int{-1, -1}
	free := func(l, smp int) bool {
		if l < 2 || smp < 2 || l >= L-2 || smp >= S-2 || s.nodata[l*S+smp] {
			return false
		}
		for _, src := range s.sources {
			if math.Abs(float64(l)-src.Line) < 25 && math.Abs(float64(smp)-src.Sample) < 25 {
				return false
			}
		}
		return s.truth[l*S+smp] < 1
	}
	if o.Flare {
		for range 1000 {
			l, smp := rng.IntN(L), rng.IntN(S)
			if !free(l, smp) {
				continue
			}
			s.flareAt = [2]int{l, smp}
			// The flame and its glow through the sensor's point spread.
			for dl := -1; dl <= 1; dl++ {
				for ds := -1; ds <= 1; ds++ {
					w := 1.0
					switch {
					case dl != 0 && ds != 0:
						w = 0.06
					case dl != 0 || ds != 0:
						w = 0.2
					}
					s.flareFrac[(l+dl)*S+smp+ds] = float32(w * o.FlareFraction)
				}
			}
			break
		}
	}
	for range o.Glints {
		for range 1000 {
			l, smp := rng.IntN(L), rng.IntN(S)
			if !free(l, smp) || s.flareFrac[l*S+smp] > 0 || s.glint[l*S+smp] {
				continue
			}
			s.glint[l*S+smp] = true
			s.glintAt = append(s.glintAt, [2]int{l, smp})
			break
		}
	}
}
