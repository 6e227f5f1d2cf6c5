// Package logreg is a logistic-regression ranking model: it scores a
// candidate as sigmoid(w·x + b) over the features its parameters name.
// It is an evaluator: the weights are not compiled in but loaded from the
// module file's "crewplan.params" section, so one wasm build serves every
// trained model (see package ranker for the ABI).
//
// Build the module with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o logreg.wasm ./ranker-wasm/logreg/cmd/logreg
//
// and install trained parameters with
//
//	model, err := ranker.WithSection(evaluator, ranker.SectionParams, logreg.Encode(p))
//
// # The parameter format, version 1
//
// All numbers little-endian; a string is a uint16 byte count followed by
// that many bytes of UTF-8. In order:
//
//	magic     4 bytes   "CPLR"
//	format    uint16    FormatVersion (1)
//	name      string    the model's name (Meta.Name): lowercase letters, digits, dashes
//	version   string    the model's version (Meta.Version), not empty
//	count     uint16    k, the number of features: 1 to ranker.MaxCols
//	features  k strings the feature names, in column order
//	weights   k float32 one weight per feature, finite
//	bias      float32   finite
//
// Nothing may follow the bias. Decode refuses a wrong magic or format,
// any length running past the end, trailing bytes, a weight or bias that
// is not finite, and names the host would refuse or misread (see
// ranker.Meta.ValidateText): Name of lowercase letters, digits and
// dashes; Version not empty, without a line break; feature names not
// empty, distinct, without "," "=" or a line break; all UTF-8. A valid blob of k features takes
// 4+2+(2+len(name))+(2+len(version))+2+Σ(2+len(feature))+4k+4 bytes.
package logreg
