package evaluator

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// repoRoot is the repository root, seen from this package.
var repoRoot = filepath.Join("..", "..", "..", "..")

// update makes TestEmbeddedIsBuiltFromSource write gbdt.wasm.gz (go tool
// task wasm).
var update = flag.Bool("update", false, "rebuild gbdt.wasm.gz from source")

// TestEmbeddedIsBuiltFromSource builds the evaluator from source with
// buildCommand, into a temporary directory, and wants the committed
// module byte for byte: a -trimpath build is reproducible for one Go
// toolchain, so a difference means the sources (or the toolchain) changed
// since the file was built. With -update it writes the build, gzipped, as
// gbdt.wasm.gz instead.
func TestEmbeddedIsBuiltFromSource(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the evaluator")
	}
	env, args, ok := strings.Cut(buildCommand, " go ")
	if !ok {
		t.Fatalf("buildCommand %q: no go command", buildCommand)
	}
	out := filepath.Join(t.TempDir(), "gbdt.wasm")
	argv := strings.Fields(args)
	for i, a := range argv {
		if a == "-o" {
			argv[i+1] = out
		}
	}
	cmd := exec.Command(gobin, argv...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), strings.Fields(env)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(argv, " "), err, msg)
	}
	built, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		if _, err := zw.Write(built); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("gbdt.wasm.gz", gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("gbdt.wasm.gz written: %d bytes, %d gzipped", len(built), gz.Len())
		return
	}
	if !bytes.Equal(built, gbdtWasm) {
		t.Errorf("host/internal/ranker/evaluator/gbdt.wasm.gz (%d bytes unzipped) is not what its sources build with %s (%d bytes).\n"+
			"Regenerate it from the repository root with\n\n\tgo tool task wasm\n\nand commit it.",
			len(gbdtWasm), runtime.Version(), len(built))
	}
}
