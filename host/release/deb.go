package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// debName is the file name of t's .deb, as Debian names packages.
func debName(v version, t target) string {
	return fmt.Sprintf("crewplan_%s_%s.deb", v.deb(), t.goarch)
}

// buildDeb builds t's .deb into opts.out with nfpm (`go tool nfpm`, from
// host/release/nfpm.yaml) and returns its path. Debian's architecture
// names are Go's for amd64 and arm64, the Linux targets there are.
func buildDeb(ctx context.Context, opts options, t target, bin, model string) (string, error) {
	start := time.Now()
	tmp, err := os.MkdirTemp(opts.out, ".deb-tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	name := debName(opts.version, t)
	cmd := exec.CommandContext(ctx, "go", "tool", "nfpm", "package",
		"--config", filepath.Join(releaseDir, "nfpm.yaml"),
		"--packager", "deb",
		"--target", filepath.Join(tmp, name))
	cmd.Dir = opts.root
	// CGO_ENABLED=0 as in the Taskfile, so that every caller shares one
	// build of nfpm.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0",
		"CREWPLAN_DEB_VERSION="+opts.version.deb(),
		"CREWPLAN_DEB_ARCH="+t.goarch,
		"CREWPLAN_DEB_BIN="+bin,
		"CREWPLAN_DEB_MODEL="+model)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s with nfpm: %w\n%s", name, err, b)
	}
	out := filepath.Join(opts.out, name)
	if err := os.Chmod(filepath.Join(tmp, name), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(tmp, name), out); err != nil {
		return "", err
	}
	logf(opts, "nfpm built %s in %s", name, time.Since(start).Round(time.Second))
	return out, nil
}
