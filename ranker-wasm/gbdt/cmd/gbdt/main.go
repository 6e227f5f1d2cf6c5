// Command gbdt is the gradient-boosted-trees evaluator as a ranking-model
// WebAssembly module (see package gbdt for how to build it).
package main

import (
	"github.com/crewplan/crewplan/ranker-wasm/gbdt"
	"github.com/crewplan/crewplan/sdk/ranker"
)

func init() { ranker.Register(gbdt.New()) }

func main() {}
