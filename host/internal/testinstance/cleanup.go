package testinstance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/crewplan/crewplan/host/internal/config"
)

// CleanupOptions says what Cleanup removes.
type CleanupOptions struct {
	// DB removes the test instance's database, its models folder and its
	// backup work folder (not its backups).
	DB bool
	// Logs removes the test instance's log file.
	Logs bool
	// Config removes the test profile's file (test.yaml); the next Create
	// writes a new one from production's.
	Config bool
}

// Cleanup removes what opts names of the test instance, which must not be
// running, and returns what it removed. It never removes a file or folder
// of production's, nor a folder holding one.
func (p *Pair) Cleanup(ctx context.Context, opts CleanupOptions) ([]string, error) {
	if err := p.notRunning(ctx, "cleanup"); err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	remove := func(path string, dir bool) {
		if path == "" {
			return
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if owner := p.productionIn(path); owner != "" {
			errs = append(errs, fmt.Errorf("%s is not removed: it holds production's %s", path, owner))
			return
		}
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			return
		}
		var err error
		if dir {
			err = os.RemoveAll(path)
		} else {
			err = os.Remove(path)
		}
		if err != nil {
			errs = append(errs, err)
			return
		}
		removed = append(removed, path)
	}
	if opts.DB {
		exists, err := p.testDBExists(ctx)
		switch {
		case err != nil:
			errs = append(errs, err)
		case exists:
			if err := p.dropTestDB(ctx); err != nil {
				errs = append(errs, fmt.Errorf("remove the test instance's database: %w", err))
			} else {
				removed = append(removed, dbName(p.Test.Database))
			}
		}
		remove(p.Test.Ranker.Dir, true)
		remove(p.Test.Backup.WorkDir, true)
	}
	if opts.Logs {
		remove(p.Test.Log.File, false)
	}
	if opts.Config {
		remove(profileFile(p.Test), false)
	}
	for _, r := range removed {
		p.log().Info("test instance cleanup removed", slog.String("path", r))
	}
	return removed, errors.Join(errs...)
}

// profileFile returns the test profile's file, "" when it read none.
func profileFile(c *config.Config) string {
	for _, f := range c.Files() {
		if filepath.Base(f) == c.Profile+".yaml" {
			return f
		}
	}
	return ""
}

// productionIn returns what of production's path is or holds (its
// database, log, models, backup work folder or configuration), "" when
// none.
func (p *Pair) productionIn(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "files (the path does not resolve)"
	}
	theirs := map[string]string{
		"log file":           p.Prod.Log.File,
		"models folder":      p.Prod.Ranker.Dir,
		"backup work folder": p.Prod.Backup.WorkDir,
	}
	if d := p.Prod.Database; d.Driver() == config.DriverSQLite {
		theirs["database"] = d.Path()
	}
	for _, f := range p.Prod.Files() {
		theirs["configuration "+f] = f
	}
	for what, q := range theirs {
		if q == "" {
			continue
		}
		if qa, err := filepath.Abs(q); err == nil && (qa == abs || strings.HasPrefix(qa, abs+string(filepath.Separator))) {
			return what
		}
	}
	return ""
}
