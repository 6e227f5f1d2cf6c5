package ranker

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloatsOneCopy: on a little-endian machine the numbers cross as one
// copy of their memory; the bytes and the numbers read back are the
// portable loop's, bit for bit, NaN payloads and signed zeros included.
func TestFloatsOneCopy(t *testing.T) {
	if !littleEndian {
		t.Skip("a big-endian machine takes the portable loop only")
	}
	rng := rand.New(rand.NewPCG(4, 32))
	x := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), math.Float32frombits(0x7fc01234), float32(math.Inf(1))}
	for range 1000 {
		x = append(x, math.Float32frombits(rng.Uint32()))
	}
	fast := AppendFloats([]byte("p"), x)
	littleEndian = false
	defer func() { littleEndian = true }()
	slow := AppendFloats([]byte("p"), x)
	if !bytes.Equal(fast, slow) {
		t.Fatal("the copied bytes differ from the portable loop's")
	}
	back := make([]float32, len(x))
	decodeFloats(back, slow[1:])
	littleEndian = true
	fastBack := make([]float32, len(x))
	decodeFloats(fastBack, fast[1:])
	for i := range x {
		if math.Float32bits(back[i]) != math.Float32bits(x[i]) || math.Float32bits(fastBack[i]) != math.Float32bits(x[i]) {
			t.Fatalf("value %d: portable %08x, copied %08x, want %08x", i, math.Float32bits(back[i]), math.Float32bits(fastBack[i]), math.Float32bits(x[i]))
		}
	}
}
