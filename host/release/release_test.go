package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseVersion(t *testing.T) {
	for _, tt := range []struct {
		in, str, deb string
	}{
		{"1.4.0", "1.4.0", "1.4.0"},
		{"v1.4.0", "1.4.0", "1.4.0"},
		{"v1.4.0-rc.1", "1.4.0-rc.1", "1.4.0~rc.1"},
		{"2.0.0-beta-2", "2.0.0-beta-2", "2.0.0~beta.2"},
		{"v1.4.0-3-gabc1234", "1.4.0-3-gabc1234", "1.4.0+git3.gabc1234"},
		{"v1.4.0-3-gabc1234-dirty", "1.4.0-3-gabc1234-dirty", "1.4.0+git3.gabc1234.dirty"},
		{"1.4.0+build.7", "1.4.0+build.7", "1.4.0+build.7"},
		{"0.0.0-dev.g76c9723", "0.0.0-dev.g76c9723", "0.0.0~dev.g76c9723"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			v, err := parseVersion(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != tt.str || v.deb() != tt.deb {
				t.Errorf("%q: %q and deb %q, want %q and %q", tt.in, v, v.deb(), tt.str, tt.deb)
			}
		})
	}
	for _, bad := range []string{"", "1.4", "v1", "1.4.0.1", "01.4.0", "1.4.0-", "1.4.0 ", "latest", "1.4.0-rc/1", "1.4.0;rm"} {
		if _, err := parseVersion(bad); err == nil || !strings.Contains(err.Error(), "MAJOR.MINOR.PATCH") {
			t.Errorf("parseVersion(%q) = %v, want an error saying the form", bad, err)
		}
	}
}

func TestParseTargets(t *testing.T) {
	got, err := parseTargets("windows/amd64, linux/amd64,windows/amd64")
	if err != nil || !slices.Equal(got, []target{{"windows", "amd64"}, {"linux", "amd64"}}) {
		t.Errorf("parseTargets = %v, %v", got, err)
	}
	for _, bad := range []string{"linux/386", "darwin/arm64", "linux", "", ","} {
		_, err := parseTargets(bad)
		if err == nil || !strings.Contains(err.Error(), "linux/amd64, linux/arm64, windows/amd64") {
			t.Errorf("parseTargets(%q) = %v, want an error listing the targets", bad, err)
		}
	}
}

// TestBadArguments: the release program refuses bad arguments with exit
// 2 and a message naming what was wrong, before building anything.
func TestBadArguments(t *testing.T) {
	out := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--targets", "linux/386"}, `unknown target "linux/386"`},
		{[]string{"--version", "1.2"}, `version "1.2" is not MAJOR.MINOR.PATCH`},
		{[]string{"--version", "1.2.0", "extra"}, `unexpected argument "extra"`},
		{[]string{"--vresion", "1.2.0"}, "flag provided but not defined: -vresion"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--out", out}, tt.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("refused arguments wrote %v", entries)
	}
}

// TestArchives checks the file list of every target's archive, and reads
// a written tar.gz and zip back: names, modes and contents. The binary and
// the model are stand-ins; TestInstall builds a real archive.
func TestArchives(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	model := filepath.Join(dir, "model.wasm")
	os.WriteFile(bin, []byte("a binary"), 0o755)
	os.WriteFile(model, []byte("\x00asm a model"), 0o644)
	configs := []string{"configs/base.yaml", "configs/dev.yaml", "configs/production.yaml", "configs/test.yaml"}
	v, _ := parseVersion("1.4.0-rc.1")
	for _, tt := range []struct {
		target target
		file   string
		want   []string
	}{
		{target{"linux", "amd64"}, "crewplan-1.4.0-rc.1-linux-amd64.tar.gz", append([]string{"README.md", "crewplan", "crewplan.logrotate", "crewplan.service", "install.sh", "models/default.wasm"}, configs...)},
		{target{"linux", "arm64"}, "crewplan-1.4.0-rc.1-linux-arm64.tar.gz", append([]string{"README.md", "crewplan", "crewplan.logrotate", "crewplan.service", "install.sh", "models/default.wasm"}, configs...)},
		{target{"windows", "amd64"}, "crewplan-1.4.0-rc.1-windows-amd64.zip", append([]string{"README.md", "crewplan.exe", "models/default.wasm"}, configs...)},
	} {
		t.Run(tt.target.String(), func(t *testing.T) {
			entries, err := contents(root, tt.target, bin, model)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			p, err := writeArchive(out, v, tt.target, entries, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(p) != tt.file {
				t.Errorf("archive %s, want %s", filepath.Base(p), tt.file)
			}
			files := readArchive(t, p)
			top := strings.TrimSuffix(strings.TrimSuffix(tt.file, ".zip"), ".tar.gz") + "/"
			var names []string
			for name, f := range files {
				if !strings.HasPrefix(name, top) {
					t.Errorf("%s is outside the top folder %s", name, top)
				}
				name = strings.TrimPrefix(name, top)
				names = append(names, name)
				wantMode := fs.FileMode(0o644)
				if name == "crewplan" || name == "crewplan.exe" || name == "install.sh" {
					wantMode = 0o755
				}
				if f.mode != wantMode {
					t.Errorf("%s: mode %v, want %v", name, f.mode, wantMode)
				}
			}
			slices.Sort(names)
			want := slices.Sorted(slices.Values(tt.want))
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if got := files[top+tt.target.exe()].data; got != "a binary" {
				t.Errorf("binary holds %q", got)
			}
			if got := files[top+"models/default.wasm"].data; got != "\x00asm a model" {
				t.Errorf("model holds %q", got)
			}
			if unit, ok := files[top+"crewplan.service"]; ok {
				d := unitDirectives(unit.data)
				if got := d["ExecStart"]; !slices.Equal(got, []string{"/usr/local/bin/crewplan serve --profile production"}) {
					t.Errorf("the archive's unit starts %q, want install.sh's /usr/local/bin/crewplan", got)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(out, ".*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// TestUnitFile checks the systemd unit's directives.
func TestUnitFile(t *testing.T) {
	b, err := os.ReadFile("crewplan.service")
	if err != nil {
		t.Fatal(err)
	}
	checkUnit(t, unitDirectives(string(b)), "/usr/bin/crewplan")
}

// checkUnit checks the directives every crewplan unit must have, with
// bin as the program it starts.
func checkUnit(t *testing.T, d map[string][]string, bin string) {
	t.Helper()
	for key, want := range map[string]string{
		"User":             "crewplan",
		"Group":            "crewplan",
		"StateDirectory":   "crewplan",
		"WorkingDirectory": "/var/lib/crewplan",
		"Environment":      "CREWPLAN_HOME=/var/lib/crewplan CREWPLAN_CONFIG_DIR=/etc/crewplan",
		"ExecStart":        bin + " serve --profile production",
		"Restart":          "on-failure",
		"WantedBy":         "multi-user.target",
		"NoNewPrivileges":  "yes",
		"ProtectSystem":    "strict",
		"PrivateTmp":       "yes",
	} {
		if got := d[key]; !slices.Equal(got, []string{want}) {
			t.Errorf("unit %s=%q, want %q", key, got, want)
		}
	}
	for _, key := range []string{"KillMode", "MemoryDenyWriteExecute", "DynamicUser"} {
		if got, ok := d[key]; ok {
			t.Errorf("unit sets %s=%q: it must not", key, got)
		}
	}
}

// unitDirectives returns the KEY=VALUE lines of a systemd unit, by key.
func unitDirectives(unit string) map[string][]string {
	d := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(unit))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			d[strings.TrimSpace(k)] = append(d[strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return d
}

// TestWriteAtomic: a write that fails leaves the file as it was and no
// temporary file behind.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "crewplan.tar.gz")
	boom := errors.New("disk full")
	half := func(w io.Writer) error {
		io.WriteString(w, "half an archive")
		return boom
	}
	if err := writeAtomic(p, half); !errors.Is(err, boom) {
		t.Errorf("writeAtomic = %v, want %v", err, boom)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed write left %v", entries)
	}
	whole := func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }
	if err := writeAtomic(p, whole); err != nil {
		t.Fatal(err)
	}
	writeAtomic(p, half)
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("a failed write over a file left %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files after a failed write over a file: %v", entries)
	}
}

// archived is a regular file read from an archive.
type archived struct {
	mode fs.FileMode
	data string
}

// readArchive returns the regular files of a tar.gz or zip by name.
func readArchive(t *testing.T, path string) map[string]archived {
	t.Helper()
	files := map[string]archived{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = archived{f.Mode().Perm(), string(b)}
		}
		return files
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range readTar(t, gz) {
		files[name] = a
	}
	return files
}

// readTar returns the regular files of a tar stream by name.
func readTar(t *testing.T, r io.Reader) map[string]archived {
	t.Helper()
	files := map[string]archived{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		files[h.Name] = archived{fs.FileMode(h.Mode).Perm(), string(b)}
	}
}
