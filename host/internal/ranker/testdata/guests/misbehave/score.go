//go:build !noscore

package main

import (
	"encoding/binary"
	"math"
)

//go:wasmexport crewplan_ranker_score
func exportScore(ptr uint32, rows, cols int32) uint64 {
	at := func(i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])) }
	n := int(rows)
	mode := at(0)
	switch mode {
	case 1:
		for {
			spins++
		}
	case 2:
		for {
			hoard = append(hoard, make([]byte, 1<<20))
		}
	case 3:
		errText = append(errText[:0], "mode 3 refuses to score"...)
		return 0
	case 4:
		panic("mode 4 panics")
	case 7:
		n++
	case 8:
		return uint64(0xffff0000)<<32 | uint64(4*rows)
	}
	out = out[:0]
	for i := range n {
		v := at(min(i, int(rows)-1)*int(cols) + 1)
		switch mode {
		case 5:
			v = float32(math.NaN())
		case 6:
			v = float32(math.Inf(1))
		}
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	return pack(out)
}
