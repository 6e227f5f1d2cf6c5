// Package ranker is the guest side of crewplan's ranking-model ABI: what a
// ranking model compiled to WebAssembly exports, how bytes cross between
// the host (crewplan, running the module under wazero) and the model, and
// the helpers that let a model author write one Go type instead of the
// exports.
//
// # The ABI, version 1
//
// A model is one WebAssembly module, a WASI preview 1 reactor built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o model.wasm ./cmd/model
//
// The host instantiates it with its "_initialize" start function, checks
// crewplan_ranker_abi, hands it its parameters with crewplan_ranker_load
// (when the file has them), reads crewplan_ranker_meta, and then calls
// crewplan_ranker_score for each decision. The exports (wasm types in
// brackets):
//
//	crewplan_ranker_abi() [i32]
//	    The ABI version the module speaks: ABIVersion (1).
//	crewplan_ranker_meta() [i64]
//	    The model's metadata, packed (see below): UTF-8 text, one
//	    "key=value" per line, with at least name, version and features
//	    (the feature names the model expects, comma-separated, in the
//	    order of the feature matrix's columns). Read after load: an
//	    evaluator learns its features from its parameters. Valid until
//	    the next load. 0 when the model has no usable parameters (it
//	    refused them, or needs some and the file has none);
//	    crewplan_ranker_error says why.
//	crewplan_ranker_alloc(size [i32]) [i32]
//	    A pointer to a guest buffer of at least size bytes, for the host to
//	    write the next load or score input into; valid until the next call
//	    of alloc. 0 when the guest cannot provide one. The guest keeps one
//	    buffer and grows it: scoring never allocates on the steady path.
//	crewplan_ranker_load(ptr [i32], len [i32]) [i32]
//	    Hands the model its parameters (the bytes of the module file's
//	    custom section "crewplan.params", written by the host into an
//	    alloc'd buffer). 0 on success; otherwise the model refused them
//	    and crewplan_ranker_error says why.
//	crewplan_ranker_score(ptr [i32], rows [i32], cols [i32]) [i64]
//	    Scores a feature matrix: rows×cols float32, little-endian,
//	    row-major (one row per candidate, one column per feature of meta's
//	    features), written by the host into an alloc'd buffer. Returns the
//	    scores packed: rows float32 little-endian, higher is better, in
//	    guest memory owned by the guest and valid until the next call.
//	    0 on error (a bad shape, a matrix outside the alloc'd buffer, a
//	    model that failed, panicked or scored a number that is not
//	    finite); crewplan_ranker_error says why.
//	crewplan_ranker_error() [i64]
//	    The last error message, packed, UTF-8.
//	crewplan_ranker_gc() []
//	    Runs the guest's garbage collector (the host may call it between
//	    decisions to keep linear memory from growing).
//
// A packed pointer and length is one i64: pointer<<32 | length, both
// unsigned 32-bit (Pack, Unpack). All numbers cross little-endian.
// Limits: at most MaxRows rows and MaxCols columns per score call; the
// host refuses a module whose scores are not rows finite numbers.
//
// When the host does not call load, the model's Load is called with nil
// before the first meta or score; load with len 0 hands it nil as well. A call of load, meta or score that
// succeeds clears the last error.
//
// The module file may carry two custom sections: "crewplan.params", the
// parameters load receives (a trained model is an evaluator module with
// new parameters, so a packaged install can write one without a Go
// toolchain), and "crewplan.card", the model card (JSON, read by the host
// only).
//
// # Writing a model
//
// Implement Model and register it from the main package's init:
//
//	func init() { ranker.Register(mymodel.New()) }
//	func main()  {}
//
// This package defines the exports (in a wasm build) and calls the
// registered Model. The same Model runs natively in tests through
// ScoreNative, on the same fixtures the host's tests use:
//
//	m := mymodel.New()
//	if err := m.Load(params); err != nil { ... }
//	scores, err := ranker.ScoreNative(m, x, rows, cols)
//
// # For the host
//
// The rest of the package is plain Go, for the host and for tools:
// EncodeMatrix and AppendFloats write a feature matrix in the wire form,
// DecodeScores and AppendScores read and check the scores, CheckShape is
// the score call's shape check, ParseMeta reads the metadata, and Section
// and WithSection read and write a module file's custom sections
// (installing a trained model is WithSection(evaluator, SectionParams,
// params)).
package ranker
