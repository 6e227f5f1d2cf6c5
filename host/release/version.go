package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
)

// semver is a version as MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], with an
// optional leading v (a git tag).
var semver = regexp.MustCompile(`^v?((?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))` +
	`(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?` +
	`(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

// describeSuffix is what git describe adds after a tag: commits since it,
// the commit, and -dirty for uncommitted changes.
var describeSuffix = regexp.MustCompile(`^([0-9]+)-g([0-9a-f]+)(-dirty)?$`)

// version is a release's version in the forms its files need.
type version struct {
	core       string // 1.2.3
	prerelease string // rc.1, or what git describe adds: 4-gabc1234
	build      string // what follows +
}

// parseVersion reads a version such as 1.2.0, v1.2.0-rc.1 or the output
// of git describe on a v-tag (v1.2.0-4-gabc1234-dirty).
func parseVersion(s string) (version, error) {
	m := semver.FindStringSubmatch(s)
	if m == nil {
		return version{}, fmt.Errorf("version %q is not MAJOR.MINOR.PATCH with an optional -prerelease and +build (for example 1.4.0, v1.4.0-rc.1)", s)
	}
	return version{core: m[1], prerelease: m[2], build: m[3]}, nil
}

// String returns the version without its v: the one crewplan version
// prints and archive names carry.
func (v version) String() string {
	s := v.core
	if v.prerelease != "" {
		s += "-" + v.prerelease
	}
	if v.build != "" {
		s += "+" + v.build
	}
	return s
}

// deb returns the version as Debian orders it: a prerelease sorts before
// its release (1.2.0~rc.1 < 1.2.0), and commits after a tag sort after it
// (1.2.0+git4.gabc1234 > 1.2.0). Hyphens, which Debian reads as the start
// of the package revision, become dots.
func (v version) deb() string {
	s := v.core
	if m := describeSuffix.FindStringSubmatch(v.prerelease); m != nil {
		s += "+git" + m[1] + ".g" + m[2]
		if m[3] != "" {
			s += ".dirty"
		}
	} else if v.prerelease != "" {
		s += "~" + strings.ReplaceAll(v.prerelease, "-", ".")
	}
	if v.build != "" {
		sep := "+"
		if strings.Contains(s, "+") {
			sep = "."
		}
		s += sep + strings.ReplaceAll(v.build, "-", ".")
	}
	return s
}

// gitVersion returns the version of the checkout in dir: git describe of
// the newest v-tag, or 0.0.0-dev.gCOMMIT when there is no tag.
func gitVersion(ctx context.Context, dir string) (string, error) {
	out, err := git(ctx, dir, "describe", "--tags", "--match", "v[0-9]*", "--dirty")
	if err == nil {
		return out, nil
	}
	out, err = git(ctx, dir, "describe", "--always", "--dirty")
	if err != nil {
		return "", fmt.Errorf("no version: git describe: %w; pass --version", err)
	}
	return "0.0.0-dev.g" + strings.ReplaceAll(out, "-dirty", ".dirty"), nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
