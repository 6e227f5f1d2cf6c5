package backuplocal

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"

	"github.com/crewplan/crewplan/sdk/backup"
)

// A real ENOSPC needs a small file system (TestPutFull, when
// CREWPLAN_TEST_FULL_DIR names one); this checks the mapping everywhere.
func TestClassify(t *testing.T) {
	tests := []struct {
		errno syscall.Errno
		want  error
	}{
		{syscall.ENOSPC, backup.ErrFull},
		{syscall.EDQUOT, backup.ErrFull},
		{syscall.EFBIG, backup.ErrFull},
		{syscall.ESTALE, backup.ErrUnavailable},
		{syscall.ENOTCONN, backup.ErrUnavailable},
		{syscall.EACCES, nil},
		{syscall.EIO, nil},
	}
	for _, tt := range tests {
		t.Run(tt.errno.Error(), func(t *testing.T) {
			in := &fs.PathError{Op: "write", Path: "/srv/backups/r/.tmp-X-db", Err: tt.errno}
			got := classify(in)
			if !errors.Is(got, tt.errno) {
				t.Errorf("classify(%v) = %v, lost the errno", in, got)
			}
			for _, sentinel := range []error{backup.ErrFull, backup.ErrUnavailable, backup.ErrNotFound} {
				if errors.Is(got, sentinel) != (sentinel == tt.want) {
					t.Errorf("classify(%v) = %v: errors.Is(%v) = %t", in, got, sentinel, !(sentinel == tt.want))
				}
			}
		})
	}
}
