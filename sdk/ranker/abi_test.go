package ranker_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crewplan/crewplan/sdk/ranker"
)

func TestPackUnpack(t *testing.T) {
	for _, tc := range []struct{ ptr, n uint32 }{
		{0, 0}, {1, 0}, {0, 1}, {0x10000, 28}, {0xffffffff, 0xffffffff}, {0x80000000, 1},
	} {
		v := ranker.Pack(tc.ptr, tc.n)
		if v>>32 != uint64(tc.ptr) || uint32(v) != tc.n {
			t.Errorf("Pack(%#x, %d) = %#x: want pointer in the high half, length in the low", tc.ptr, tc.n, v)
		}
		if p, n := ranker.Unpack(v); p != tc.ptr || n != tc.n {
			t.Errorf("Unpack(Pack(%#x, %d)) = %#x, %d", tc.ptr, tc.n, p, n)
		}
	}
}

func TestMetaRoundTrip(t *testing.T) {
	for _, m := range []ranker.Meta{
		{Name: "gbdt", Version: "2026-12-05.1", Features: []string{"hours_week", "skill match", "ÿ"}},
		{Name: "a-1", Version: "v=2", Features: []string{"x"}, Extra: map[string]string{"kind": "logreg", "trained": "2026-12-05", "note": "a=b"}},
	} {
		raw := m.Encode()
		got, err := ranker.ParseMeta(raw)
		if err != nil {
			t.Fatalf("ParseMeta(%q): %v", raw, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("ParseMeta(Encode()) (-want +got):\n%s", diff)
		}
	}
}

func TestMetaEncodeOrder(t *testing.T) {
	m := ranker.Meta{Name: "x", Version: "1", Features: []string{"a", "b"}, Extra: map[string]string{"z": "1", "kind": "k"}}
	want := "name=x\nversion=1\nfeatures=a,b\nkind=k\nz=1\n"
	if got := string(m.Encode()); got != want {
		t.Errorf("Encode() = %q, want %q", got, want)
	}
}

func TestParseMetaRefuses(t *testing.T) {
	for _, tc := range []struct{ name, raw, want string }{
		{"not UTF-8", "name=x\xff\nversion=1\nfeatures=a\n", "not UTF-8"},
		{"no equals", "name=x\nversion 1\nfeatures=a\n", "line 2"},
		{"empty key", "name=x\n=1\nfeatures=a\n", "line 2"},
		{"blank line", "name=x\n\nversion=1\nfeatures=a\n", "line 2"},
		{"twice", "name=x\nversion=1\nname=y\nfeatures=a\n", `line 3: "name" given twice`},
		{"no name", "version=1\nfeatures=a\n", "name"},
		{"upper-case name", "name=GBDT\nversion=1\nfeatures=a\n", "name"},
		{"no version", "name=x\nfeatures=a\n", "no version"},
		{"no features", "name=x\nversion=1\n", "0 features"},
		{"empty features", "name=x\nversion=1\nfeatures=\n", "0 features"},
		{"empty feature", "name=x\nversion=1\nfeatures=a,,b\n", "feature 2"},
		{"repeated feature", "name=x\nversion=1\nfeatures=a,b,a\n", "feature 3"},
		{"too many features", "name=x\nversion=1\nfeatures=" + manyFeatures(ranker.MaxCols+1) + "\n", "257 features"},
		{"empty", "", "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ranker.ParseMeta([]byte(tc.raw))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseMeta(%q) = %v, want an error containing %q", tc.raw, err, tc.want)
			}
		})
	}
}

func TestValidateText(t *testing.T) {
	ok := ranker.Meta{Name: "x", Version: "2026-12-05.1", Features: []string{"a", "b"}, Extra: map[string]string{"kind": "k=v"}}
	if err := ok.ValidateText(); err != nil {
		t.Errorf("ValidateText(%+v) = %v", ok, err)
	}
	for _, tc := range []struct {
		name string
		edit func(m *ranker.Meta)
		want string
	}{
		{"invalid", func(m *ranker.Meta) { m.Features = nil }, "0 features"},
		{"version with a key", func(m *ranker.Meta) { m.Version = "1\nz=2" }, "reads back different"},
		{"version with a line", func(m *ranker.Meta) { m.Version = "1\nz" }, "line 3"},
		{"extra value with a key", func(m *ranker.Meta) { m.Extra = map[string]string{"a": "1\nb=2"} }, "reads back different"},
		{"extra key with =", func(m *ranker.Meta) { m.Extra = map[string]string{"a=b": "1"} }, "reads back different"},
		{"empty extra key", func(m *ranker.Meta) { m.Extra = map[string]string{"": "1"} }, "not key=value"},
		{"extra key name", func(m *ranker.Meta) { m.Extra = map[string]string{"version": "2"} }, "given twice"},
		{"feature not UTF-8", func(m *ranker.Meta) { m.Features = []string{"\xff"} }, "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ok
			tc.edit(&m)
			if err := m.ValidateText(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ValidateText(%+v) = %v, want an error containing %q", m, err, tc.want)
			}
		})
	}
}

func TestParseMetaMaxCols(t *testing.T) {
	raw := "name=x\nversion=1\nfeatures=" + manyFeatures(ranker.MaxCols) + "\n"
	m, err := ranker.ParseMeta([]byte(raw))
	if err != nil || len(m.Features) != ranker.MaxCols {
		t.Errorf("ParseMeta of %d features = %d features, %v", ranker.MaxCols, len(m.Features), err)
	}
}

func manyFeatures(n int) string {
	f := make([]string, n)
	for i := range f {
		f[i] = "f" + strings.Repeat("x", i)
	}
	return strings.Join(f, ",")
}

// FuzzParseMeta checks that ParseMeta never panics and that what it
// accepts is valid and survives Encode.
func FuzzParseMeta(f *testing.F) {
	f.Add([]byte("name=gbdt\nversion=2026-12-05.1\nfeatures=a,b,c\nkind=gbdt\n"))
	f.Add([]byte("name=x\nversion=1\nfeatures=a"))
	f.Add([]byte("name=x\nversion=1\nfeatures=a,a\n"))
	f.Add([]byte("=\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ranker.ParseMeta(raw)
		if err != nil {
			return
		}
		if err := m.ValidateText(); err != nil {
			t.Fatalf("ParseMeta(%q) accepted an invalid Meta: %v", raw, err)
		}
		again, err := ranker.ParseMeta(m.Encode())
		if err != nil {
			t.Fatalf("ParseMeta(Encode(ParseMeta(%q))): %v", raw, err)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("Encode round trip of %q (-first +second):\n%s", raw, diff)
		}
	})
}
