package ranker_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// These tests drive, natively, the state the wasm exports call: the same
// code, with the buffer's guest address faked as ranker.FakeBase.

func TestGuestAlloc(t *testing.T) {
	g := ranker.NewGuest(nil)
	for _, size := range []int32{-1, ranker.MaxAlloc + 1, -1 << 31} {
		if p := g.Alloc(size); p != 0 {
			t.Errorf("Alloc(%d) = %#x, want 0", size, p)
		}
	}
	if p := g.Alloc(0); p != ranker.FakeBase || len(g.Buffer()) < 1 {
		t.Errorf("Alloc(0) = %#x with %d bytes, want a buffer", p, len(g.Buffer()))
	}
	first := &g.Buffer()[0]
	for _, size := range []int32{1, 100, 4096} {
		if g.Alloc(size); &g.Buffer()[0] != first {
			t.Errorf("Alloc(%d) replaced a buffer that was large enough", size)
		}
	}
	for _, size := range []int32{4097, 1 << 20, ranker.MaxAlloc} {
		if p := g.Alloc(size); p != ranker.FakeBase || len(g.Buffer()) < int(size) {
			t.Errorf("Alloc(%d) = %#x with %d bytes", size, p, len(g.Buffer()))
		}
	}
	if n := len(g.Buffer()); n != ranker.MaxAlloc {
		t.Errorf("after Alloc(MaxAlloc) the buffer has %d bytes, want %d", n, ranker.MaxAlloc)
	}
}

func TestGuestLoadMetaScore(t *testing.T) {
	m := &stub{}
	g := ranker.NewGuest(m)
	if g.Load(g.Write([]byte("a,b")), 3) != 0 {
		t.Fatalf("Load: %s", g.Error())
	}
	if diff := cmp.Diff([][]byte{[]byte("a,b")}, m.loads); diff != "" {
		t.Errorf("the model's Load got (-want +got):\n%s", diff)
	}
	if got := string(g.Meta()); got != "name=stub\nversion=1\nfeatures=a,b\n" {
		t.Errorf("Meta() = %q", got)
	}
	x := ranker.EncodeMatrix([]float32{1, 2, 3, 4, 5, 6})
	out := g.Score(g.Write(x), 3, 2)
	if out == nil {
		t.Fatalf("Score: %s", g.Error())
	}
	scores, err := ranker.DecodeScores(out, 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{3, 7, 11}, scores); diff != "" {
		t.Errorf("Score (-want +got):\n%s", diff)
	}
	if g.Error() != "" {
		t.Errorf("Error() after success = %q", g.Error())
	}

	// Loading new parameters changes the features.
	if g.Load(g.Write([]byte("a,b,c")), 5) != 0 {
		t.Fatalf("Load: %s", g.Error())
	}
	if out := g.Score(g.Write(x), 2, 3); out == nil {
		t.Errorf("Score after reload: %s", g.Error())
	}
	if out := g.Score(g.Write(x), 3, 2); out != nil || !strings.Contains(g.Error(), "2 columns: the model expects 3 features") {
		t.Errorf("Score with the old shape = %v, error %q", out, g.Error())
	}
}

func TestGuestScoreRefuses(t *testing.T) {
	x := ranker.EncodeMatrix(make([]float32, 6))
	for _, tc := range []struct {
		name       string
		at         func(g *ranker.Guest) uint32 // where the matrix is
		rows, cols int32
		want       string
	}{
		{"no rows", nil, 0, 2, "score: 0 rows"},
		{"negative rows", nil, -3, 2, "score: -3 rows"},
		{"too many rows", nil, ranker.MaxRows + 1, 2, "4097 rows"},
		{"wrong columns", nil, 2, 3, "3 columns: the model expects 2 features"},
		{"before the buffer", func(*ranker.Guest) uint32 { return ranker.FakeBase - 4 }, 3, 2, "not inside"},
		{"past the buffer", func(g *ranker.Guest) uint32 { return ranker.FakeBase + uint32(len(g.Buffer())) - 20 }, 3, 2, "24 bytes at"},
		{"null", func(*ranker.Guest) uint32 { return 0 }, 3, 2, "not inside"},
		{"far away", func(*ranker.Guest) uint32 { return 0xfffffff0 }, 3, 2, "not inside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := ranker.NewGuest(loaded("a", "b"))
			if g.Load(g.Write([]byte("a,b")), 3) != 0 {
				t.Fatal(g.Error())
			}
			ptr := g.Write(x)
			if tc.at != nil {
				ptr = tc.at(g)
			}
			if out := g.Score(ptr, tc.rows, tc.cols); out != nil || !strings.Contains(g.Error(), tc.want) {
				t.Errorf("Score = %v, error %q; want an error containing %q", out, g.Error(), tc.want)
			}
		})
	}
}

func TestGuestModelFailures(t *testing.T) {
	x := ranker.EncodeMatrix([]float32{1, 2})
	t.Run("score panics", func(t *testing.T) {
		m := &stub{panicScore: true}
		g := ranker.NewGuest(m)
		g.Load(g.Write([]byte("a")), 1)
		if out := g.Score(g.Write(x), 2, 1); out != nil || !strings.Contains(g.Error(), "model panicked: assignment to entry in nil map") {
			t.Errorf("Score = %v, error %q", out, g.Error())
		}
		// The instance goes on: the next good call works and clears the error.
		m.panicScore = false
		if out := g.Score(g.Write(x), 2, 1); out == nil || g.Error() != "" {
			t.Errorf("Score after a panic = %v, error %q", out, g.Error())
		}
	})
	t.Run("score not finite", func(t *testing.T) {
		g := ranker.NewGuest(&stub{})
		g.Load(g.Write([]byte("a,b,c")), 5)
		big := ranker.EncodeMatrix([]float32{0, 3e38, 3e38, 1, 2, 3})
		if out := g.Score(g.Write(big), 2, 3); out != nil || !strings.Contains(g.Error(), "score: row 1 scored +Inf") {
			t.Errorf("Score overflowing = %v, error %q", out, g.Error())
		}
	})
	t.Run("load panics", func(t *testing.T) {
		g := ranker.NewGuest(&stub{panicLoad: true})
		if rc := g.Load(g.Write([]byte("a")), 1); rc == 0 || !strings.Contains(g.Error(), "load: model panicked: load exploded") {
			t.Errorf("Load = %d, error %q", rc, g.Error())
		}
		if out := g.Meta(); out != nil || !strings.Contains(g.Error(), "meta: the model has no usable parameters: load: model panicked") {
			t.Errorf("Meta = %q, error %q", out, g.Error())
		}
		if out := g.Score(g.Write(x), 2, 1); out != nil || !strings.Contains(g.Error(), "score: the model has no usable parameters") {
			t.Errorf("Score = %v, error %q", out, g.Error())
		}
	})
	t.Run("invalid meta", func(t *testing.T) {
		g := ranker.NewGuest(&stub{})
		if rc := g.Load(g.Write([]byte("a,a")), 3); rc == 0 || !strings.Contains(g.Error(), `feature 2 "a"`) {
			t.Errorf("Load = %d, error %q", rc, g.Error())
		}
	})
	t.Run("meta the host cannot read", func(t *testing.T) {
		for _, tc := range []struct {
			meta ranker.Meta
			want string
		}{
			{ranker.Meta{Name: "x", Version: "1", Features: []string{"a,b"}}, `feature 1 "a,b"`},
			{ranker.Meta{Name: "x", Version: "1\nkind=y", Features: []string{"a"}}, "reads back different"},
			{ranker.Meta{Name: "x", Version: "1", Features: []string{"a"}, Extra: map[string]string{"name": "y"}}, `"name" given twice`},
			{ranker.Meta{Name: "x", Version: "1", Features: []string{"a"}, Extra: map[string]string{"k": "\xff"}}, "not UTF-8"},
		} {
			g := ranker.NewGuest(fixedMeta{tc.meta})
			if rc := g.Load(g.Write([]byte("p")), 1); rc == 0 || !strings.Contains(g.Error(), tc.want) {
				t.Errorf("Load with Meta %+v = %d, error %q; want an error containing %q", tc.meta, rc, g.Error(), tc.want)
			}
		}
	})
	t.Run("load outside the buffer", func(t *testing.T) {
		g := ranker.NewGuest(&stub{})
		g.Alloc(10)
		if rc := g.Load(ranker.FakeBase+4090, 10); rc == 0 || !strings.Contains(g.Error(), "load: 10 bytes at 0x10ffa are not inside") {
			t.Errorf("Load = %d, error %q", rc, g.Error())
		}
		if rc := g.Load(ranker.FakeBase, -1); rc == 0 {
			t.Errorf("Load of -1 bytes = 0")
		}
	})
	t.Run("no model", func(t *testing.T) {
		g := ranker.NewGuest(nil)
		if out := g.Meta(); out != nil || !strings.Contains(g.Error(), "no model registered") {
			t.Errorf("Meta = %q, error %q", out, g.Error())
		}
	})
}

func TestGuestLazyLoad(t *testing.T) {
	// The host does not call load when the file has no parameters: the
	// model's Load gets nil once, before the first meta.
	m := &stub{}
	g := ranker.NewGuest(m)
	if out := g.Meta(); out != nil || !strings.Contains(g.Error(), "stub: no parameters") {
		t.Errorf("Meta = %q, error %q", out, g.Error())
	}
	g.Meta()
	if len(m.loads) != 1 || m.loads[0] != nil {
		t.Errorf("the model's Load got %q, want one nil", m.loads)
	}
	// Load with no bytes hands nil too.
	g.Load(0, 0)
	if len(m.loads) != 2 || m.loads[1] != nil {
		t.Errorf("the model's Load got %q, want two nil", m.loads)
	}
}

func TestGuestScoreDoesNotAllocate(t *testing.T) {
	g := ranker.NewGuest(&stub{})
	if g.Load(g.Write([]byte("a,b,c,d,e")), 9) != 0 {
		t.Fatal(g.Error())
	}
	x := make([]float32, 50*5)
	for i := range x {
		x[i] = float32(i) / 100
	}
	ptr := g.Write(ranker.EncodeMatrix(x))
	g.Score(ptr, 50, 5) // grows the reused slices
	if n := testing.AllocsPerRun(100, func() {
		g.Alloc(50 * 5 * 4)
		if g.Score(ptr, 50, 5) == nil {
			t.Fatal(g.Error())
		}
	}); n != 0 {
		t.Errorf("alloc + score allocate %v times per call, want 0", n)
	}
}

// fixedMeta is a model that takes any parameters and describes itself as
// meta.
type fixedMeta struct{ meta ranker.Meta }

func (f fixedMeta) Load([]byte) error                          { return nil }
func (f fixedMeta) Meta() ranker.Meta                          { return f.meta }
func (f fixedMeta) Score([]float32, int, int, []float32) error { return nil }

// BenchmarkGuestScore measures the score export's own work natively:
// checks, decoding 50×35 features, encoding 50 scores (the stub model
// only sums).
func BenchmarkGuestScore(b *testing.B) {
	const rows, cols = 50, 35
	g := ranker.NewGuest(&stub{})
	params := []byte(manyFeatures(cols))
	if g.Load(g.Write(params), int32(len(params))) != 0 {
		b.Fatal(g.Error())
	}
	x := ranker.EncodeMatrix(make([]float32, rows*cols))
	ptr := g.Write(x)
	b.ReportAllocs()
	for b.Loop() {
		if g.Score(ptr, rows, cols) == nil {
			b.Fatal(g.Error())
		}
	}
}
