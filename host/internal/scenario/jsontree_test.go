package scenario

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// generic turns a node into what encoding/json decodes with UseNumber, to
// compare the two parsers. Repeated names keep the last value, as
// encoding/json does.
func generic(n *node) any {
	switch n.kind {
	case nodeNull:
		return nil
	case nodeBool:
		return n.truth
	case nodeNumber:
		return json.Number(n.text)
	case nodeString:
		return n.text
	case nodeArray:
		out := make([]any, len(n.elems))
		for i := range n.elems {
			out[i] = generic(&n.elems[i])
		}
		return out
	default:
		out := make(map[string]any, len(n.membs))
		for i := range n.membs {
			out[n.membs[i].name] = generic(&n.membs[i].val)
		}
		return out
	}
}

// compareWithStdlib checks that parseJSON accepts exactly what
// encoding/json accepts (for valid UTF-8; parseJSON rejects invalid UTF-8
// in strings, which encoding/json replaces) and decodes the same values.
func compareWithStdlib(t *testing.T, data []byte) {
	t.Helper()
	n, err := parseJSON(data)
	if !utf8.Valid(data) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var want any
	stdErr := dec.Decode(&want)
	if stdErr == nil {
		// encoding/json's Decoder allows more values after the first;
		// Valid does not.
		if !json.Valid(data) {
			stdErr = errTrailing
		}
	}
	if (err == nil) != (stdErr == nil) {
		if err != nil && strings.Contains(err.Error(), "nesting") {
			return // encoding/json's limit counts differently
		}
		t.Fatalf("parseJSON error %v, encoding/json error %v, for %q", err, stdErr, data)
	}
	if err != nil {
		return
	}
	if diff := cmp.Diff(want, generic(&n)); diff != "" {
		t.Fatalf("values differ for %q (-encoding/json +parseJSON):\n%s", data, diff)
	}
}

var errTrailing = &syntaxError{msg: "trailing data"}

var jsonSamples = []string{
	`null`, `true`, `false`, `0`, `-0`, `-0.5e+10`, `1E-2`, `123456789012345678901234567890`,
	`""`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u20ac\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`, `"\ud800\u0041"`, `"\ud800\ud800"`,
	`[]`, `{}`, ` [ 1 , [ 2 , { } ] ] `, `{"a":1,"a":2}`, `{"a" : {"b" : [null]}}`,
	// Invalid.
	``, ` `, `[`, `]`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `01`, `-`, `1.`, `.5`, `1e`, `+1`,
	`"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\tb\"", `tru`, `nul`, `truex`, `{} {}`, `{}x`, `[1]]`, `{"a" 1}`, `{1:2}`,
	"\ufeff{}", `'a'`, `NaN`, `Infinity`, `[-]`, `[--1]`, `"\`,
}

func TestParseJSONMatchesStdlib(t *testing.T) {
	for _, s := range jsonSamples {
		compareWithStdlib(t, []byte(s))
	}
}

func TestParseJSONPosition(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		want string
	}{
		{"{\n  \"a\": 1,\n  \"b\": x\n}", "line 3, column 8: invalid character 'x' looking for the beginning of a value"},
		{"{\"é\": 1 2}", "line 1, column 9: invalid character '2' after object key:value pair"},
		{"[1,\n", "line 2, column 1: unexpected end of input looking for the beginning of a value"},
	} {
		_, err := parseBytes([]byte(tt.doc))
		if err == nil || err.Error() != tt.want {
			t.Errorf("parse %q: %v, want %s", tt.doc, err, tt.want)
		}
	}
}

func TestParseJSONDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, err := parseJSON([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("parse %d levels: %v, want a nesting error", maxDepth+1, err)
	}
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := parseJSON([]byte(ok)); err != nil {
		t.Errorf("parse %d levels: %v", maxDepth, err)
	}
}

// FuzzParseJSON compares the scenario reader's JSON parser with
// encoding/json.
func FuzzParseJSON(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(compareWithStdlib)
}
