package ranker

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"unsafe"
)

// The wire form of the numbers that cross the ABI: float32, little-endian,
// 4 bytes each, back to back. Both sides use these helpers: the host to
// write a feature matrix and read scores, the guest to read the matrix and
// write scores, the tests to read and write fixtures.

// EncodeMatrix returns x in the ABI's wire form: float32 little-endian,
// row-major as given. It encodes any float32 slice, scores included.
func EncodeMatrix(x []float32) []byte { return AppendFloats(nil, x) }

// AppendFloats appends x in the ABI's wire form to dst and returns the
// extended slice; it allocates only when dst lacks the capacity.
func AppendFloats(dst []byte, x []float32) []byte {
	if littleEndian {
		return append(dst, floatBytes(x)...) // the wire form is memory's
	}
	dst = slices.Grow(dst, 4*len(x))
	for _, v := range x {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
	}
	return dst
}

// littleEndian reports whether this machine keeps numbers little-endian,
// as the wire form does (amd64, arm64 and WebAssembly among others):
// numbers then cross as one copy of their memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// floatBytes returns the memory of x as bytes.
func floatBytes(x []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 4*len(x))
}

// DecodeMatrix reads a rows×cols feature matrix in the ABI's wire form,
// refusing a shape outside the ABI's limits or a length that does not
// match it.
func DecodeMatrix(raw []byte, rows, cols int) ([]float32, error) {
	if err := CheckShape(rows, cols, cols); err != nil {
		return nil, fmt.Errorf("feature matrix: %w", err)
	}
	if len(raw) != 4*rows*cols {
		return nil, fmt.Errorf("feature matrix: %d bytes for %d rows × %d columns: want %d", len(raw), rows, cols, 4*rows*cols)
	}
	x := make([]float32, rows*cols)
	decodeFloats(x, raw)
	return x, nil
}

// DecodeScores reads the scores of a score call of rows rows, refusing
// anything but rows finite float32 numbers (see AppendScores).
func DecodeScores(raw []byte, rows int) ([]float32, error) {
	return AppendScores(nil, raw, rows)
}

// AppendScores decodes the scores of a score call of rows rows, appends
// them to dst and returns the extended slice. It refuses a row count
// outside 1..MaxRows, a length other than 4×rows bytes and a score that is
// not a finite number; on error dst is returned unchanged. It allocates
// only when dst lacks the capacity.
func AppendScores(dst []float32, raw []byte, rows int) ([]float32, error) {
	if rows < 1 || rows > MaxRows {
		return dst, fmt.Errorf("scores: %d rows: want 1 to %d", rows, MaxRows)
	}
	if len(raw) != 4*rows {
		return dst, fmt.Errorf("scores: %d bytes for %d rows: want %d", len(raw), rows, 4*rows)
	}
	n := len(dst)
	out := slices.Grow(dst, rows)[:n+rows]
	decodeFloats(out[n:], raw)
	if err := checkScores(out[n:]); err != nil {
		return dst, fmt.Errorf("scores: %w", err)
	}
	return out, nil
}

// decodeFloats fills dst from src, which holds exactly len(dst) float32
// little-endian. It does not allocate.
func decodeFloats(dst []float32, src []byte) {
	src = src[:4*len(dst)]
	if littleEndian {
		copy(floatBytes(dst), src)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// checkScores refuses a score that is not a finite number, naming its row.
func checkScores(s []float32) error {
	for i, v := range s {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("row %d scored %v: want a finite number", i+1, v)
		}
	}
	return nil
}
