package web

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crewplan/crewplan/host/internal/store"
	"github.com/crewplan/crewplan/ui"
)

// routes registers every route, grouped by resource. Under /api, reads
// need a signed-in user (any role); changes also need the session's CSRF
// token in X-CSRF-Token and the admin or scheduler role; locked days,
// settings and the audit log are changed (audit: read) by admins only.
func (s *server) routes(app *fiber.App) {
	app.Use(s.middleware()...)

	// Operations.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(ui.Static), MaxAge: 3600}))

	// Pages.
	app.Get("/login", s.loginPage)
	app.Post("/login", s.login)
	app.Post("/logout", s.logout)
	app.Get("/", s.pageAuth, s.dashboard)
	app.Get("/employees", s.pageAuth, s.employeesPage)
	app.Get("/events", s.pageAuth, s.eventsPage)
	app.Post("/events/:ref/schedule", s.pageAuth, s.scheduleEventPage)

	reader := s.need()
	editor := s.need(store.UserAdmin, store.UserScheduler)
	admin := s.need(store.UserAdmin)
	api := app.Group("/api")

	// Session.
	api.Post("/session", s.signIn)
	api.Get("/session", reader, s.getSession)
	api.Delete("/session", reader, s.signOut)

	// Employees.
	api.Get("/employees", reader, s.listEmployees)
	api.Post("/employees", editor, s.createEmployee)
	api.Get("/employees/:id", reader, s.getEmployee)
	api.Put("/employees/:id", editor, s.updateEmployee)
	api.Delete("/employees/:id", editor, s.deleteEmployee)

	// Events.
	api.Get("/events", reader, s.listEvents)
	api.Post("/events", editor, s.createEvent)
	api.Get("/events/:ref", reader, s.getEvent)
	api.Put("/events/:ref", editor, s.updateEvent)
	api.Delete("/events/:ref", editor, s.deleteEvent)

	// Posted schedules.
	api.Get("/schedules", reader, s.listSchedules)
	api.Post("/schedules", editor, s.postSchedule)
	api.Get("/schedules/:id", reader, s.getSchedule)
	api.Put("/schedules/:id", editor, s.moveSchedule)
	api.Delete("/schedules/:id", editor, s.deleteSchedule)

	// Rotations and their one-day exceptions.
	api.Get("/rotations", reader, s.listRotations)
	api.Put("/rotations/:type", editor, s.putRotation)
	api.Get("/rotation-exceptions", reader, s.listRotationExceptions)
	api.Put("/rotation-exceptions/:date/:type", editor, s.putRotationException)
	api.Delete("/rotation-exceptions/:date/:type", editor, s.deleteRotationException)

	// Holidays.
	api.Get("/holidays", reader, s.listHolidays)
	api.Put("/holidays/:date", editor, s.putHoliday)
	api.Delete("/holidays/:date", editor, s.deleteHoliday)

	// Locked days.
	api.Get("/locked-days", reader, s.listLockedDays)
	api.Post("/locked-days", admin, s.lockDay)
	api.Delete("/locked-days/:date", admin, s.unlockDay)

	// Settings.
	api.Get("/settings", reader, s.getSettings)
	api.Put("/settings", admin, s.checkCronSetting, s.putSettings)

	// Scheduler runs and their review.
	api.Get("/runs", reader, s.listRuns)
	api.Post("/runs", editor, s.startRun)
	api.Get("/runs/:id", reader, s.getRun)
	api.Get("/runs/:id/proposals", reader, s.listRunProposals)
	api.Get("/runs/:id/preview", reader, s.previewRun)
	api.Post("/runs/:id/approve", editor, s.approveRun)
	api.Post("/runs/:id/reject", editor, s.rejectRun)
	api.Get("/proposals/:id", reader, s.getProposal)
	api.Put("/proposals/:id", editor, s.editProposal)
	api.Post("/proposals/:id/approve", editor, s.approveProposal)
	api.Post("/events/:ref/schedule", editor, s.scheduleEvent)

	// Attendance.
	api.Get("/attendance", reader, s.listAttendance)
	api.Post("/attendance", editor, s.recordAttendance)

	// Audit log.
	api.Get("/audit", admin, s.listAudit)
	api.Get("/verify", reader, s.verify)
	api.Get("/plugins", reader, s.listPlugins)

	// Ranking models.
	api.Get("/ranker", reader, s.getRanker)
	api.Get("/ranker/models", reader, s.listRankingModels)
	api.Post("/ranker/activate", admin, s.activateRankingModel)
	api.Post("/ranker/rollback", admin, s.rollbackRankingModel)
	api.Post("/ranker/deactivate", admin, s.deactivateRankingModel)
	api.Put("/ranker/shadow", admin, s.putRankerShadow)

	// Backups.
	api.Get("/backups", admin, s.listBackups)
	api.Post("/backups", admin, s.createBackup)
	api.Post("/backups/prune", admin, s.pruneBackups)
	api.Post("/backups/:id/verify", admin, s.verifyBackup)
	api.Post("/backups/:id/restore", admin, s.restoreBackup)
}
