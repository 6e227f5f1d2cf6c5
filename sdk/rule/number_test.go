package rule_test

import (
	"strings"
	"testing"

	"github.com/crewplan/crewplan/sdk/rule"
)

func TestEventNumber(t *testing.T) {
	tests := map[string]string{
		"605577-CF-Protein Bars (300410117846) - V2-CORE":  "605577",
		"605577-CF-Protein Bars (300410117846) - V2-SUPER": "605577",
		"Protein Bars (300410117846) 605577":               "605577",
		"CF-12345-605577":                                  "605577",
		"1234567-605577":                                   "605577",
		"x605577y":                                         "605577",
		"Protein Bars (300410117846)":                      "",
		"12345":                                            "",
		"":                                                 "",
		"605577 612103":                                    "605577",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := rule.EventNumber(in); got != want {
				t.Errorf("EventNumber(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func FuzzEventNumber(f *testing.F) {
	f.Add("605577-CF-Protein Bars (300410117846) - V2-CORE")
	f.Add("1234567-605577")
	f.Fuzz(func(t *testing.T, s string) {
		got := rule.EventNumber(s)
		if got == "" {
			return
		}
		i := strings.Index(s, got)
		if len(got) != 6 || i < 0 || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("EventNumber(%q) = %q: not six digits of s", s, got)
		}
		isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
		// The first occurrence may be inside a longer number; some
		// occurrence must be bounded by non-digits.
		for j := i; j >= 0 && j+6 <= len(s); {
			before := j == 0 || !isDigit(s[j-1])
			after := j+6 == len(s) || !isDigit(s[j+6])
			if before && after {
				return
			}
			k := strings.Index(s[j+1:], got)
			if k < 0 {
				break
			}
			j += 1 + k
		}
		t.Fatalf("EventNumber(%q) = %q: not bounded by non-digits", s, got)
	})
}
