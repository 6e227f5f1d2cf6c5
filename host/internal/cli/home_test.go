package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestChooseHome: a named home wins, then a named config folder, then a
// configs folder here; only without all three does an installed layout
// with a base.yaml take over.
func TestChooseHome(t *testing.T) {
	root := t.TempDir()
	inst := layout{configDir: filepath.Join(root, "etc"), home: filepath.Join(root, "var")}
	if err := os.MkdirAll(inst.configDir, 0o755); err != nil {
		t.Fatal(err)
	}
	empty := layout{configDir: filepath.Join(root, "none"), home: filepath.Join(root, "nohome")}
	os.WriteFile(filepath.Join(inst.configDir, "base.yaml"), []byte("{}\n"), 0o644)
	t.Chdir(t.TempDir()) // no configs/ here

	for _, tt := range []struct {
		name              string
		e                 env
		inst              layout
		wantHome, wantDir string
	}{
		{"flag", env{home: "/h", configDir: "/c"}, inst, "/h", "/c"},
		{"env home", env{environ: []string{"CREWPLAN_HOME=/eh"}}, inst, "/eh", ""},
		{"config dir flag", env{configDir: "/c"}, inst, "", "/c"},
		{"config dir env", env{environ: []string{"CREWPLAN_CONFIG_DIR=/ec"}}, inst, "", ""},
		{"installed", env{}, inst, inst.home, inst.configDir},
		{"nothing installed", env{}, empty, "", ""},
	} {
		home, dir := tt.e.chooseHome(tt.inst)
		if home != tt.wantHome || dir != tt.wantDir {
			t.Errorf("%s: chooseHome = %q, %q; want %q, %q", tt.name, home, dir, tt.wantHome, tt.wantDir)
		}
	}
	os.MkdirAll("configs", 0o755)
	os.WriteFile("configs/base.yaml", []byte("{}\n"), 0o644)
	if home, dir := (&env{}).chooseHome(inst); home != "" || dir != "" {
		t.Errorf("with configs/ here: chooseHome = %q, %q; want the working folder", home, dir)
	}
}
