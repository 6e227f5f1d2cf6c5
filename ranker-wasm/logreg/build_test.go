package logreg_test

import (
	"testing"

	"github.com/crewplan/crewplan/ranker-wasm/internal/wasmtest"
)

// TestBuildWasm builds the evaluator as the package doc says and checks
// that the file is a WebAssembly module exporting the ABI, and that the
// fixture's parameters can be installed into it and read back.
func TestBuildWasm(t *testing.T) {
	wasmtest.CheckBuild(t, "./cmd/logreg", readFile(t, fixtureParams))
}
