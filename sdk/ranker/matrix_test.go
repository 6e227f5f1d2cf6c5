package ranker_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/sdk/ranker"
)

func TestEncodeMatrixWireForm(t *testing.T) {
	got := ranker.EncodeMatrix([]float32{1, -2.5, 0})
	want := []byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("EncodeMatrix = % x, want % x", got, want)
	}
	if got := ranker.AppendFloats([]byte("ab"), []float32{1}); !bytes.Equal(got, []byte{'a', 'b', 0, 0, 0x80, 0x3f}) {
		t.Errorf("AppendFloats kept no prefix: % x", got)
	}
}

func TestMatrixRoundTrip(t *testing.T) {
	x := []float32{0, 1, -1, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Inf(-1)), 3.25}
	x = append(x, -0.0, 1e-20, 42) // 10 values: 2 rows × 5 columns
	got, err := ranker.DecodeMatrix(ranker.EncodeMatrix(x), 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if math.Float32bits(got[i]) != math.Float32bits(x[i]) {
			t.Errorf("value %d: got %v, want %v", i, got[i], x[i])
		}
	}
}

func TestDecodeMatrixRefuses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n          int // bytes
		rows, cols int
		want       string
	}{
		{"short", 4*6 - 1, 2, 3, "23 bytes"},
		{"long", 4*6 + 4, 2, 3, "28 bytes"},
		{"no rows", 0, 0, 3, "0 rows"},
		{"too many columns", 4 * (ranker.MaxCols + 1), 1, ranker.MaxCols + 1, "257 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ranker.DecodeMatrix(make([]byte, tc.n), tc.rows, tc.cols)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeMatrix = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestDecodeScores(t *testing.T) {
	want := []float32{0.5, -3, 1e9}
	got, err := ranker.DecodeScores(ranker.EncodeMatrix(want), 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DecodeScores (-want +got):\n%s", diff)
	}
	dst := make([]float32, 1, 8)
	dst[0] = 7
	got, err = ranker.AppendScores(dst, ranker.EncodeMatrix(want), 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{7, 0.5, -3, 1e9}, got); diff != "" {
		t.Errorf("AppendScores (-want +got):\n%s", diff)
	}
	raw := ranker.EncodeMatrix(want)
	if n := testing.AllocsPerRun(100, func() { _, _ = ranker.AppendScores(dst[:0], raw, 3) }); n != 0 {
		t.Errorf("AppendScores into a slice with room allocates %v times; want 0", n)
	}
}

func TestDecodeScoresRefuses(t *testing.T) {
	nan := ranker.EncodeMatrix([]float32{1, float32(math.NaN())})
	inf := ranker.EncodeMatrix([]float32{float32(math.Inf(1))})
	for _, tc := range []struct {
		name string
		raw  []byte
		rows int
		want string
	}{
		{"NaN", nan, 2, "row 2 scored NaN"},
		{"Inf", inf, 1, "row 1 scored +Inf"},
		{"short", make([]byte, 7), 2, "7 bytes for 2 rows"},
		{"long", make([]byte, 12), 2, "12 bytes for 2 rows"},
		{"no rows", nil, 0, "0 rows"},
		{"negative rows", nil, -1, "-1 rows"},
		{"too many rows", make([]byte, 4*(ranker.MaxRows+1)), ranker.MaxRows + 1, "4097 rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := []float32{9}
			got, err := ranker.AppendScores(dst, tc.raw, tc.rows)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("AppendScores = %v, want an error containing %q", err, tc.want)
			}
			if len(got) != 1 || got[0] != 9 {
				t.Errorf("AppendScores changed dst on error: %v", got)
			}
		})
	}
}

// FuzzDecodeScores checks that DecodeScores never panics, accepts only
// rows finite numbers and reads them as encoded.
func FuzzDecodeScores(f *testing.F) {
	f.Add(ranker.EncodeMatrix([]float32{0.25, 0.75}), 2)
	f.Add(ranker.EncodeMatrix([]float32{float32(math.NaN())}), 1)
	f.Add([]byte{1, 2, 3}, 1)
	f.Add([]byte{}, 0)
	f.Fuzz(func(t *testing.T, raw []byte, rows int) {
		s, err := ranker.DecodeScores(raw, rows)
		if err != nil {
			return
		}
		if len(s) != rows || len(raw) != 4*rows {
			t.Fatalf("DecodeScores(%d bytes, %d) = %d scores", len(raw), rows, len(s))
		}
		for i, v := range s {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("score %d is %v", i, v)
			}
			if math.Float32bits(v) != binary.LittleEndian.Uint32(raw[4*i:]) {
				t.Fatalf("score %d: %v is not the bytes % x", i, v, raw[4*i:4*i+4])
			}
		}
	})
}
