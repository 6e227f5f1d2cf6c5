// Command misbehave is a test guest of the host's ranker tests. It
// implements the ranker ABI by hand, without sdk/ranker, so that it can
// break it in ways the SDK prevents. The first feature of the first row
// picks how score misbehaves:
//
//	1  loops forever
//	2  allocates without bound, keeping everything
//	3  reports an error
//	4  panics (nothing recovers it)
//	5  returns NaN scores
//	6  returns +Inf scores
//	7  returns one score too many
//	8  returns a pointer outside linear memory
//
// Any other value scores each row with its second feature, so rows of
// zeros (the host's smoke test) score normally. Two build-time variants
// break loading: -ldflags=-X=main.abiVersion=2 speaks another ABI version,
// and -tags noscore leaves out the score export.
package main

import (
	"runtime"
	"strconv"
	"unsafe"
)

func main() {}

// abiVersion is what crewplan_ranker_abi returns.
var abiVersion = "1"

var (
	buf     []byte // handed out by alloc
	out     []byte // the last scores
	errText []byte // the last error
	hoard   [][]byte
	spins   uint64
	meta    = []byte("name=misbehave\nversion=1\nfeatures=mode,value\n")
)

func addr(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

func pack(b []byte) uint64 { return uint64(addr(b))<<32 | uint64(len(b)) }

//go:wasmexport crewplan_ranker_abi
func exportABI() int32 {
	v, _ := strconv.Atoi(abiVersion)
	return int32(v)
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
func exportMeta() uint64 { return pack(meta) }

//go:wasmexport crewplan_ranker_error
func exportError() uint64 { return pack(errText) }

//go:wasmexport crewplan_ranker_gc
func exportGC() { runtime.GC() }
