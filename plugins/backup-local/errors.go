package backuplocal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/crewplan/crewplan/sdk/backup"
)

// errNotConfigured is returned by a target used before a successful
// Configure.
var errNotConfigured = fmt.Errorf("%s: not configured (Configure was not called or failed)", Name)

// classify wraps err in the backup error it is an instance of, keeping
// err: a full disk or quota is backup.ErrFull, a share that went away
// is backup.ErrUnavailable. Other errors are returned as they are.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT),
		// EFBIG: the file system cannot hold a file this large (FAT's 4 GiB).
		errors.Is(err, syscall.EFBIG):
		return fmt.Errorf("%w: %w", backup.ErrFull, err)
	case errors.Is(err, syscall.ESTALE), errors.Is(err, syscall.ENOTCONN),
		errors.Is(err, syscall.EHOSTDOWN), errors.Is(err, syscall.EHOSTUNREACH):
		return fmt.Errorf("%w: %w", backup.ErrUnavailable, err)
	}
	return err
}

// rootError classifies the failure to open the configured directory: one
// that is missing or not a directory is a disk not attached or a share not
// mounted.
func rootError(dir string, err error) error {
	// os.OpenRoot says "not a directory" without ENOTDIR: ask again.
	fi, serr := os.Stat(dir)
	if missing(err) || missing(serr) || serr == nil && !fi.IsDir() {
		return fmt.Errorf("%w: backup directory %s: %w (is the disk attached or the share mounted?)", backup.ErrUnavailable, dir, err)
	}
	return fmt.Errorf("backup directory %s: %w", dir, classify(err))
}

// missing reports whether err says a path does not exist, including when a
// part of it is a file rather than a folder.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
