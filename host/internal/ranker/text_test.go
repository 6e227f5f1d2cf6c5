package ranker

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCleanText feeds guest text (error messages, stderr, cards) to
// cleanText and cardLabel, which put it into error messages and logs.
func FuzzCleanText(f *testing.F) {
	f.Add([]byte("load: weights: 3 for 5 features"), 40)
	f.Add([]byte("panic: boom\n\ngoroutine 1 [running]:\n"), 8)
	f.Add([]byte("\xff\xfe\x00\x1b[31mred"), 3)
	f.Add([]byte(`{"name":"gbdt","version":"3\n"}`), 100)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		max = max&0xfff + 1
		for _, s := range []string{cleanText(b, max), cardLabel(b, "model x")} {
			if !utf8.ValidString(s) {
				t.Errorf("%q: not UTF-8", s)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				t.Errorf("%q: control characters", s)
			}
		}
		if s := cleanText(b, max); len(s) > max+len("…") {
			t.Errorf("cleanText(%q, %d) = %d bytes", b, max, len(s))
		}
	})
}
