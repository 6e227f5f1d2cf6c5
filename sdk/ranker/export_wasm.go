//go:build wasip1

package ranker

import (
	"runtime"
	"unsafe"
)

// The exports of ABI version 1 (see the package doc), over the registered
// model. Their names must stay those of the Export constants; the tests of
// ranker-wasm/logreg build a module and look for them.

func init() { instance.addr, instance.floats = addr, floats }

// floats views b as float32s: wasm is little-endian, so the wire form is
// the machine's own. It returns nil for a b not 4-byte aligned (buffers
// from make are) or not a whole number of floats.
func floats(b []byte) []float32 {
	if len(b) == 0 || len(b)%4 != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4 != 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// addr returns the guest address of b's first byte, 0 for a slice without
// storage. In wasm32 a Go pointer is an offset into linear memory, below
// 4 GiB, so it fits the ABI's u32. This and floats are the package's only
// unsafe code, and the pointers go one way: the host's pointers are never turned
// back into Go pointers but resolved as offsets into the buffer alloc
// handed out (guest.region). Go's garbage collector does not move
// objects, and the package variables keep every slice whose address
// crosses alive until it is replaced.
func addr(b []byte) uint32 {
	if cap(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// pack packs b's guest address and length; 0 for nil.
func pack(b []byte) uint64 { return Pack(addr(b), uint32(len(b))) }

//go:wasmexport crewplan_ranker_abi
func exportABI() int32 { return ABIVersion }

//go:wasmexport crewplan_ranker_alloc
func exportAlloc(size int32) uint32 { return instance.alloc(size) }

//go:wasmexport crewplan_ranker_load
func exportLoad(ptr uint32, n int32) int32 { return instance.load(ptr, n) }

//go:wasmexport crewplan_ranker_meta
func exportMeta() uint64 { return pack(instance.meta()) }

//go:wasmexport crewplan_ranker_score
func exportScore(ptr uint32, rows, cols int32) uint64 {
	return pack(instance.score(ptr, rows, cols))
}

//go:wasmexport crewplan_ranker_error
func exportError() uint64 { return pack(instance.errText) }

//go:wasmexport crewplan_ranker_gc
func exportGC() { runtime.GC() }
