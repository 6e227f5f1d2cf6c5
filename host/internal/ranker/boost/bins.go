package boost

import "math"

// featureBins maps one feature's values to histogram bins: a value x goes
// to bin i, the number of edges ≤ x, so that bin(x) ≤ k exactly when
// x < edges[k]; NaN goes to bin nan, after every value bin.
type featureBins struct {
	edges []float32 // ascending finite thresholds
	nan   uint8     // NaN's bin
}

// weighted is a distinct feature value and the weight of its rows.
type weighted struct {
	v float32
	w float64
}

// binner makes the bins of one feature after another, reusing its
// buffers.
type binner struct {
	keys, spare []uint64 // per value not NaN: orderKey(value)<<32 | its index
	distinct    []weighted
}

// makeBins returns the bins of the feature values vals with weights w
// (nil for all 1) and writes the bin of vals[i] to out[i*stride]. A
// feature has at most bins value bins, the edges at weighted quantiles
// of the values that are not NaN, and an edge at MaxFloat32 when some
// value is NaN, for a split of missing from present values.
func (b *binner) makeBins(vals []float32, w []float64, bins int, out []uint8, stride int) featureBins {
	keys := b.keys[:0]
	hasNaN := false
	for i, v := range vals {
		if v != v {
			hasNaN = true
			continue
		}
		keys = append(keys, uint64(orderKey(v))<<32|uint64(i))
	}
	if cap(b.spare) < len(keys) {
		b.spare = make([]uint64, len(keys))
	}
	keys, b.spare = radixSort(keys, b.spare[:len(keys)])
	b.keys = keys

	distinct := b.distinct[:0]
	for _, k := range keys {
		i := uint32(k)
		v, wi := vals[i], 1.0
		if w != nil {
			wi = w[i]
		}
		if n := len(distinct); n > 0 && distinct[n-1].v == v { // −0 == +0
			distinct[n-1].w += wi
		} else {
			distinct = append(distinct, weighted{v, wi})
		}
	}
	b.distinct = distinct

	var edges []float32
	cut := func(i int) { // an edge between distinct values i and i+1
		if e, ok := edgeBetween(distinct[i].v, distinct[i+1].v); ok {
			edges = append(edges, e)
		}
	}
	switch {
	case len(distinct) <= bins:
		edges = make([]float32, 0, max(len(distinct), 1))
		for i := 0; i+1 < len(distinct); i++ {
			cut(i)
		}
	default:
		edges = make([]float32, 0, bins)
		total := 0.0
		for _, d := range distinct {
			total += d.w
		}
		i, sum, last := 0, distinct[0].w, -1 // sum is the weight of values 0..i
		for k := 1; k < bins; k++ {
			target := total * float64(k) / float64(bins)
			for sum < target && i+1 < len(distinct) {
				i++
				sum += distinct[i].w
			}
			if i+1 >= len(distinct) {
				break
			}
			if i > last {
				cut(i)
				last = i
			}
		}
	}
	fb := featureBins{edges: edges}
	if hasNaN && len(distinct) > 0 && distinct[len(distinct)-1].v < math.MaxFloat32 {
		// Every present value is below the edge: its bin holds NaN alone.
		fb.edges = append(fb.edges, math.MaxFloat32)
		fb.nan = uint8(len(fb.edges))
	} else {
		fb.nan = uint8(len(fb.edges) + 1) // after the values ≥ the last edge
	}

	e := 0 // the number of edges ≤ the values so far, in ascending order
	for _, k := range keys {
		i := uint32(k)
		for e < len(fb.edges) && fb.edges[e] <= vals[i] {
			e++
		}
		out[int(i)*stride] = uint8(e) // at most MaxBins
	}
	if hasNaN {
		for i, v := range vals {
			if v != v {
				out[i*stride] = fb.nan
			}
		}
	}
	return fb
}

// orderKey maps float32 values other than NaN to uint32 keys in the same
// order, −0 just below +0.
func orderKey(v float32) uint32 {
	bits := math.Float32bits(v)
	if bits>>31 == 1 {
		return ^bits
	}
	return bits | 1<<31
}

// radixSort sorts keys stably by their high 32 bits, using spare (as
// long as keys) as scratch, and returns the sorted keys and the other
// buffer.
func radixSort(keys, spare []uint64) (sorted, other []uint64) {
	if len(keys) == 0 {
		return keys, spare
	}
	var count [4][256]int
	for _, k := range keys {
		count[0][byte(k>>32)]++
		count[1][byte(k>>40)]++
		count[2][byte(k>>48)]++
		count[3][byte(k>>56)]++
	}
	src, dst := keys, spare
	for pass := range count {
		c, shift := &count[pass], 32+8*pass
		if c[byte(src[0]>>shift)] == len(src) {
			continue // one digit for all: in order already
		}
		sum := 0
		for d, n := range c {
			c[d], sum = sum, sum+n
		}
		for _, k := range src {
			d := byte(k >> shift)
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src, dst
}

// edgeBetween returns a finite float32 e with lo < e ≤ hi, for lo < hi:
// their midpoint if float32 holds one strictly above lo, else hi, else
// the next float32 above lo. It reports false when there is none (lo is
// MaxFloat32, hi +Inf).
func edgeBetween(lo, hi float32) (float32, bool) {
	finite := func(e float32) bool { return !math.IsInf(float64(e), 0) && e == e }
	if mid := float32((float64(lo) + float64(hi)) / 2); lo < mid && mid <= hi && finite(mid) {
		return mid, true
	}
	if finite(hi) {
		return hi, true
	}
	if next := math.Nextafter32(lo, float32(math.Inf(1))); finite(next) {
		return next, true
	}
	return 0, false
}
