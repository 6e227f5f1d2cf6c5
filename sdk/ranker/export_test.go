package ranker

// FakeBase is the guest address a Guest's buffer pretends to have.
const FakeBase = 0x10000

// Guest drives the state behind the exports natively, for the black-box
// tests: each method is what the export of that name does, minus turning
// slices into guest pointers. The buffer alloc hands out sits at FakeBase.
type Guest struct{ g guest }

// NewGuest returns the state of a fresh instance whose model is m (nil:
// none registered).
func NewGuest(m Model) *Guest {
	return &Guest{g: guest{model: m, addr: func(b []byte) uint32 {
		if cap(b) == 0 {
			return 0
		}
		return FakeBase
	}}}
}

// Alloc is crewplan_ranker_alloc.
func (g *Guest) Alloc(size int32) uint32 { return g.g.alloc(size) }

// Buffer is the buffer Alloc hands out, at FakeBase.
func (g *Guest) Buffer() []byte { return g.g.buf }

// Load is crewplan_ranker_load.
func (g *Guest) Load(ptr uint32, n int32) int32 { return g.g.load(ptr, n) }

// Meta is crewplan_ranker_meta, unpacked.
func (g *Guest) Meta() []byte { return g.g.meta() }

// Score is crewplan_ranker_score, unpacked.
func (g *Guest) Score(ptr uint32, rows, cols int32) []byte { return g.g.score(ptr, rows, cols) }

// Error is crewplan_ranker_error, unpacked.
func (g *Guest) Error() string { return string(g.g.errText) }

// Write allocs room for b, copies it into the buffer and returns its
// address, as a host does before load and score.
func (g *Guest) Write(b []byte) uint32 {
	ptr := g.Alloc(int32(len(b)))
	if ptr != 0 {
		copy(g.g.buf, b)
	}
	return ptr
}
