// Package evaluator holds crewplan's own ranking evaluator, built to
// WebAssembly and embedded in the host: the gradient-boosted-trees
// evaluator of ranker-wasm/gbdt. A trained model is this module with the
// model's parameters (and card) written into its custom sections, so a
// packaged install produces one with Module, without a Go toolchain; and
// since every such model has the same code (the module without those two
// sections, hashed by CodeSHA256), the host trusts that code to run on its
// fast runtime and compiles it once for all of them (see package ranker).
//
// The module is committed gzipped, as gbdt.wasm.gz (a third of its 2.8
// MB). After a change to ranker-wasm/gbdt, sdk/ranker or the Go
// toolchain, regenerate it with
//
//	go tool task wasm
//
// which builds it with
//
//	GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 go build -buildmode=c-shared -trimpath -buildvcs=false -o gbdt.wasm ./ranker-wasm/gbdt/cmd/gbdt
//
// from the repository root and gzips it (TestEmbeddedIsBuiltFromSource
// with -update). The test, run without -update, builds it the same way
// and fails while the committed module differs: a -trimpath build is
// reproducible for one Go toolchain version, so the module changes only
// when its sources or the toolchain do.
package evaluator

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

// buildCommand is the command, run from the repository root, that builds
// gbdt.wasm (go tool task wasm runs it).
const buildCommand = "GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 go build -buildmode=c-shared -trimpath -buildvcs=false -o gbdt.wasm ./ranker-wasm/gbdt/cmd/gbdt"

// gbdtGzip is the built evaluator, gzipped.
//
//go:embed gbdt.wasm.gz
var gbdtGzip []byte

// gbdtWasm is the built evaluator; never modified.
var gbdtWasm = func() []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gbdtGzip))
	if err == nil {
		var b []byte
		if b, err = io.ReadAll(zr); err == nil {
			return b
		}
	}
	panic("evaluator: the embedded gbdt.wasm.gz does not decompress: " + err.Error())
}()

// GBDT returns a copy of the gradient-boosted-trees evaluator module: no
// parameters, so it loads only once they are written into its
// "crewplan.params" section (see Module).
func GBDT() []byte { return bytes.Clone(gbdtWasm) }

// codeSHA256 is CodeSHA256, computed once.
var codeSHA256 = sync.OnceValue(func() string {
	code, err := ranker.WithoutSections(gbdtWasm, ranker.SectionParams, ranker.SectionCard)
	if err != nil {
		panic("evaluator: the embedded gbdt.wasm is not a WebAssembly module: " + err.Error())
	}
	sum := sha256.Sum256(code)
	return hex.EncodeToString(sum[:])
})

// CodeSHA256 returns the hex SHA-256 of the evaluator's code: the module
// without its "crewplan.params" and "crewplan.card" sections, the same for
// every model Module makes. The host runs a module on its fast runtime
// only when its code has a trusted hash; this one is trusted by default.
func CodeSHA256() string { return codeSHA256() }

// Module returns the evaluator with p as its parameters (gbdt.Encode, in
// the "crewplan.params" section) and card, when it is not empty, as its
// "crewplan.card" section: a trained model, ready for the registry. It
// refuses parameters that p.Validate refuses and a card that is not a
// JSON object.
func Module(p gbdt.Params, card []byte) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("gbdt model: %w", err)
	}
	if len(card) > 0 {
		var c map[string]json.RawMessage
		if err := json.Unmarshal(card, &c); err != nil || c == nil {
			return nil, fmt.Errorf("gbdt model %s %s: the card is not a JSON object", p.Name, p.Version)
		}
	}
	m, err := ranker.WithSection(gbdtWasm, ranker.SectionParams, gbdt.Encode(p))
	if err == nil && len(card) > 0 {
		m, err = ranker.WithSection(m, ranker.SectionCard, card)
	}
	if err != nil {
		return nil, fmt.Errorf("gbdt model %s %s: %w", p.Name, p.Version, err)
	}
	return m, nil
}
