// Command release builds crewplan's release files into dist/: for each
// target a tar.gz (Linux) or zip (Windows) archive holding the crewplan
// binary, the default ranking model, configs/ and a README for installers
// (on Linux also the systemd unit and install.sh), a .deb for each Linux
// target (made by nfpm, run as `go tool nfpm`), and SHA256SUMS.
//
// The default ranking model is trained at package time: the freshly built
// crewplan loads the demo store into a temporary database and trains on
// its history, so the model is a starting point, not one fitted to a real
// store.
//
// Run it from anywhere in the repository, usually through the Taskfile:
//
//	go tool task package
//	go run ./host/release --version 1.4.0 --targets linux/amd64 --no-deb
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// target is a platform a release is built for.
type target struct{ goos, goarch string }

func (t target) String() string { return t.goos + "/" + t.goarch }

// exe returns the binary's file name on the target.
func (t target) exe() string {
	if t.goos == "windows" {
		return "crewplan.exe"
	}
	return "crewplan"
}

// targets are the platforms crewplan is released for.
var targets = []target{{"linux", "amd64"}, {"linux", "arm64"}, {"windows", "amd64"}}

// parseTargets reads a comma-separated list such as linux/amd64,windows/amd64.
func parseTargets(s string) ([]target, error) {
	var out []target
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		i := slices.IndexFunc(targets, func(t target) bool { return t.String() == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown target %q: crewplan is released for %s", name, targetList())
		}
		if !slices.Contains(out, targets[i]) {
			out = append(out, targets[i])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no target given: choose among %s", targetList())
	}
	return out, nil
}

func targetList() string {
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.String()
	}
	return strings.Join(names, ", ")
}

// options say what one run builds.
type options struct {
	root    string   // the repository
	out     string   // the folder the release files go to
	version version  // the release's version
	targets []target // the platforms
	deb     bool     // also build a .deb for each Linux target
	// trimpath builds with -trimpath, as releases are. Tests turn it off so
	// that the build shares the compile cache with the other tests' builds.
	trimpath bool
	log      io.Writer // progress
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the command line, builds the release and returns the exit
// code: 0 built, 1 failed, 2 bad arguments.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(ctx, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "release:", err)
		return 2
	}
	opts.log = stdout
	files, err := build(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "release:", err)
		return 1
	}
	fmt.Fprintf(stdout, "built %d files in %s:\n", len(files), opts.out)
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			fmt.Fprintln(stderr, "release:", err)
			return 1
		}
		fmt.Fprintf(stdout, "  %-50s %6.1f MiB\n", filepath.Base(f), float64(fi.Size())/(1<<20))
	}
	return 0
}

// parseArgs reads the flags into options, checking every value.
func parseArgs(ctx context.Context, args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ver := fs.String("version", "", "release version, MAJOR.MINOR.PATCH[-PRERELEASE] (default: git describe of the newest v-tag, else 0.0.0-dev.gCOMMIT)")
	tg := fs.String("targets", targetList(), "comma-separated platforms to build")
	out := fs.String("out", "dist", "folder for the release files, relative to the repository")
	noDeb := fs.Bool("no-deb", false, "do not build the .deb packages")
	trimpath := fs.Bool("trimpath", true, "build with -trimpath, as releases are (tests turn it off to share the compile cache of their other builds)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./host/release [--version V] [--targets LIST] [--out DIR] [--no-deb] [--trimpath=false]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	}
	root, err := repoRoot()
	if err != nil {
		return options{}, err
	}
	opts := options{root: root, deb: !*noDeb, trimpath: *trimpath}
	if opts.targets, err = parseTargets(*tg); err != nil {
		return options{}, err
	}
	v := *ver
	if v == "" {
		if v, err = gitVersion(ctx, root); err != nil {
			return options{}, err
		}
	}
	if opts.version, err = parseVersion(v); err != nil {
		return options{}, err
	}
	opts.out = *out
	if !filepath.IsAbs(opts.out) {
		opts.out = filepath.Join(root, opts.out)
	}
	return opts, nil
}

// repoRoot returns the folder holding crewplan's go.mod, the working
// folder or one of its parents.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if first, _, _ := strings.Cut(string(b), "\n"); err == nil && strings.TrimSpace(first) == "module github.com/crewplan/crewplan" {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the crewplan repository: run from it (go run ./host/release)")
		}
		dir = parent
	}
}
