package web

import (
	"io/fs"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// NewWithTemplates is New with the page templates read from fsys, so that
// a test can inject a broken one.
func NewWithTemplates(opts Options, fsys fs.FS) (*fiber.App, error) {
	return newApp(opts, internals{templates: fsys})
}

// NewAt is New with a fixed clock.
func NewAt(opts Options, now time.Time) (*fiber.App, error) {
	return newApp(opts, internals{now: func() time.Time { return now }})
}

// DecodeEvent is the events' body decoder, for the fuzz test.
func DecodeEvent(contentType string, body []byte) (*store.Event, error) {
	return decodeEvent(contentType, body, 0)
}

// StatusOf is the status the error handler answers err with.
func StatusOf(err error) int { return classify(err).status }
