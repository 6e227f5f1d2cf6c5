//go:build !linux

package backuplocal_test

import "testing"

// rerunAsNobody is Linux-only: elsewhere a test of permissions run by an
// administrator cannot hold.
func rerunAsNobody(t *testing.T, name string) {
	t.Skip(name + " needs an unprivileged user; run it as one")
}
