package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/ranker"
	"github.com/crewplan/crewplan/host/internal/ranker/rank"
	"github.com/crewplan/crewplan/host/internal/store"
)

// rankerService returns the ranking models' service, or a 503 when the
// server has none.
func (s *server) rankerService() (*rank.Service, error) {
	if s.ranker == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, message: "ranking models are not available on this server"}
	}
	return s.ranker, nil
}

// getRanker answers GET /api/ranker: the active model, whether it is live,
// the shadow mode and the fallbacks of recent runs.
func (s *server) getRanker(c *fiber.Ctx) error {
	svc, err := s.rankerService()
	if err != nil {
		return err
	}
	st, err := svc.Status(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// rankingModelJSON is a registered model as the API writes it, with its
// metrics and card as JSON objects.
type rankingModelJSON struct {
	store.RankingModel
	Metrics json.RawMessage `json:"metrics"`
	Card    json.RawMessage `json:"card"`
}

// listRankingModels answers GET /api/ranker/models.
func (s *server) listRankingModels(c *fiber.Ctx) error {
	models, err := s.store.ListRankingModels(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]rankingModelJSON, len(models))
	for i, m := range models {
		out[i] = rankingModelJSON{RankingModel: m, Metrics: jsonObject(m.Metrics), Card: jsonObject(m.Card)}
	}
	return c.JSON(listOf(out))
}

// activateIn is the body of POST /api/ranker/activate.
type activateIn struct {
	ID int64 `json:"id"`
}

// activateRankingModel answers POST /api/ranker/activate (admin): the
// model is validated again, then goes live without a restart.
func (s *server) activateRankingModel(c *fiber.Ctx) error {
	svc, err := s.rankerService()
	if err != nil {
		return err
	}
	var in activateIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.ID <= 0 {
		return invalid("body.id", "is required: the id of a registered model (GET /api/ranker/models)")
	}
	m, err := svc.Registry.Activate(c.UserContext(), in.ID)
	if err != nil {
		return modelError(err)
	}
	return c.JSON(m)
}

// rollbackRankingModel answers POST /api/ranker/rollback (admin): the
// model active before the current one goes live again, or none.
func (s *server) rollbackRankingModel(c *fiber.Ctx) error {
	svc, err := s.rankerService()
	if err != nil {
		return err
	}
	m, err := svc.Registry.Rollback(c.UserContext())
	if err != nil {
		if errors.Is(err, store.ErrNoPreviousModel) {
			return conflict(err.Error())
		}
		return modelError(err)
	}
	return c.JSON(fiber.Map{"active": m})
}

// deactivateRankingModel answers POST /api/ranker/deactivate (admin): the
// rules rank every placement.
func (s *server) deactivateRankingModel(c *fiber.Ctx) error {
	svc, err := s.rankerService()
	if err != nil {
		return err
	}
	if err := svc.Registry.Deactivate(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"active": nil})
}

// shadowIn is the body of PUT /api/ranker/shadow: true or false stores
// the shadow mode, null clears it (the configuration decides).
type shadowIn struct {
	Shadow *bool `json:"shadow"`
}

// putRankerShadow answers PUT /api/ranker/shadow (admin).
func (s *server) putRankerShadow(c *fiber.Ctx) error {
	svc, err := s.rankerService()
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	v, ok := raw["shadow"]
	if !ok || len(raw) != 1 {
		return invalid("body.shadow", "is required, and alone: true, false, or null to let the configuration decide")
	}
	var in shadowIn
	if err := json.Unmarshal(v, &in.Shadow); err != nil {
		return invalid("body.shadow", "is not true, false or null")
	}
	if err := svc.SetShadow(c.UserContext(), currentAuth(c).actor(), in.Shadow); err != nil {
		return err
	}
	st, err := svc.Status(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// modelError turns a registry error into what the client is told: a
// model that does not validate, or whose file does not match, is a 422
// with the reason.
func modelError(err error) error {
	if errors.Is(err, ranker.ErrInvalidModel) || errors.Is(err, ranker.ErrModelFile) {
		return &httpError{status: http.StatusUnprocessableEntity, message: err.Error()}
	}
	return err
}
