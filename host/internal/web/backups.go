package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/crewplan/crewplan/host/internal/backup"
	"github.com/crewplan/crewplan/host/internal/store"
)

// Backups is what the backup endpoints work on: the service, and the
// schedule's next time.
type Backups struct {
	Service *backup.Service
	// Next returns when the next scheduled backup is due; zero when none
	// is. Nil means no schedule.
	Next func() time.Time
}

// backups returns the backup service, or a 503 when the server has none.
func (s *server) backups() (*backup.Service, error) {
	if s.backup == nil || s.backup.Service == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, message: "backups are not available on this server"}
	}
	return s.backup.Service, nil
}

// backupsOut is GET /api/backups.
type backupsOut struct {
	Items   []backup.Listed      `json:"items"`
	Targets []string             `json:"targets"`
	Errors  []backup.TargetError `json:"errors"`
	// NextScheduled is when the next scheduled backup is due; null when
	// backups are not scheduled.
	NextScheduled *time.Time `json:"next_scheduled"`
}

// listBackups answers GET /api/backups (admin): the finished backups of
// every target, newest first, and the targets that could not be read.
func (s *server) listBackups(c *fiber.Ctx) error {
	svc, err := s.backups()
	if err != nil {
		return err
	}
	items, errs := svc.List(c.UserContext())
	out := backupsOut{Items: items, Errors: errs}
	if out.Items == nil {
		out.Items = []backup.Listed{}
	}
	if out.Errors == nil {
		out.Errors = []backup.TargetError{}
	}
	for _, t := range svc.Targets {
		out.Targets = append(out.Targets, t.Name)
	}
	if s.backup.Next != nil {
		if n := s.backup.Next(); !n.IsZero() {
			out.NextScheduled = &n
		}
	}
	return c.JSON(out)
}

// uploadOut is one target's outcome of a backup.
type uploadOut struct {
	Target string `json:"target"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// createBackup answers POST /api/backups (admin): a backup now. 201 when
// every target got it; 502 when some did not (the others hold it); 409
// when one is already running.
func (s *server) createBackup(c *fiber.Ctx) error {
	svc, err := s.backups()
	if err != nil {
		return err
	}
	made, err := svc.Now(c.UserContext(), backup.KindManual, nil)
	if errors.Is(err, backup.ErrRunning) {
		return conflict("a backup is already running: try again when it ends")
	}
	if made == nil || made.Manifest == nil {
		return err
	}
	out := struct {
		Backup  *backup.Manifest `json:"backup"`
		Uploads []uploadOut      `json:"uploads"`
	}{Backup: made.Manifest}
	for _, u := range made.Uploads {
		o := uploadOut{Target: u.Target, OK: u.Err == nil}
		if u.Err != nil {
			o.Error = u.Err.Error()
		}
		out.Uploads = append(out.Uploads, o)
	}
	status := http.StatusCreated
	if err != nil {
		status = http.StatusBadGateway
	}
	return c.Status(status).JSON(out)
}

// verifyBackup answers POST /api/backups/:id/verify (admin): every copy
// downloaded and verified. 200 when all verify, 422 when one does not.
func (s *server) verifyBackup(c *fiber.Ctx) error {
	svc, err := s.backups()
	if err != nil {
		return err
	}
	id := c.Params("id")
	checked, err := svc.Verify(c.UserContext(), id, nil)
	if errors.Is(err, backup.ErrNoBackup) {
		return notFound("no target holds backup " + id)
	}
	out := struct {
		ID       string           `json:"id"`
		Verified bool             `json:"verified"`
		Targets  []backup.Checked `json:"targets"`
	}{ID: id, Verified: err == nil, Targets: checked}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	return c.Status(status).JSON(out)
}

// restoreIn is the body of POST /api/backups/:id/restore: the id again.
type restoreIn struct {
	Confirm string `json:"confirm"`
}

// restoreBackup answers POST /api/backups/:id/restore (admin): the
// database replaced by the backup after a safety backup. The body must
// repeat the id in "confirm". The server answers no other request while
// the database is swapped.
func (s *server) restoreBackup(c *fiber.Ctx) error {
	svc, err := s.backups()
	if err != nil {
		return err
	}
	id := c.Params("id")
	var in restoreIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Confirm != id {
		return invalid("body.confirm", "must repeat the backup's id (%s): a restore replaces the whole database", id)
	}
	r, err := svc.Restore(c.UserContext(), id, backup.RestoreOptions{Confirm: in.Confirm})
	switch {
	case errors.Is(err, backup.ErrRunning):
		return conflict("a backup or a restore is already running: try again when it ends")
	case errors.Is(err, backup.ErrNoBackup):
		return notFound("no target holds backup " + id)
	case errors.Is(err, store.ErrSchemaTooNew):
		return conflict(err.Error())
	case err != nil && (r == nil || r.Safety == nil):
		return &httpError{status: http.StatusUnprocessableEntity, message: err.Error()}
	case err != nil:
		return &httpError{status: http.StatusInternalServerError, message: err.Error()}
	}
	return c.JSON(r)
}

// pruneIn is the body of POST /api/backups/prune.
type pruneIn struct {
	DryRun bool `json:"dry_run"`
}

// pruneBackups answers POST /api/backups/prune (admin).
func (s *server) pruneBackups(c *fiber.Ctx) error {
	svc, err := s.backups()
	if err != nil {
		return err
	}
	var in pruneIn
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	return c.JSON(listOf(svc.Prune(c.UserContext(), time.Now(), in.DryRun)))
}
