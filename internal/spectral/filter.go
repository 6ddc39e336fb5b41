package spectral

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// Status says how the background covariance of a column (or of the scene)
// was regularised before it was inverted.
type Status uint8

// Status values, from best to worst.
const (
	// OK: the shrinkage chosen by leave-one-out likelihood (or the fixed
	// one in Options.Shrinkage) gave a positive-definite covariance.
	OK Status = iota
	// Shrunk: the Cholesky factorisation failed at the chosen shrinkage;
	// the coefficient was raised tenfold until it succeeded.
	Shrunk
	// Fallback: only the diagonal of the covariance was usable (shrinkage
	// 1, with variances floored); bands are treated as independent.
	Fallback
	// TooFewPixels: the column had fewer than Options.MinPixels valid
	// background pixels; the whole-scene background was used instead.
	TooFewPixels
)

// String returns the status's name.
func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Shrunk:
		return "shrunk"
	case Fallback:
		return "fallback-diagonal"
	case TooFewPixels:
		return "too-few-pixels"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// ErrTooFewPixels is returned when the whole scene has fewer valid
// background pixels than Options.MinPixels.
var ErrTooFewPixels = errors.New("too few valid background pixels")

// ErrDims is returned (wrapped, naming the field) when the wavelength or
// FWHM arrays, the options or the cube's dimensions disagree.
var ErrDims = errors.New("inconsistent dimensions")

// Filter is the clutter matched filter of one background: mean μ,
// regularised covariance C and signature s = −μ⊙t, where t is the unit
// absorption (per ppm·m) resampled to the bands. A Filter is immutable after
// NewFilter and safe for concurrent use.
//
// Model: a pixel under enhancement α (ppm·m) is x = μ⊙exp(−tα) + n ≈
// μ + sα + n with n ~ N(0, C). The best linear unbiased estimate of α is
//
//	α̂ = sᵀC⁻¹(x−μ) / (sᵀC⁻¹s)        [ppm·m]
//
// and, since Var(sᵀC⁻¹n) = sᵀC⁻¹CC⁻¹s = sᵀC⁻¹s, its standard deviation is
//
//	σ = sqrt(sᵀC⁻¹s) / (sᵀC⁻¹s) = 1/sqrt(sᵀC⁻¹s)   [ppm·m]
//
// (s is in radiance per ppm·m and C in radiance², so sᵀC⁻¹s is in
// (ppm·m)⁻²). With albedo correction the pixel's signature is r·s, where
// r = xᵀμ/μᵀμ is its brightness relative to the background (the model
// x = r·μ⊙exp(−tα) + n, linearised with the background still at μ):
//
//	α̂ = (rs)ᵀC⁻¹(x−μ) / ((rs)ᵀC⁻¹(rs)) = α̂₀/r
//	σ = 1/sqrt((rs)ᵀC⁻¹(rs)) = σ₀/|r|
//
// with α̂₀, σ₀ the plain filter's: a brighter pixel sees a stronger
// absorption signal for the same enhancement, so both shrink by r.
type Filter struct {
	Mean      []float64 // μ, radiance, per band
	Signature []float64 // s = −μ⊙t, radiance per ppm·m
	Weights   []float64 // w = C⁻¹s / (sᵀC⁻¹s), ppm·m per radiance unit
	Offset    float64   // w·μ, ppm·m
	Sigma     float64   // 1/sqrt(sᵀC⁻¹s), ppm·m
	Shrinkage float64   // the coefficient finally used, in [0, 1]
	Status    Status
	MuMu      float64   // μ·μ, for the albedo factor
	cinv      []float64 // C⁻¹, row-major, for ACE
}

// NewFilter builds the matched filter for a background of mean mean
// (radiance), covariance cov (p×p, row-major, radiance²) and unit absorption
// absorption (per ppm·m, per band). The covariance is shrunk toward its
// diagonal, C = (1−shrinkage)·cov + shrinkage·diag(cov), then factorised by
// Cholesky; when that fails the shrinkage is raised tenfold (status Shrunk)
// up to 1, the diagonal alone (status Fallback), whose variances are
// floored at 1e-12 of the largest.
func NewFilter(mean, cov, absorption []float64, shrinkage float64) (*Filter, error) {
	return newFilter(mean, cov, absorption, shrinkage, true, nil)
}

// filterWork is newFilter's scratch space, reused across the columns one
// worker builds so that they do not each allocate p×p matrices.
type filterWork struct {
	buf  []float64
	chol mat.Cholesky
}

// newFilter is NewFilter; it keeps C⁻¹ (for ACE) only when inverse is set,
// and works in ws when it is not nil.
func newFilter(mean, cov, absorption []float64, shrinkage float64, inverse bool, ws *filterWork) (*Filter, error) {
	p := len(mean)
	if p == 0 || len(absorption) != p || len(cov) != p*p {
		return nil, fmt.Errorf("new filter: %d means, %d absorptions, %d covariance entries: %w", p, len(absorption), len(cov), ErrDims)
	}
	if math.IsNaN(shrinkage) || shrinkage < 0 || shrinkage > 1 {
		return nil, fmt.Errorf("new filter: shrinkage %g outside [0, 1]: %w", shrinkage, ErrDims)
	}
	f := &Filter{
		Mean:      append([]float64(nil), mean...),
		Signature: make([]float64, p),
		Weights:   make([]float64, p),
	}
	for i := range mean {
		f.Signature[i] = -mean[i] * absorption[i]
		f.MuMu += mean[i] * mean[i]
	}
	if ws == nil {
		ws = new(filterWork)
	}
	if len(ws.buf) != p*p {
		ws.buf = make([]float64, p*p)
	}
	buf := ws.buf
	sym := mat.NewSymDense(p, buf)
	chol := &ws.chol
	u := mat.NewVecDense(p, nil)
	sv := mat.NewVecDense(p, f.Signature)
	var q float64
	alpha := shrinkage
	status := OK
	ok := false
	for {
		if alpha >= 1 {
			break
		}
		// Fill the upper triangle directly; the SymDense reads only it.
		for i := 0; i < p; i++ {
			row := buf[i*p+i : (i+1)*p]
			src := cov[i*p+i : (i+1)*p]
			row[0] = src[0]
			for j := 1; j < len(row); j++ {
				row[j] = src[j] * (1 - alpha)
			}
		}
		if !inverse {
			// Without ACE only C⁻¹s is needed: factorise in place and
			// solve UᵀUu = s, skipping the condition estimate that
			// mat.Cholesky computes (a third of the cost at 425 bands);
			// a factor whose diagonal spans more than 10⁸ (a condition
			// number above 10¹⁶, mat's ConditionTolerance) counts as
			// failed.
			if q, ok = solvePotrf(buf, p, f.Signature, u.RawVector().Data); ok {
				break
			}
		} else if chol.Factorize(sym) {
			// A factorisation that succeeds on a numerically singular
			// matrix reports a condition error from the solve.
			if err := chol.SolveVecTo(u, sv); err == nil {
				q = mat.Dot(sv, u)
				if q > 0 && !math.IsInf(q, 0) {
					ok = true
					break
				}
			}
		}
		status = Shrunk
		alpha = math.Max(alpha*10, 1e-6)
	}
	if ok {
		f.Shrinkage = alpha
		f.Status = status
		var inv mat.SymDense
		if inverse && chol.InverseTo(&inv) == nil {
			f.cinv = make([]float64, p*p)
			for i := 0; i < p; i++ {
				for j := 0; j < p; j++ {
					f.cinv[i*p+j] = inv.At(i, j)
				}
			}
		}
	} else {
		// Diagonal fallback.
		f.Shrinkage = 1
		f.Status = Fallback
		maxd := 0.0
		for i := 0; i < p; i++ {
			if d := cov[i*p+i]; d > maxd && !math.IsInf(d, 0) {
				maxd = d
			}
		}
		floor := 1e-12 * maxd
		if !(floor > 0) {
			floor = 1 // every band is constant: any positive scale will do
		}
		if inverse {
			f.cinv = make([]float64, p*p)
		}
		q = 0
		for i := 0; i < p; i++ {
			d := cov[i*p+i]
			if !(d > floor) || math.IsInf(d, 0) {
				d = floor
			}
			u.SetVec(i, f.Signature[i]/d)
			if inverse {
				f.cinv[i*p+i] = 1 / d
			}
			q += f.Signature[i] * f.Signature[i] / d
		}
		if !(q > 0) || math.IsInf(q, 0) {
			return nil, fmt.Errorf("new filter: the signature is zero in every band (sᵀC⁻¹s = %g): %w", q, ErrTarget)
		}
	}
	for i := 0; i < p; i++ {
		f.Weights[i] = u.AtVec(i) / q
		f.Offset += f.Weights[i] * mean[i]
	}
	f.Sigma = 1 / math.Sqrt(q)
	return f, nil
}

// solvePotrf factorises the symmetric positive definite matrix whose upper
// triangle is in a (p×p, row-major; overwritten by U, C = UᵀU; by
// potrfUpper from cholMinBands bands on with AVX2/FMA, else gonum's
// Dpotrf) and writes C⁻¹s into u, returning sᵀC⁻¹s; ok is false when C is
// not numerically positive definite.
func solvePotrf(a []float64, p int, s, u []float64) (q float64, ok bool) {
	var tri blas64.Triangular
	if useAVX2 && p >= cholMinBands {
		if !potrfUpper(a, p) {
			return 0, false
		}
		tri = blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: p, Stride: p, Data: a}
	} else {
		sym := blas64.Symmetric{Uplo: blas.Upper, N: p, Stride: p, Data: a}
		if tri, ok = lapack64.Potrf(sym); !ok {
			return 0, false
		}
	}
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < p; i++ {
		d := a[i*p+i]
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	if !(lo > 0) || hi/lo > 1e8 {
		return 0, false
	}
	copy(u, s)
	vec := blas64.Vector{N: p, Inc: 1, Data: u}
	blas64.Trsv(blas.Trans, tri, vec)
	blas64.Trsv(blas.NoTrans, tri, vec)
	for i, v := range u {
		q += s[i] * v
	}
	return q, q > 0 && !math.IsInf(q, 0)
}

// Apply returns the enhancement α̂ and its 1σ (both ppm·m) and the ACE score
// (dimensionless, in [0, 1]) of pixel x (radiance per band). With albedo,
// the signature is scaled by the pixel's relative brightness (see Filter).
func (f *Filter) Apply(x []float64, albedo bool) (alpha, sigma, ace float64) {
	p := len(f.Mean)
	var num, xm float64
	for i := 0; i < p; i++ {
		num += f.Weights[i] * x[i]
		xm += x[i] * f.Mean[i]
	}
	alpha = num - f.Offset
	sigma = f.Sigma
	if albedo {
		r := xm / f.MuMu
		alpha /= r
		sigma /= math.Abs(r)
	}
	// ACE = (sᵀC⁻¹d)² / ((sᵀC⁻¹s)(dᵀC⁻¹d)), and sᵀC⁻¹d = α₀/σ₀².
	if f.cinv == nil {
		return alpha, sigma, math.NaN()
	}
	var dd float64
	for i := 0; i < p; i++ {
		di := x[i] - f.Mean[i]
		var row float64
		for j := 0; j < p; j++ {
			row += f.cinv[i*p+j] * (x[j] - f.Mean[j])
		}
		dd += di * row
	}
	a0 := num - f.Offset
	q := 1 / (f.Sigma * f.Sigma)
	if dd > 0 {
		ace = a0 * q * a0 * q / (q * dd)
	}
	return alpha, sigma, ace
}
