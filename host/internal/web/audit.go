package web

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/store"
)

// auditJSON is an audit log entry with its details as JSON rather than a
// string holding JSON.
type auditJSON struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Reason   string          `json:"reason,omitempty"`
	Details  json.RawMessage `json:"details"`
}

// maxAuditLimit is the most entries one GET /api/audit returns.
const maxAuditLimit = 1000

// listAudit answers GET /api/audit?entity&entity_id&limit (admin), newest
// first.
func (s *server) listAudit(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 1, maxAuditLimit, 100)
	if err != nil {
		return err
	}
	entries, err := s.store.ListAudit(c.UserContext(), store.AuditFilter{Entity: c.Query("entity"), EntityID: c.Query("entity_id"), Limit: limit})
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Reason: e.Reason}
		if json.Valid([]byte(e.Details)) {
			out[i].Details = json.RawMessage(e.Details)
		} else {
			out[i].Details, _ = json.Marshal(e.Details)
		}
	}
	return c.JSON(fiber.Map{"items": out, "limit": limit})
}
