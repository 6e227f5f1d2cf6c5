package ranker

import "context"

// LoadForced is Load on the fast runtime when fast is set and on the
// guarded one otherwise, whatever the module's code hash: for tests that
// compare the two on one module.
func (rt *Runtime) LoadForced(ctx context.Context, wasm []byte, fast bool) (*Model, error) {
	if fast {
		return rt.load(ctx, wasm, forceFast)
	}
	return rt.load(ctx, wasm, forceGuarded)
}

// CompiledCodes returns how many compiled modules rt holds for its loaded
// models.
func (rt *Runtime) CompiledCodes() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return len(rt.codes)
}

// InstancePages returns the linear memory, in 64 KiB pages, of each live
// instance in m's pool (slots without one are left out). It waits for the
// calls in flight to end.
func (m *Model) InstancePages() []uint32 {
	taken := make([]*instance, 0, cap(m.slots))
	for range cap(m.slots) {
		taken = append(taken, <-m.slots)
	}
	var pages []uint32
	for _, in := range taken {
		if in != nil {
			pages = append(pages, in.pages())
		}
		m.slots <- in
	}
	return pages
}
