package web

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// Gate stops the server serving while the database is swapped under it (a
// restore): Pause refuses new requests with 503 and waits for those in
// flight, and the func it returns lets them in again. The health checks,
// /metrics and the restore's own request pass.
type Gate struct {
	mu       sync.Mutex
	paused   bool
	inflight int
	idle     *sync.Cond
}

// NewGate returns an open gate.
func NewGate() *Gate {
	g := &Gate{}
	g.idle = sync.NewCond(&g.mu)
	return g
}

// Pause closes the gate and waits for the requests in flight to end, or
// for ctx (the gate then opens again).
func (g *Gate) Pause(ctx context.Context) (resume func(), err error) {
	g.mu.Lock()
	g.paused = true
	stop := context.AfterFunc(ctx, func() {
		g.mu.Lock()
		g.idle.Broadcast()
		g.mu.Unlock()
	})
	for g.inflight > 0 && ctx.Err() == nil {
		g.idle.Wait()
	}
	stop()
	if err := ctx.Err(); err != nil {
		g.paused = false
		g.mu.Unlock()
		return nil, err
	}
	g.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.paused = false
			g.mu.Unlock()
		})
	}, nil
}

// exempt reports whether a request passes a closed gate uncounted.
func exempt(c *fiber.Ctx) bool {
	p := c.Path()
	switch p {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return c.Method() == fiber.MethodPost && strings.HasPrefix(p, "/api/backups/") && strings.HasSuffix(p, "/restore")
}

// handler is the gate's middleware.
func (g *Gate) handler(c *fiber.Ctx) error {
	if exempt(c) {
		return c.Next()
	}
	g.mu.Lock()
	if g.paused {
		g.mu.Unlock()
		c.Set(fiber.HeaderRetryAfter, "30")
		return &httpError{status: http.StatusServiceUnavailable, message: "crewplan is restoring a backup: try again in a minute"}
	}
	g.inflight++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inflight--
		if g.inflight == 0 {
			g.idle.Broadcast()
		}
		g.mu.Unlock()
	}()
	return c.Next()
}
