package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
)

// fieldErrs collects problems with named fields of a request.
type fieldErrs []store.FieldError

func (p *fieldErrs) add(field, format string, args ...any) {
	*p = append(*p, store.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns the problems as an error of status, or nil when there are
// none.
func (p fieldErrs) err(status int) error {
	if len(p) == 0 {
		return nil
	}
	return fieldsError(status, p)
}

// date parses s as a YYYY-MM-DD date of field, recording a problem when it
// is not one.
func (p *fieldErrs) date(field, s string) civil.Date {
	d, err := civil.ParseDate(s)
	if err != nil {
		p.add(field, "%s", dateProblem(s))
		return 0
	}
	return d
}

// requiredDate parses the date of a required body field: missing is a
// 422, a date that is not YYYY-MM-DD a 400, each naming the field.
func requiredDate(field, s string) (civil.Date, error) {
	if s == "" {
		return 0, invalid(field, "is required (YYYY-MM-DD)")
	}
	var bad fieldErrs
	d := bad.date(field, s)
	return d, bad.err(http.StatusBadRequest)
}

// optDate is date for an optional field: nil stays zero.
func (p *fieldErrs) optDate(field string, s *string) civil.Date {
	if s == nil {
		return 0
	}
	return p.date(field, *s)
}

// clock parses s as an HH:MM time of day of field.
func (p *fieldErrs) clock(field, s string) civil.Clock {
	c, err := civil.ParseClock(s)
	if err != nil {
		p.add(field, "%q is not HH:MM (a 24-hour time of day)", s)
		return 0
	}
	return c
}

// dateProblem says what is wrong with s as a date: not shaped like one, or
// a day that does not exist such as 2026-02-30.
func dateProblem(s string) string {
	shaped := len(s) == 10 && s[4] == '-' && s[7] == '-'
	for i := 0; shaped && i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			shaped = false
		}
	}
	if shaped {
		return fmt.Sprintf("%q is not a date", s)
	}
	return fmt.Sprintf("%q is not YYYY-MM-DD", s)
}

// decodeJSON decodes the request body into dst strictly: see decodeBody.
func decodeJSON(c *fiber.Ctx, dst any) error {
	return decodeBody(c.Get(fiber.HeaderContentType), c.Body(), dst)
}

// decodeBody decodes one JSON object from body into dst. It rejects a
// Content-Type other than application/json, an empty body, anything but an
// object, unknown fields, values of the wrong type and data after the
// object, each with a message naming the field ("body.ref: expected an
// integer, got a string").
func decodeBody(contentType string, body []byte, dst any) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return unsupported("body: Content-Type must be application/json")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return badRequest("body", "is empty: send a JSON object")
	}
	if trimmed[0] != '{' {
		return badRequest("body", "must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(body, err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return badRequest("body", "unexpected data after the JSON object")
	}
	return nil
}

// jsonError turns an encoding/json error into a 400 naming the field.
func jsonError(body []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ie *json.InvalidUnmarshalError
	switch {
	case errors.As(err, &se):
		line, col := position(body, se.Offset-1) // Offset is just past the bad byte
		return badRequest("body", "malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body", "malformed JSON: it ends before the object is complete")
	case errors.As(err, &te):
		field := "body"
		if te.Field != "" {
			field += "." + te.Field
		}
		return badRequest(field, "expected %s, got %s", jsonKind(te.Type), describeValue(te.Value))
	case errors.As(err, &ie):
		return fmt.Errorf("decode request body: %w", err) // a programmer error: 500
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return badRequest("body", "unknown field %s", name)
	}
	return badRequest("body", "%s", strings.TrimPrefix(msg, "json: "))
}

// position returns the 1-based line and column of the byte at offset off.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	line, col = 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "another value"
	}
}

// describeValue names the JSON value encoding/json found ("string",
// "number 1.5").
func describeValue(v string) string {
	switch {
	case v == "string":
		return "a string"
	case v == "bool":
		return "true or false"
	case v == "array":
		return "an array"
	case v == "object":
		return "an object"
	case v == "number":
		return "a number"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	default:
		return v
	}
}

// queryDate returns the optional YYYY-MM-DD query parameter name; zero
// when absent.
func queryDate(c *fiber.Ctx, name string) (civil.Date, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	d, err := civil.ParseDate(v)
	if err != nil {
		return 0, badRequest("query."+name, "%s", dateProblem(v))
	}
	return d, nil
}

// maxRangeDays is the longest from-to range a list of events may ask for.
const maxRangeDays = 366

// queryRange returns the optional from and to query parameters, checking
// that from is not after to and, when maxDays > 0, that the range is at
// most maxDays days long.
func queryRange(c *fiber.Ctx, maxDays int) (store.DateRange, error) {
	from, err := queryDate(c, "from")
	if err != nil {
		return store.DateRange{}, err
	}
	to, err := queryDate(c, "to")
	if err != nil {
		return store.DateRange{}, err
	}
	if !from.IsZero() && !to.IsZero() {
		if to.Before(from) {
			return store.DateRange{}, badRequest("query.to", "%s is before from %s", to, from)
		}
		if n := from.DaysUntil(to) + 1; maxDays > 0 && n > maxDays {
			return store.DateRange{}, badRequest("query.to", "the range %s to %s is %d days: ask for at most %d", from, to, n, maxDays)
		}
	}
	return store.DateRange{From: from, To: to}, nil
}

// queryInt returns the integer query parameter name, def when absent,
// checking it is between lo and hi.
func queryInt(c *fiber.Ctx, name string, lo, hi, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("query."+name, "%q is not a whole number from %d to %d", v, lo, hi)
	}
	return n, nil
}

// queryBool returns the optional true/false query parameter name.
func queryBool(c *fiber.Ctx, name string) (*bool, error) {
	switch v := c.Query(name); v {
	case "":
		return nil, nil
	case "true", "1":
		b := true
		return &b, nil
	case "false", "0":
		b := false
		return &b, nil
	default:
		return nil, badRequest("query."+name, "%q is not true or false", v)
	}
}

// pathDate returns the YYYY-MM-DD path parameter name.
func pathDate(c *fiber.Ctx, name string) (civil.Date, error) {
	v := c.Params(name)
	d, err := civil.ParseDate(v)
	if err != nil {
		return 0, badRequest("path."+name, "%s", dateProblem(v))
	}
	return d, nil
}

// pathID returns the positive integer path parameter name; what names it
// in the message ("an event ref").
func pathID(c *fiber.Ctx, name, what string) (int64, error) {
	v := c.Params(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, badRequest("path."+name, "%q is not %s (a positive whole number)", v, what)
	}
	return n, nil
}
