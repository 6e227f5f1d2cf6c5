package ranker_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/crewplan/crewplan/host/internal/ranker"
)

// The test guests: real modules, built by the tests for wasip1 once per
// test binary, into tmpDir.
var guestSpecs = map[string]struct {
	pkg   string
	flags []string
}{
	"logreg":            {pkg: "github.com/crewplan/crewplan/ranker-wasm/logreg/cmd/logreg"},
	"misbehave":         {pkg: "./testdata/guests/misbehave"},
	"misbehave-abi2":    {pkg: "./testdata/guests/misbehave", flags: []string{"-ldflags=-X=main.abiVersion=2"}},
	"misbehave-noscore": {pkg: "./testdata/guests/misbehave", flags: []string{"-tags=noscore"}},
}

var (
	tmpDir   string // removed after the tests
	cacheDir string // the compilation cache every test's Runtime shares

	buildsMu sync.Mutex
	builds   = map[string]*guestBuild{}
)

type guestBuild struct {
	once sync.Once
	wasm []byte
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ranker-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpDir, cacheDir = dir, filepath.Join(dir, "cache")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// guest returns the bytes of the named test guest, building it on first
// use. It skips the test when no go command is on PATH.
func guest(tb testing.TB, name string) []byte {
	tb.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("no go command on PATH to build the test guests")
	}
	spec, ok := guestSpecs[name]
	if !ok {
		tb.Fatalf("no test guest %q", name)
	}
	buildsMu.Lock()
	b := builds[name]
	if b == nil {
		b = &guestBuild{}
		builds[name] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		out := filepath.Join(tmpDir, name+".wasm")
		args := append([]string{"build", "-buildmode=c-shared", "-trimpath", "-o", out}, spec.flags...)
		cmd := exec.Command(gobin, append(args, spec.pkg)...)
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build test guest %s: %w\n%s", name, err, msg)
			return
		}
		b.wasm, b.err = os.ReadFile(out)
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.wasm
}

// newRuntime returns a Runtime on the shared compilation cache, closed
// when the test ends.
func newRuntime(tb testing.TB, o ranker.Options) *ranker.Runtime {
	tb.Helper()
	o.CacheDir = cacheDir
	rt, err := ranker.NewRuntime(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rt.Close(context.Background()) })
	return rt
}

// load loads wasm on the fast runtime when fast is set, on the guarded one
// otherwise, whatever its code hash (Runtime.LoadForced), closed when the
// test ends. The first Load of each code and runtime runs alone and fills
// the shared compilation cache; the cold compile takes seconds (tens under
// -race), a cached one tens of milliseconds, so parallel tests should not
// each do it.
func load(tb testing.TB, rt *ranker.Runtime, wasm []byte, fast bool) *ranker.Model {
	tb.Helper()
	return loadWith(tb, wasm, fast, func() (*ranker.Model, error) {
		return rt.LoadForced(context.Background(), wasm, fast)
	})
}

// loadTrust loads wasm with Runtime.Load, by the trust rule, as load does.
func loadTrust(tb testing.TB, rt *ranker.Runtime, wasm []byte) *ranker.Model {
	tb.Helper()
	code, err := ranker.CodeSHA256(wasm)
	if err != nil {
		tb.Fatal(err)
	}
	return loadWith(tb, wasm, rt.Trusts(code), func() (*ranker.Model, error) {
		return rt.Load(context.Background(), wasm)
	})
}

// loadWith calls do, alone when it is the first load of wasm's code on
// that runtime, and closes the model when the test ends.
func loadWith(tb testing.TB, wasm []byte, fast bool, do func() (*ranker.Model, error)) *ranker.Model {
	tb.Helper()
	code, err := ranker.CodeSHA256(wasm)
	if err != nil {
		tb.Fatal(err)
	}
	key := fmt.Sprintf("%s/%v", code, fast)
	compiledMu.Lock()
	once := compiled[key]
	if once == nil {
		once = &sync.Once{}
		compiled[key] = once
	}
	compiledMu.Unlock()
	var m *ranker.Model
	first := false
	once.Do(func() {
		first = true
		m, err = do()
	})
	if !first {
		m, err = do()
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close(context.Background()) })
	return m
}

var (
	compiledMu sync.Mutex
	compiled   = map[string]*sync.Once{}
)

// modeRows is a matrix of two-feature rows for the misbehaving guests:
// the first feature of the first row is the mode, the second feature of
// row i is i+1, the score it gets when it behaves.
func modeRows(mode float32, rows int) []float32 {
	x := make([]float32, 2*rows)
	x[0] = mode
	for i := range rows {
		x[2*i+1] = float32(i + 1)
	}
	return x
}
