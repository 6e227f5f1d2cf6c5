// Command faulty is a test guest of the rank tests: a model that speaks
// the ranker ABI by hand (without sdk/ranker, which would recover its
// panics) and misbehaves on every score call in the way its build picks
// with -ldflags=-X=main.mode=MODE:
//
//	trap      panics (nothing recovers it: a trap)
//	loop      loops forever
//	memory    allocates without bound, keeping everything
//	wronglen  returns one score too many
//	nan       returns NaN scores
//	low       scores every row 0.01 (under any confidence threshold)
//	ok        scores every row 0.9: ties keep the rule-based order
//
// The smoke call of a load (rows of zeros) always scores normally, so
// that the module registers. -X=main.features=a,b,c sets the feature
// names it declares, -X=main.abi=2 the ABI version it speaks.
package main

import (
	"encoding/binary"
	"math"
	"runtime"
	"unsafe"
)

func main() {}

var (
	mode     = "ok"
	features = "x"
	abi      = "1"

	buf     []byte
	out     []byte
	errText []byte
	hoard   [][]byte
	spins   uint64
)

func addr(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

func pack(b []byte) uint64 { return uint64(addr(b))<<32 | uint64(len(b)) }

//go:wasmexport crewplan_ranker_abi
func exportABI() int32 {
	if abi == "1" {
		return 1
	}
	return 2
}

//go:wasmexport crewplan_ranker_alloc
func exportAlloc(size int32) uint32 {
	if int(size) > len(buf) {
		buf = make([]byte, max(size, 4096))
	}
	return addr(buf)
}

//go:wasmexport crewplan_ranker_load
func exportLoad(ptr uint32, n int32) int32 { return 0 }

//go:wasmexport crewplan_ranker_meta
func exportMeta() uint64 {
	return pack([]byte("name=faulty-" + mode + "\nversion=1\nfeatures=" + features + "\n"))
}

//go:wasmexport crewplan_ranker_error
func exportError() uint64 { return pack(errText) }

//go:wasmexport crewplan_ranker_gc
func exportGC() { runtime.GC() }

//go:wasmexport crewplan_ranker_score
func exportScore(ptr uint32, rows, cols int32) uint64 {
	smoke := true
	for i := range int(rows * cols) {
		if binary.LittleEndian.Uint32(buf[4*i:]) != 0 {
			smoke = false
			break
		}
	}
	n, m := int(rows), mode
	if smoke {
		m = "ok"
	}
	switch m {
	case "trap":
		var p *[1]int
		p[0]++ // a nil dereference: the Go runtime panics, nothing recovers
	case "loop":
		for {
			spins++
		}
	case "memory":
		// Steps of half the tests' 32 MiB cap, so that the second one
		// reaches it, long before the deadline even on a machine loaded
		// enough that four steps of 8 MiB did not.
		for {
			hoard = append(hoard, make([]byte, 16<<20))
		}
	case "wronglen":
		n++
	}
	out = out[:0]
	for range n {
		v := float32(0.9)
		switch m {
		case "nan":
			v = float32(math.NaN())
		case "low":
			v = 0.01
		}
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return pack(out)
}
