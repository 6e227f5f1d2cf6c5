package paramfmt_test

import (
	"strings"
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/internal/paramfmt"
)

// TestHeaderRoundTrip: a header written is read back; a short blob gives
// one error naming what and where, and later reads give nothing.
func TestHeaderRoundTrip(t *testing.T) {
	h := paramfmt.Header{Name: "m", Version: "1", Features: []string{"a", "b"}}
	b := paramfmt.AppendHeader(nil, "TEST", 1, h, "test")
	got, err := paramfmt.NewReader(b, "p: ").Header("TEST", 1, "test")
	if err != nil || got.Name != "m" || got.Version != "1" || strings.Join(got.Features, ",") != "a,b" {
		t.Fatalf("Header = %+v, %v", got, err)
	}
	r := paramfmt.NewReader(b[:len(b)-1], "p: ")
	if _, err := r.Header("TEST", 1, "test"); err == nil || !strings.Contains(err.Error(), "p: feature 2 name at byte") {
		t.Errorf("short header: %v", err)
	}
	if r.Uint16("more") != 0 || r.String("more") != "" || r.Bytes(1, "more") != nil {
		t.Error("reads after an error returned data")
	}
	if _, err := paramfmt.NewReader(b, "p: ").Header("ELSE", 1, "other"); err == nil || !strings.Contains(err.Error(), "not other parameters") {
		t.Errorf("wrong magic: %v", err)
	}
	if _, err := paramfmt.NewReader(b, "p: ").Header("TEST", 2, "test"); err == nil || !strings.Contains(err.Error(), "format version 1: this evaluator reads 2") {
		t.Errorf("wrong format version: %v", err)
	}
}

func TestUint16Panics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "who: length 65536") {
			t.Errorf("recover() = %v", r)
		}
	}()
	paramfmt.Uint16(65536, "who")
}
