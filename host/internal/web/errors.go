package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// httpError is an error whose status and message are meant for the
// client: what was wrong with the request and, where it helps, what to do.
type httpError struct {
	status  int
	message string
	fields  []store.FieldError
}

// Error returns the message the client sees.
func (e *httpError) Error() string { return e.message }

// badRequest is a 400 about one field of the request, such as
// "body.start" or "query.from".
func badRequest(field, format string, args ...any) *httpError {
	var p fieldErrs
	p.add(field, format, args...)
	return fieldsError(http.StatusBadRequest, p)
}

// fieldsError is an error of the given status listing every field problem;
// its message joins them.
func fieldsError(status int, fields []store.FieldError) *httpError {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return &httpError{status: status, message: strings.Join(parts, "; "), fields: fields}
}

// invalid is a 422 about one field of the request body.
func invalid(field, format string, args ...any) *httpError {
	var p fieldErrs
	p.add(field, format, args...)
	return fieldsError(http.StatusUnprocessableEntity, p)
}

// conflict, forbidden, notFound and unsupported are errors of their status
// with a message for the client.
func conflict(msg string) *httpError  { return &httpError{status: http.StatusConflict, message: msg} }
func forbidden(msg string) *httpError { return &httpError{status: http.StatusForbidden, message: msg} }
func notFound(msg string) *httpError  { return &httpError{status: http.StatusNotFound, message: msg} }
func unsupported(msg string) *httpError {
	return &httpError{status: http.StatusUnsupportedMediaType, message: msg}
}

// errUnauthorized answers an /api request without a valid session.
var errUnauthorized = &httpError{status: http.StatusUnauthorized, message: "sign in first: no session, or it expired (POST /api/session)"}

// internalMessage is all a client learns of an unexpected error.
const internalMessage = "internal error"

// classify turns any error into what the client is told. Only errors made
// for the client (httpError), the store's sentinels and Fiber's own errors
// keep their text; anything else is a 500 "internal error".
func classify(err error) *httpError {
	var he *httpError
	var ve *store.ValidationError
	var fe *fiber.Error
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &ve):
		fields := make([]store.FieldError, len(ve.Fields))
		for i, f := range ve.Fields {
			fields[i] = store.FieldError{Field: bodyField(f.Field), Message: f.Message}
		}
		return fieldsError(http.StatusUnprocessableEntity, fields)
	case errors.Is(err, store.ErrInvalid):
		// A database constraint caught what validation did not; its text
		// is the driver's, so only the operation is repeated.
		return &httpError{status: http.StatusUnprocessableEntity, message: operation(err.Error(), ": invalid") + ": the database rejected the values"}
	case errors.Is(err, store.ErrBadCredentials):
		return &httpError{status: http.StatusUnauthorized, message: store.ErrBadCredentials.Error()}
	case errors.Is(err, store.ErrNotFound):
		return notFound(err.Error())
	case errors.Is(err, store.ErrConflict):
		return conflict(conflictMessage(err.Error()))
	case errors.As(err, &fe):
		if fe.Code >= http.StatusInternalServerError {
			return &httpError{status: fe.Code, message: http.StatusText(fe.Code)}
		}
		return &httpError{status: fe.Code, message: fe.Message}
	default:
		return &httpError{status: http.StatusInternalServerError, message: internalMessage}
	}
}

// bodyField names a store field as a field of the request body: "due"
// becomes "body.due"; fields already placed are kept.
func bodyField(f string) string {
	for _, p := range []string{"body", "query.", "path."} {
		if strings.HasPrefix(f, p) {
			return f
		}
	}
	return "body." + f
}

// operation returns the text before sentinel, the operation the store
// named ("create event 5" of "create event 5: invalid: ...").
func operation(msg, sentinel string) string {
	if i := strings.Index(msg, sentinel); i >= 0 {
		return msg[:i]
	}
	return "request"
}

// conflictMessage returns the store's conflict message without the
// driver's text the store keeps in parentheses for the log, and without
// the bare word "conflict".
func conflictMessage(msg string) string {
	for _, marker := range []string{"already exists (", "still referenced ("} {
		if i := strings.Index(msg, marker); i >= 0 {
			msg = msg[:i+len(marker)-2]
		}
	}
	word := store.ErrConflict.Error()
	msg = strings.Replace(msg, word+": ", "", 1)
	return strings.TrimSuffix(msg, ": "+word)
}

// errorBody is the JSON of an /api error.
type errorBody struct {
	Error     string             `json:"error"`
	Fields    []store.FieldError `json:"fields,omitempty"`
	RequestID string             `json:"request_id"`
}

// writeError answers a request with err: JSON under /api, an HTML page
// elsewhere. It returns the status sent.
func (s *server) writeError(c *fiber.Ctx, err error) int {
	he := classify(err)
	c.Status(he.status)
	rid := requestID(c)
	if isAPI(c.Path()) {
		if jerr := c.JSON(errorBody{Error: he.message, Fields: he.fields, RequestID: rid}); jerr != nil {
			c.Status(http.StatusInternalServerError)
			return http.StatusInternalServerError
		}
		return he.status
	}
	if rerr := s.renderErrorPage(c, he); rerr != nil {
		s.log.Error("render error page", slog.String("request_id", rid), slog.Any("error", rerr))
		c.Status(he.status)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		_ = c.SendString(he.message + "\nrequest id: " + rid + "\n")
	}
	return he.status
}

// fiberErrorHandler is Fiber's ErrorHandler, for the errors that do not
// pass through the request middleware (those it answers and logs itself).
func (s *server) fiberErrorHandler(c *fiber.Ctx, err error) error {
	status := s.writeError(c, err)
	if status >= http.StatusInternalServerError {
		s.log.Error("request failed", slog.String("method", c.Method()), slog.String("path", c.Path()),
			slog.String("request_id", requestID(c)), slog.Any("error", err))
	}
	return nil
}

// isAPI reports whether path is under /api.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }
