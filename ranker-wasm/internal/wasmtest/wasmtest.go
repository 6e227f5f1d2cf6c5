// Package wasmtest holds what every evaluator's tests check: that its
// wasm module builds and speaks the ranking-model ABI, and that its shared
// fixture in testdata/ranker matches the code.
package wasmtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// CheckBuild builds the command package pkg (relative to the test's
// folder) as the evaluators' docs say, checks that the file is a wasm
// module exporting the ABI, and that params can be installed into its
// "crewplan.params" section and read back. It skips the test when the go
// command is missing or in -short mode.
func CheckBuild(t *testing.T, pkg string, params []byte) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	if testing.Short() {
		t.Skip("builds a wasm module: skipped in -short mode")
	}
	out := filepath.Join(t.TempDir(), filepath.Base(pkg)+".wasm")
	cmd := exec.Command(gobin, "build", "-buildmode=c-shared", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, msg)
	}
	module, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(module, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Fatalf("%s does not start with the wasm header: % x", out, module[:min(8, len(module))])
	}
	for _, name := range []string{
		ranker.ExportABI, ranker.ExportMeta, ranker.ExportAlloc, ranker.ExportLoad,
		ranker.ExportScore, ranker.ExportError, ranker.ExportGC, "_initialize",
	} {
		if !bytes.Contains(module, []byte(name)) {
			t.Errorf("the module has no export %s", name)
		}
	}
	t.Logf("%s: %d bytes", filepath.Base(out), len(module))

	withParams, err := ranker.WithSection(module, ranker.SectionParams, params)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := ranker.Section(withParams, ranker.SectionParams)
	if err != nil || !ok || !bytes.Equal(got, params) {
		t.Errorf("Section after WithSection = %d bytes, %v, %v", len(got), ok, err)
	}
	if _, ok, err := ranker.Section(module, ranker.SectionParams); ok || err != nil {
		t.Errorf("the bare evaluator has a %s section (%v) or does not parse: %v", ranker.SectionParams, ok, err)
	}
}
