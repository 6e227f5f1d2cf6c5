package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// readyTimeout bounds one readiness check.
const readyTimeout = 3 * time.Second

// healthz answers 200 while the process is up: it checks nothing else.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyBody is the JSON of /readyz.
type readyBody struct {
	Status string                 `json:"status"`
	Reason string                 `json:"reason,omitempty"`
	Schema *store.MigrationStatus `json:"schema,omitempty"`
}

// readyz answers 200 when the server can take traffic: by default when the
// database answers and its schema is this build's. Otherwise 503 with a
// short reason; the real error goes to the log only.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	notReady := func(reason string, err error, st *store.MigrationStatus) error {
		if err != nil {
			s.log.Warn("not ready", slog.String("reason", reason), slog.Any("error", err))
		}
		return c.Status(http.StatusServiceUnavailable).JSON(readyBody{Status: "unavailable", Reason: reason, Schema: st})
	}
	if s.ready != nil {
		if err := s.ready(ctx); err != nil {
			return notReady("not ready", err, nil)
		}
		body := readyBody{Status: "ready"}
		if st, err := s.store.MigrationStatus(ctx); err == nil {
			body.Schema = &st
		}
		return c.JSON(body)
	}
	if err := s.store.Ping(ctx); err != nil {
		return notReady("database unreachable", err, nil)
	}
	st, err := s.store.MigrationStatus(ctx)
	if err != nil {
		return notReady("database unreachable", err, nil)
	}
	if !st.UpToDate() {
		return notReady(fmt.Sprintf("schema at version %d, this build needs %d", st.Current, st.Latest), nil, &st)
	}
	return c.JSON(readyBody{Status: "ready", Schema: &st})
}
