// Package gbdt is a gradient-boosted-trees ranking model for binary
// classification: it scores a candidate as sigmoid(base + Σ tree(x)), the
// sum of one leaf value per regression tree over the features its
// parameters name. It is an evaluator: the trees are not compiled in but
// loaded from the module file's "crewplan.params" section, so one wasm
// build serves every trained model (see package ranker for the ABI).
//
// Build the module with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o gbdt.wasm ./ranker-wasm/gbdt/cmd/gbdt
//
// and install trained parameters with
//
//	model, err := ranker.WithSection(evaluator, ranker.SectionParams, gbdt.Encode(p))
//
// # Evaluation
//
// A tree is flat arrays with one entry per node; node 0 is the root. At a
// split the row goes to the left child when x[feature] < threshold and to
// the right child otherwise, so a NaN feature (which compares false) goes
// right, as do values equal to the threshold. A leaf's value is the tree's
// output. The score sums, in float64, the base and then each tree's
// output in the order of the trees, takes the sigmoid and rounds once to
// float32: a number in [0, 1] for any finite parameters and any features.
//
// How Score gets there is Load's choice, made once per model; the tests
// hold it to a plain recursive walk, bit for bit. A tree of depth 4 or
// less (the default shape) becomes a complete tree of depth 4 in one
// array of 32 eight-byte records (threshold, feature): the children of
// record i are 2i+1 and 2i+2, and a leaf above depth 4 is padded with
// splits whose two subtrees repeat it. Score walks such a tree in four
// straight-line steps, each a flag from one comparison rather than a
// branch, for 8 rows at a time in WebAssembly (4 natively), reading each
// row where it lies without a bounds check (Load and Score checked that
// every feature index is below the column count; node indices are masked
// to their arrays), and takes the rows' sigmoids in one loop. That is
// what Go's WebAssembly output needs: every taken branch, loop iteration
// and call there goes through the function's block dispatcher. Deeper
// trees are walked node by node over flat arrays.
//
// # The parameter format, version 1
//
// All numbers little-endian; a string is a uint16 byte count followed by
// that many bytes of UTF-8. In order:
//
//	magic     4 bytes   "CPGB"
//	format    uint16    FormatVersion (1)
//	name      string    the model's name (Meta.Name): lowercase letters, digits, dashes
//	version   string    the model's version (Meta.Version), not empty
//	count     uint16    k, the number of features: 1 to ranker.MaxCols
//	features  k strings the feature names, in column order
//	base      float32   the base score (margin before any tree), finite
//	trees     uint16    t, the number of trees: 1 to MaxTrees (4096)
//	t times, one tree:
//	  nodes   uint16    n, the number of nodes: 1 to MaxNodes (4096)
//	  n times, one node (node 0 first, 10 bytes):
//	    feature  int16    the feature index a split tests, 0 to k-1; -1 (Leaf) for a leaf
//	    value    float32  a split's threshold or a leaf's output, finite
//	    left     uint16   a split's left child (x[feature] < threshold); 0 for a leaf
//	    right    uint16   a split's right child; 0 for a leaf
//
// Nothing may follow the last tree. Decode refuses a wrong magic or
// format, any length running past the end, trailing bytes, a base,
// threshold or leaf value that is not finite, a tree or node count out of
// its range, and names the host would refuse or misread (see
// ranker.Meta.ValidateText, as in package logreg). In each tree (trees
// and nodes are counted from 0 in its errors, as child indices are) it
// refuses a feature index other than -1 or 0 to k-1, a leaf whose
// children are not 0, a child index not strictly greater than its
// parent's or not below the node count, and a node other than the root
// that is not the child of exactly one node (one shared by two splits,
// both children of one split, or no one's child). So each tree is a
// tree: every node is reached from the root by exactly one path. A valid
// blob takes 4+2+(2+len(name))+(2+len(version))+2+Σ(2+len(feature))+4+2
// +Σ(2+10n) bytes, and has one encoding: Encode(Decode(b)) is b.
//
// # Why evaluation always terminates
//
// A tree of depth 4 or less is walked in exactly four steps of
// straight-line code, each to a record index below 31. In a deeper tree
// every step from a node goes to a child with a strictly greater index
// below the tree's node count, so a row's walk through a tree ends at a
// leaf within MaxDepth steps (no path from the root is longer), whatever
// the features hold (NaN and ±Inf included), and never indexes outside the
// arrays. A score call walks each tree for at most rows+3 rows (the last
// group of four is filled with copies of the last row), each in at most
// MaxDepth steps — under 0.3 billion steps for the largest call and
// model, typically thousands — and allocates nothing. Load refuses
// any parameters Decode refuses and keeps the previous ones, so the model
// never evaluates unvalidated trees. This is why the host may run this
// evaluator — ours, with validated parameters — on its fast runtime,
// without the per-loop deadline checks it needs for modules that are not
// ours.
package gbdt
