package config

import (
	"reflect"
	"strings"
)

// field describes one leaf key of Config, such as "server.port".
type field struct {
	key      string
	typ      reflect.Type
	secret   string // "" (not secret), "true" (the whole value) or "url" (a URL's password)
	settable bool   // false for keys Load sets itself, such as "profile"
}

// schema is the set of keys Config accepts, read from its koanf tags so
// that a new field needs no other change here.
type schema struct {
	fields   map[string]field
	sections map[string]bool // "server", "database", …
}

// newSchema returns the keys of Config.
func newSchema() schema {
	s := schema{fields: map[string]field{}, sections: map[string]bool{}}
	walkLeaves(reflect.ValueOf(Config{}), "", func(f field, _ reflect.Value) {
		s.fields[f.key] = f
		for i := strings.IndexByte(f.key, '.'); i >= 0; i = nextDot(f.key, i) {
			s.sections[f.key[:i]] = true
		}
	})
	return s
}

// nextDot returns the index of the first '.' in key after i, or -1.
func nextDot(key string, i int) int {
	j := strings.IndexByte(key[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// settable reports whether key is a leaf that files, variables and flags
// may set.
func (s schema) settable(key string) bool {
	f, ok := s.fields[key]
	return ok && f.settable
}

// names returns the settable keys and sections directly under prefix
// ("" for the top level), without the prefix.
func (s schema) names(prefix string) []string {
	var out []string
	add := func(key string) {
		if prefix != "" {
			if !strings.HasPrefix(key, prefix+".") {
				return
			}
			key = key[len(prefix)+1:]
		}
		if !strings.Contains(key, ".") {
			out = append(out, key)
		}
	}
	for key, f := range s.fields {
		if f.settable {
			add(key)
		}
	}
	for key := range s.sections {
		add(key)
	}
	return out
}

// walkLeaves calls fn for every leaf field of the struct v, in declaration
// order, with its dotted key built from the koanf tags under prefix.
// Nested structs are sections; every other exported field is a leaf.
func walkLeaves(v reflect.Value, prefix string, fn func(f field, v reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := sf.Tag.Get("koanf")
		if !sf.IsExported() || name == "" || name == "-" {
			continue
		}
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		if sf.Type.Kind() == reflect.Struct {
			walkLeaves(v.Field(i), key, fn)
			continue
		}
		fn(field{
			key:      key,
			typ:      sf.Type,
			secret:   sf.Tag.Get("secret"),
			settable: sf.Tag.Get("settable") != "false",
		}, v.Field(i))
	}
}

// suggest returns the candidate closest to name when it is close enough
// to be a likely typo, else "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 3 // accept up to two edits
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), c)
		if d < bestDist || (d == bestDist && best != "" && c < best) {
			best, bestDist = c, d
		}
	}
	if best != "" && bestDist >= len(name) {
		return "" // too short to call it a typo
	}
	return best
}

// editDistance returns the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
