//go:build unix

package cli

import (
	"fmt"
	"path/filepath"
	"syscall"
)

// freeBytes returns the bytes free to an unprivileged user on the disk
// holding dir (or its nearest existing parent).
func freeBytes(dir string) (uint64, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, err
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(nearestDir(abs), &st); err != nil {
		return 0, fmt.Errorf("read free space: %w", err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
