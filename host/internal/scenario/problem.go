package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxProblems is how many problems a ValidationError lists at most; the rest
// are only counted.
const MaxProblems = 50

// Problem is one thing wrong with a scenario document.
type Problem struct {
	// Path is the JSON path of the field, such as "events[3].due"; "" for
	// the document as a whole (a syntax error, an empty document).
	Path string
	// Message says what is wrong, such as "2026-03-01 is before start
	// 2026-03-05". A syntax error's message starts with its line and column.
	Message string
}

// String returns "path: message", or the message alone when the path is
// empty.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError is an invalid scenario document: every problem found, in
// document order, up to MaxProblems.
type ValidationError struct {
	Problems []Problem
	// More counts the problems found beyond MaxProblems.
	More int
}

// Error returns the problems, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n(and %d more problems)", e.More)
	}
	return b.String()
}

// problems collects the problems of one document.
type problems struct {
	list []Problem
	more int
}

func (ps *problems) add(path, format string, args ...any) {
	if len(ps.list) >= MaxProblems {
		ps.more++
		return
	}
	ps.list = append(ps.list, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list, More: ps.more}
}

// path is a JSON path, built as the decoder descends and rendered only
// when a problem is reported.
type path struct {
	up    *path
	field string // a member name, or "" for an array index
	index int
}

func (p *path) key(name string) *path { return &path{up: p, field: name} }
func (p *path) at(i int) *path        { return &path{up: p, index: i} }

func (p *path) String() string {
	if p == nil {
		return ""
	}
	var parts []*path
	for q := p; q != nil; q = q.up {
		parts = append(parts, q)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		q := parts[i]
		if q.field == "" {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(q.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(q.field)
	}
	return b.String()
}
