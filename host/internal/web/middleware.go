package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crewplan/crewplan/host/internal/config"
)

// localKey names a value kept in a request's locals.
type localKey int

const (
	keyRequestID localKey = iota // string
	keyAuth                      // *auth, once looked up
)

// unmatchedRoute labels requests no route matched, so that scanners do not
// grow the metrics without bound.
const unmatchedRoute = "unmatched"

// middleware returns the handlers every request passes, in order: a
// request id, logging and metrics (which also answer errors), and panic
// recovery. They form one route so that a handler's route is told from
// this one's.
func (s *server) middleware() []any {
	mw := []any{
		sanitizeRequestID,
		requestid.New(requestid.Config{Generator: newRequestID, ContextKey: keyRequestID}),
		s.observe,
		recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}),
	}
	if s.instance != "" {
		mw = append([]any{s.markInstance}, mw...)
	}
	if s.gate != nil {
		mw = append(mw, s.gate.handler)
	}
	return mw
}

// markInstance says on every response which instance answers (a test
// instance says "test"), whatever the response.
func (s *server) markInstance(c *fiber.Ctx) error {
	c.Set(config.TestInstanceHeader, s.instance)
	return c.Next()
}

// sanitizeRequestID drops an incoming X-Request-ID that is not a short
// plain token, so a client cannot put anything it likes into the logs.
func sanitizeRequestID(c *fiber.Ctx) error {
	v := c.Get(fiber.HeaderXRequestID)
	if v == "" {
		return c.Next()
	}
	ok := len(v) <= 64
	for i := 0; ok && i < len(v); i++ {
		b := v[i]
		ok = b == '-' || b == '_' || b == '.' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
	}
	if !ok {
		c.Request().Header.Del(fiber.HeaderXRequestID)
	}
	return c.Next()
}

// newRequestID returns a random request id.
func newRequestID() string { return randomHex(12) }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// requestID returns the request's id.
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(keyRequestID).(string)
	return id
}

// observe runs the rest of the chain, answers its error through the error
// handler, then logs one line and records the request's metrics.
func (s *server) observe(c *fiber.Ctx) error {
	start := time.Now()
	entry := c.Route()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = s.writeError(c, err)
	}
	elapsed := time.Since(start)
	route := c.Route().Path
	if c.Route() == entry {
		route = unmatchedRoute
	}
	code := strconv.Itoa(status)
	s.metrics.requests.WithLabelValues(c.Method(), route, code).Inc()
	s.metrics.duration.WithLabelValues(c.Method(), route, code).Observe(elapsed.Seconds())

	level := slog.LevelInfo
	switch {
	case status >= http.StatusInternalServerError:
		level = slog.LevelError
	case status < http.StatusBadRequest && (route == "/healthz" || route == "/readyz" || route == "/metrics"):
		level = slog.LevelDebug
	}
	if !s.log.Enabled(c.UserContext(), level) {
		return nil
	}
	attrs := []slog.Attr{
		slog.String("method", c.Method()),
		slog.String("route", route),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
		slog.String("request_id", requestID(c)),
	}
	if a, _ := c.Locals(keyAuth).(*auth); a != nil {
		attrs = append(attrs, slog.String("user", a.user.Username))
	}
	if err != nil && status >= http.StatusInternalServerError {
		attrs = append(attrs, slog.Any("error", err))
	}
	s.log.LogAttrs(c.UserContext(), level, "request", attrs...)
	return nil
}

// logPanic logs a recovered panic with its stack; the request then ends
// as a 500.
func (s *server) logPanic(c *fiber.Ctx, v any) {
	s.log.Error("panic serving request", slog.String("request_id", requestID(c)),
		slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
}

// httpMetrics are the request metrics, labelled by method, route pattern
// (never the raw path) and status.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newHTTPMetrics registers the request metrics on reg, reusing them when
// an earlier server registered them there.
func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	labels := []string{"method", "route", "status"}
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crewplan_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crewplan_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method, route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, labels),
	}
	if err := reg.Register(m.requests); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, fmt.Errorf("register request counter: %w", err)
		}
		var ok bool
		if m.requests, ok = are.ExistingCollector.(*prometheus.CounterVec); !ok {
			return nil, fmt.Errorf("register request counter: %w", err)
		}
	}
	if err := reg.Register(m.duration); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, fmt.Errorf("register request histogram: %w", err)
		}
		var ok bool
		if m.duration, ok = are.ExistingCollector.(*prometheus.HistogramVec); !ok {
			return nil, fmt.Errorf("register request histogram: %w", err)
		}
	}
	return m, nil
}
