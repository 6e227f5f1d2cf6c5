// Command logreg is the logistic-regression evaluator as a ranking-model
// WebAssembly module (see package logreg for how to build it).
package main

import (
	"github.com/crewplan/crewplan/ranker-wasm/logreg"
	"github.com/crewplan/crewplan/sdk/ranker"
)

func init() { ranker.Register(logreg.New()) }

func main() {}
