package gbdt_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/crewplan/crewplan/sdk/ranker"
)

// TestBuildWasm builds the evaluator as the package doc says and checks
// that the file is a WebAssembly module exporting the ABI, and that the
// fixture's parameters can be installed into it and read back.
func TestBuildWasm(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	if testing.Short() {
		t.Skip("builds a wasm module: skipped in -short mode")
	}
	out := filepath.Join(t.TempDir(), "gbdt.wasm")
	cmd := exec.Command(gobin, "build", "-buildmode=c-shared", "-trimpath", "-o", out, "./cmd/gbdt")
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
	t.Logf("gbdt.wasm: %d bytes", len(module))

	params := readFile(t, fixtureParams)
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
