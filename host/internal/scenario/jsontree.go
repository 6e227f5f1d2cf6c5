package scenario

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The scenario reader parses JSON itself, into a small tree of nodes, rather
// than with encoding/json: it needs every object's members in document
// order (to report unknown and repeated fields, which a Go map would hide),
// the position of syntax errors as line and column, and to be fast on big
// files. The grammar is RFC 8259's, as encoding/json accepts it, except that
// strings must be valid UTF-8.

type nodeKind uint8

const (
	nodeNull nodeKind = iota
	nodeBool
	nodeNumber
	nodeString
	nodeArray
	nodeObject
)

// node is one JSON value.
type node struct {
	kind  nodeKind
	truth bool     // nodeBool
	text  string   // nodeString: the value; nodeNumber: the literal
	elems []node   // nodeArray
	membs []member // nodeObject, in document order
}

// member is one name/value pair of an object.
type member struct {
	name string
	val  node
}

// describe names the kind of n for messages: "a string", "null".
func (n *node) describe() string {
	switch n.kind {
	case nodeNull:
		return "null"
	case nodeBool:
		return "a boolean"
	case nodeNumber:
		return "a number"
	case nodeString:
		return "a string"
	case nodeArray:
		return "an array"
	default:
		return "an object"
	}
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// position returns the 1-based line and column (in characters) of byte
// offset off in data.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line = 1
	start := 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}

type jsonParser struct {
	data  []byte
	pos   int
	depth int
}

// parseJSON parses data as exactly one JSON value surrounded by optional
// white space. It returns errEmpty when there is nothing but white space.
func parseJSON(data []byte) (node, error) {
	p := jsonParser{data: data}
	p.skipSpace()
	if p.pos == len(data) {
		return node{}, errEmpty
	}
	n, err := p.value()
	if err != nil {
		return node{}, err
	}
	p.skipSpace()
	if p.pos != len(data) {
		return node{}, &syntaxError{p.pos, "unexpected data after the document"}
	}
	return n, nil
}

var errEmpty = &syntaxError{0, "empty document"}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &syntaxError{p.pos, fmt.Sprintf(format, args...)}
}

// unexpected reports the byte at p.pos (or the end of input) where
// something else was wanted.
func (p *jsonParser) unexpected(context string) error {
	if p.pos >= len(p.data) {
		return p.errorf("unexpected end of input %s", context)
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return p.errorf("invalid character %s %s", quoteChar(r), context)
}

func quoteChar(r rune) string {
	switch {
	case r == '\'':
		return `'\''`
	case r == '"':
		return `'"'`
	case r == utf8.RuneError:
		return "(invalid UTF-8)"
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("%U", r)
	}
	return "'" + string(r) + "'"
}

func (p *jsonParser) value() (node, error) {
	if p.pos >= len(p.data) {
		return node{}, p.unexpected("looking for the beginning of a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return node{kind: nodeString, text: s}, err
	case c == 't':
		return node{kind: nodeBool, truth: true}, p.literal("true")
	case c == 'f':
		return node{kind: nodeBool}, p.literal("false")
	case c == 'n':
		return node{kind: nodeNull}, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return node{}, p.unexpected("looking for the beginning of a value")
	}
}

func (p *jsonParser) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if p.pos >= len(p.data) || p.data[p.pos] != word[i] {
			return p.unexpected("in literal " + word)
		}
		p.pos++
	}
	return nil
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *jsonParser) object() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	p.pos++ // '{'
	n := node{kind: nodeObject}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return n, nil
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return node{}, p.unexpected("looking for the beginning of an object key")
		}
		name, err := p.str()
		if err != nil {
			return node{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return node{}, p.unexpected("after object key")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return node{}, err
		}
		n.membs = append(n.membs, member{name: name, val: v})
		p.skipSpace()
		if p.pos < len(p.data) {
			switch p.data[p.pos] {
			case ',':
				p.pos++
				p.skipSpace()
				continue
			case '}':
				p.pos++
				p.depth--
				return n, nil
			}
		}
		return node{}, p.unexpected("after object key:value pair")
	}
}

func (p *jsonParser) array() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	p.pos++ // '['
	n := node{kind: nodeArray}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return node{}, err
		}
		n.elems = append(n.elems, v)
		p.skipSpace()
		if p.pos < len(p.data) {
			switch p.data[p.pos] {
			case ',':
				p.pos++
				p.skipSpace()
				continue
			case ']':
				p.pos++
				p.depth--
				return n, nil
			}
		}
		return node{}, p.unexpected("after array element")
	}
}

func (p *jsonParser) number() (node, error) {
	start := p.pos
	d := p.data
	if d[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(d) && d[p.pos] == '0':
		p.pos++
	case p.pos < len(d) && d[p.pos] >= '1' && d[p.pos] <= '9':
		p.skipDigits()
	default:
		return node{}, p.unexpected("in numeric literal")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if p.pos >= len(d) || d[p.pos] < '0' || d[p.pos] > '9' {
			return node{}, p.unexpected("after decimal point in numeric literal")
		}
		p.skipDigits()
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(d) || d[p.pos] < '0' || d[p.pos] > '9' {
			return node{}, p.unexpected("in exponent of numeric literal")
		}
		p.skipDigits()
	}
	return node{kind: nodeNumber, text: string(d[start:p.pos])}, nil
}

func (p *jsonParser) skipDigits() {
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
}

// str reads a string starting at the opening quote.
func (p *jsonParser) str() (string, error) {
	p.pos++ // '"'
	start := p.pos
	d := p.data
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			raw := d[start:i]
			if err := p.checkUTF8(start, raw); err != nil {
				return "", err
			}
			p.pos = i + 1
			return string(raw), nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			p.pos = i
			return "", p.unexpected("in string literal")
		}
	}
	p.pos = len(d)
	return "", p.unexpected("in string literal")
}

// strEscaped reads the rest of a string that has an escape at offset i.
func (p *jsonParser) strEscaped(start, i int) (string, error) {
	d := p.data
	var b strings.Builder
	b.Grow(i - start + 16)
	if err := p.checkUTF8(start, d[start:i]); err != nil {
		return "", err
	}
	b.Write(d[start:i])
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b.String(), nil
		case c < 0x20:
			p.pos = i
			return "", p.unexpected("in string literal")
		case c == '\\':
			if i+1 >= len(d) {
				p.pos = len(d)
				return "", p.unexpected("in string escape code")
			}
			i++
			switch d[i] {
			case '"', '\\', '/':
				b.WriteByte(d[i])
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(d, i+1)
				if !ok {
					p.pos = i
					return "", p.errorf("invalid \\u escape in string literal")
				}
				i += 4
				if r >= 0xD800 && r < 0xDC00 {
					// A high surrogate: combine it with a following low
					// one; alone it becomes U+FFFD, as in encoding/json.
					if i+6 < len(d) && d[i+1] == '\\' && d[i+2] == 'u' {
						if r2, ok := hex4(d, i+3); ok && r2 >= 0xDC00 && r2 < 0xE000 {
							r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
							i += 6
						}
					}
				}
				if (r >= 0xD800 && r < 0xE000) || r > utf8.MaxRune {
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				p.pos = i
				return "", p.unexpected("in string escape code")
			}
			i++
		default:
			j := i
			for j < len(d) && d[j] != '"' && d[j] != '\\' && d[j] >= 0x20 {
				j++
			}
			if err := p.checkUTF8(i, d[i:j]); err != nil {
				return "", err
			}
			b.Write(d[i:j])
			i = j
		}
	}
	p.pos = len(d)
	return "", p.unexpected("in string literal")
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// checkUTF8 reports the first invalid UTF-8 sequence of raw, which starts
// at offset off.
func (p *jsonParser) checkUTF8(off int, raw []byte) error {
	if utf8.Valid(raw) {
		return nil
	}
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			return &syntaxError{off + i, "invalid UTF-8 in string literal"}
		}
		i += size
	}
	return nil
}
