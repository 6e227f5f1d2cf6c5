package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/rules"
	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/sdk/civil"
	"github.com/crewplan/crewplan/sdk/rule"
)

// localNow returns the store-local moment now, as the rules read it.
func (s *server) localNow() civil.DateTime {
	t := s.today()
	return civil.DateTime{Date: civil.DateOf(t), Clock: civil.NewClock(t.Hour(), t.Minute())}
}

// checkPlacement asks every rule about one change a person makes. It
// returns the override reason to store: "" when nothing is broken, the
// person's reason with the broken rules when an admin overrides them. A
// hard violation without an override reason is a 422 listing every
// violation; an override by someone who is not an admin is a 403; a
// locked day is a 409 that no override lifts; rules that cannot answer are
// a 503 — the change is not made unchecked.
func (s *server) checkPlacement(ctx context.Context, a *auth, cand rule.Candidate, override string) (string, error) {
	if s.rules == nil {
		return "", &httpError{status: http.StatusServiceUnavailable, message: "the scheduling rules are not loaded: no change can be checked"}
	}
	snap, err := rules.Load(ctx, s.store, cand.Date, cand.Date, s.localNow())
	if err != nil {
		return "", err
	}
	if err := snap.Include(ctx, s.store, cand.Event); err != nil {
		return "", err
	}
	vs, err := s.rules.Check(ctx, snap.Batch(rule.ModeManual, []rule.Candidate{cand}, nil))
	if err != nil {
		s.log.Error("rule check failed", "err", err)
		return "", &httpError{status: http.StatusServiceUnavailable, message: "the scheduling rules could not check this change; try again, or see the log: " + err.Error()}
	}
	reason, err := rules.Judge(vs[0], override, a.user.Role == store.UserAdmin)
	return reason, judgeError(err)
}

// judgeError turns rules.Judge's errors into what the client is told: 422
// listing the broken rules, 403 for an override by someone who is not an
// admin, 409 for a locked day.
func judgeError(err error) error {
	var ve *rules.ViolationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		fields := make([]store.FieldError, len(ve.Violations))
		for i, v := range ve.Violations {
			fields[i] = store.FieldError{Field: "rule." + v.Rule, Message: v.Message}
		}
		e := fieldsError(http.StatusUnprocessableEntity, fields)
		e.message = fmt.Sprintf("this change breaks %d scheduling rule(s): %s; an admin may override with an override_reason", len(fields), e.message)
		return e
	case errors.Is(err, rules.ErrOverrideForbidden):
		return forbidden(rules.ErrOverrideForbidden.Error())
	case errors.Is(err, store.ErrConflict):
		return conflict(strings.TrimPrefix(err.Error(), store.ErrConflict.Error()+": "))
	}
	return err
}

// verify answers GET /api/verify?from&to: every posted assignment in the
// range checked by every rule against the rest of the schedule.
func (s *server) verify(c *fiber.Ctx) error {
	r, err := queryRange(c, maxRangeDays)
	if err != nil {
		return err
	}
	if r.From.IsZero() || r.To.IsZero() {
		return badRequest("query", "give from and to (YYYY-MM-DD)")
	}
	if s.rules == nil {
		return &httpError{status: http.StatusServiceUnavailable, message: "the scheduling rules are not loaded"}
	}
	ctx := c.UserContext()
	snap, err := rules.Load(ctx, s.store, r.From, r.To, s.localNow())
	if err != nil {
		return err
	}
	findings, err := s.rules.Verify(ctx, snap, r.From, r.To)
	if err != nil {
		s.log.Error("verification failed", "err", err)
		return &httpError{status: http.StatusServiceUnavailable, message: "the scheduling rules could not verify the schedule: " + err.Error()}
	}
	if findings == nil {
		findings = []rules.Finding{}
	}
	return c.JSON(fiber.Map{"from": r.From, "to": r.To, "findings": findings})
}

// listPlugins answers GET /api/plugins: each plugin's name, type, version,
// path, checksum and health.
func (s *server) listPlugins(c *fiber.Ctx) error {
	if s.plugins == nil {
		return c.JSON(listOf([]any{}))
	}
	return c.JSON(listOf(s.plugins()))
}
