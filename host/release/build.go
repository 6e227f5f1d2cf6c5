package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// build builds every release file opts asks for and returns their paths,
// SHA256SUMS last. Each file is written under a temporary name and renamed
// into place once complete.
func build(ctx context.Context, opts options) ([]string, error) {
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	// What a killed run left: temporary files only, never a release file.
	for _, pattern := range []string{".*.tmp-*", ".deb-tmp-*"} {
		left, _ := filepath.Glob(filepath.Join(opts.out, pattern))
		for _, p := range left {
			os.RemoveAll(p)
		}
	}
	work, err := os.MkdirTemp("", "crewplan-release-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	bins := map[target]string{}
	for _, t := range opts.targets {
		bin, err := goBuild(ctx, opts, t, filepath.Join(work, "bin", t.goos+"-"+t.goarch))
		if err != nil {
			return nil, err
		}
		bins[t] = bin
	}
	native, ok := bins[target{runtime.GOOS, runtime.GOARCH}]
	if !ok {
		if native, err = goBuild(ctx, opts, target{runtime.GOOS, runtime.GOARCH}, filepath.Join(work, "bin", "native")); err != nil {
			return nil, err
		}
	}
	model := filepath.Join(work, "default.wasm")
	if err := trainModel(ctx, opts, native, filepath.Join(work, "model-home"), model); err != nil {
		return nil, err
	}

	var files []string
	for _, t := range opts.targets {
		entries, err := contents(opts.root, t, bins[t], model)
		if err != nil {
			return nil, err
		}
		a, err := writeArchive(opts.out, opts.version, t, entries, time.Now())
		if err != nil {
			return nil, err
		}
		logf(opts, "archive %s", filepath.Base(a))
		files = append(files, a)
		if opts.deb && t.goos == "linux" {
			d, err := buildDeb(ctx, opts, t, bins[t], model)
			if err != nil {
				return nil, err
			}
			files = append(files, d)
		}
	}
	sums, err := writeSums(opts.out, files)
	if err != nil {
		return nil, err
	}
	return append(files, sums), nil
}

func logf(opts options, format string, args ...any) {
	if opts.log != nil {
		fmt.Fprintf(opts.log, "release: "+format+"\n", args...)
	}
}

// goBuild builds the crewplan binary for t into dir, built-in plugins
// included, without cgo, with the version set.
func goBuild(ctx context.Context, opts options, t target, dir string) (string, error) {
	start := time.Now()
	out := filepath.Join(dir, t.exe())
	args := []string{"build"}
	if opts.trimpath {
		args = append(args, "-trimpath")
	}
	args = append(args, "-ldflags", "-s -w -X github.com/crewplan/crewplan/host/internal/cli.version="+opts.version.String(), "-o", out, "./host")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opts.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.goos, "GOARCH="+t.goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build crewplan for %s: %w\n%s", t, err, b)
	}
	logf(opts, "built crewplan %s for %s in %s", opts.version, t, time.Since(start).Round(time.Second))
	return out, nil
}

// trainModel makes the default ranking model: the native binary loads the
// demo store into an empty database in home and trains a model on its
// history, written to out. Nothing is written outside home.
func trainModel(ctx context.Context, opts options, bin, home, out string) error {
	start := time.Now()
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	crewplan := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = home
		cmd.Env = append(withoutCrewplanEnv(os.Environ()),
			"CREWPLAN_HOME="+home,
			"CREWPLAN_CONFIG_DIR="+filepath.Join(opts.root, "configs"),
			"CREWPLAN_PROFILE=production")
		b, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("default ranking model: crewplan %s: %w\n%s", strings.Join(args, " "), err, b)
		}
		return string(b), nil
	}
	v, err := crewplan("version")
	if err != nil {
		return err
	}
	if !strings.Contains(v, " "+opts.version.String()+" ") {
		return fmt.Errorf("the built crewplan says %q, not version %s", strings.TrimSpace(v), opts.version)
	}
	if _, err := crewplan("demo"); err != nil {
		return err
	}
	if _, err := crewplan("ranker", "train", "--out", out); err != nil {
		return err
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		return fmt.Errorf("default ranking model: crewplan ranker train wrote no %s", out)
	}
	logf(opts, "trained the default ranking model on the demo store in %s", time.Since(start).Round(time.Second))
	return nil
}

// withoutCrewplanEnv drops the CREWPLAN_ variables of environ, so that the
// caller's settings cannot steer the model's training.
func withoutCrewplanEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "CREWPLAN_") {
			out = append(out, kv)
		}
	}
	return out
}

// writeSums writes SHA256SUMS for files, in sha256sum's format.
func writeSums(dir string, files []string) (string, error) {
	var b strings.Builder
	for _, f := range files {
		sum, err := fileSHA256(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, filepath.Base(f))
	}
	path := filepath.Join(dir, "SHA256SUMS")
	err := writeAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
	return path, err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("checksum %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
