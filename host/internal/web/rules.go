package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
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

// lockedDayRule is the id of the rule that keeps locked days frozen.
const lockedDayRule = "locked_day"

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
	var hard []rule.Violation
	for _, v := range vs[0].Violations {
		if v.Severity == rule.Hard {
			hard = append(hard, v)
		}
	}
	if len(hard) == 0 {
		return "", nil
	}
	for _, v := range hard {
		// Nothing overrides a locked day: an admin unlocks it first.
		if v.Rule == lockedDayRule {
			return "", conflict(v.Message)
		}
	}
	override = strings.TrimSpace(override)
	if override == "" {
		fields := make([]store.FieldError, len(hard))
		for i, v := range hard {
			fields[i] = store.FieldError{Field: "rule." + v.Rule, Message: v.Message}
		}
		e := fieldsError(http.StatusUnprocessableEntity, fields)
		e.message = fmt.Sprintf("this change breaks %d scheduling rule(s): %s; an admin may override with an override_reason", len(hard), e.message)
		return "", e
	}
	if a.user.Role != store.UserAdmin {
		return "", forbidden("only an admin may override a scheduling rule")
	}
	ids := make([]string, 0, len(hard))
	for _, v := range hard {
		if !slices.Contains(ids, v.Rule) {
			ids = append(ids, v.Rule)
		}
	}
	return fmt.Sprintf("%s (overrides %s)", override, strings.Join(ids, ", ")), nil
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
