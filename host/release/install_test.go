package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInstall builds the release for this machine through the release
// program (the archive, and the .deb on Linux), installs the archive with
// install.sh --root into a folder standing in for /, checks the layout,
// starts the installed crewplan as the unit would, runs its doctor, then
// upgrades in place over a changed configuration, and uninstalls.
func TestInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: TestInstall builds crewplan and trains a model")
	}
	here := target{runtime.GOOS, runtime.GOARCH}
	if !slices.Contains(targets, here) {
		t.Skipf("crewplan is not released for %s (only %s): nothing to install here", here, targetList())
	}
	if here.goos != "linux" {
		t.Skipf("install.sh is for Linux; %s is checked by TestArchives' file list only", here)
	}
	t.Log("the windows/amd64 zip is checked by TestArchives (its file list and zip writer), not built here: cross-compiling crewplan takes minutes")
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	v, _ := parseVersion("1.2.3-test.1")
	dist := filepath.Join(tmp, "dist")
	// The release program runs as a process, not race-instrumented like
	// this test: compressing 50 MiB under -race takes a minute. Without
	// -trimpath its build of crewplan reuses what host/main_test.go's build
	// compiled; the binary differs only in the file paths it records.
	release := filepath.Join(tmp, "release")
	if out, err := goCommand(root, "build", "-o", release, "./host/release").CombinedOutput(); err != nil {
		t.Fatalf("build the release program: %v\n%s", err, out)
	}
	start := time.Now()
	cmd := exec.Command(release, "--version", v.String(), "--targets", here.String(), "--out", dist, "--trimpath=false")
	cmd.Dir = root
	built, err := cmd.CombinedOutput()
	t.Logf("release program, %s:\n%s", time.Since(start).Round(time.Second), built)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dist, archiveName(v, here)+".tar.gz")
	deb := filepath.Join(dist, debName(v, here))
	entries, _ := os.ReadDir(dist)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if want := []string{"SHA256SUMS", filepath.Base(archive), filepath.Base(deb)}; !slices.Equal(files, want) {
		t.Fatalf("dist holds %v, want %v", files, want)
	}
	checkSums(t, dist, archive, deb)

	unpacked := filepath.Join(tmp, "unpacked")
	unpack(t, archive, unpacked)
	src := filepath.Join(unpacked, archiveName(v, here))
	model, err := os.ReadFile(filepath.Join(src, "models", "default.wasm"))
	if err != nil || !bytes.HasPrefix(model, []byte("\x00asm")) {
		t.Fatalf("the archive's model is not a WebAssembly module: %v", err)
	}
	t.Run("deb", func(t *testing.T) { checkDeb(t, deb, v, here, model) })

	fake := filepath.Join(tmp, "root")
	out := install(t, src, fake)
	for _, want := range []string{"working in " + fake + " (--root) instead of /: not making the user crewplan, not setting owners, not running systemctl",
		"installing crewplan 1.2.3-test.1", "registered the default ranking model as model 1, inactive"} {
		if !strings.Contains(out, want) {
			t.Errorf("install.sh does not say %q:\n%s", want, out)
		}
	}

	// The layout.
	bin := filepath.Join(fake, "usr/local/bin/crewplan")
	etc := filepath.Join(fake, "etc/crewplan")
	home := filepath.Join(fake, "var/lib/crewplan")
	if fi, err := os.Stat(bin); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("binary: %v %v", fi, err)
	}
	configs, _ := filepath.Glob(filepath.Join(src, "configs", "*.yaml"))
	for _, c := range configs {
		if got, want := readFile(t, filepath.Join(etc, filepath.Base(c))), readFile(t, c); got != want {
			t.Errorf("/etc/crewplan/%s differs from the archive's", filepath.Base(c))
		}
	}
	if got := readFile(t, filepath.Join(fake, "usr/local/share/crewplan/models/default.wasm")); got != string(model) {
		t.Error("the installed model differs from the archive's")
	}
	checkUnit(t, unitDirectives(readFile(t, filepath.Join(fake, "etc/systemd/system/crewplan.service"))), "/usr/local/bin/crewplan")
	if got := readFile(t, filepath.Join(fake, "etc/logrotate.d/crewplan")); !strings.Contains(got, "/var/lib/crewplan/logs/*.log") || !strings.Contains(got, "copytruncate") {
		t.Errorf("the logrotate configuration:\n%s", got)
	}

	// The installed crewplan, started as the unit starts it.
	env := []string{"CREWPLAN_HOME=" + home, "CREWPLAN_CONFIG_DIR=" + etc}
	cwd, userHome := filepath.Join(tmp, "cwd"), filepath.Join(tmp, "home")
	os.Mkdir(cwd, 0o755)
	os.Mkdir(userHome, 0o755)
	crewplan := func(args ...string) (int, string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = cwd
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + userHome}, env...)
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(b)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(b)
	}
	srv := serveInstalled(t, bin, cwd, append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + userHome}, env...))
	if code, out := crewplan("doctor"); code != 0 || strings.Contains(out, "✗") {
		t.Errorf("doctor of the install = %d\n%s", code, out)
	}
	code, models := crewplan("ranker", "list")
	if code != 0 || !strings.Contains(models, "crewplan-gbdt") || !strings.Contains(models, "no model is active") {
		t.Errorf("ranker list = %d\n%s", code, models)
	}
	srv.stop(t)
	for _, f := range []string{"data/crewplan.db", "logs/crewplan.log", "data/models"} {
		if _, err := os.Stat(filepath.Join(home, f)); err != nil {
			t.Errorf("not under /var/lib/crewplan: %v", err)
		}
	}
	checkOnlyInstallFiles(t, fake)
	for _, dir := range []string{cwd, userHome} {
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("crewplan wrote into %s: %v", dir, entries)
		}
	}

	// An upgrade in place: a newer default base.yaml, and a production.yaml
	// the admin changed.
	newBase := readFile(t, filepath.Join(src, "configs/base.yaml")) + "# a newer default\n"
	os.WriteFile(filepath.Join(src, "configs/base.yaml"), []byte(newBase), 0o644)
	changed := readFile(t, filepath.Join(etc, "production.yaml")) + "# changed by the admin\n"
	os.WriteFile(filepath.Join(etc, "production.yaml"), []byte(changed), 0o640)
	out = install(t, src, fake)
	for _, want := range []string{"upgrading to crewplan 1.2.3-test.1", "updated " + etc + "/base.yaml to the new default",
		"kept " + etc + "/production.yaml, which was changed here; the new default is beside it: " + etc + "/production.yaml.dist"} {
		if !strings.Contains(out, want) {
			t.Errorf("the upgrade does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "registered") {
		t.Errorf("the upgrade registered the model again:\n%s", out)
	}
	if got := readFile(t, filepath.Join(etc, "production.yaml")); got != changed {
		t.Errorf("the admin's production.yaml was not kept:\n%s", got)
	}
	if got := readFile(t, filepath.Join(etc, "production.yaml.dist")); got != readFile(t, filepath.Join(src, "configs/production.yaml")) {
		t.Errorf("production.yaml.dist is not the new default:\n%s", got)
	}
	if got := readFile(t, filepath.Join(etc, "base.yaml")); got != newBase {
		t.Error("base.yaml, unchanged by the admin, did not take the new default")
	}
	if _, err := os.Stat(filepath.Join(etc, "base.yaml.dist")); err == nil {
		t.Error("base.yaml.dist written for a file the admin did not change")
	}
	srv = serveInstalled(t, bin, cwd, append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + userHome}, env...))
	if code, after := crewplan("ranker", "list"); code != 0 || after != models {
		t.Errorf("the database changed across the upgrade: ranker list = %d\n%s\nbefore:\n%s", code, after, models)
	}
	srv.stop(t)
	checkOnlyInstallFiles(t, fake)

	// Uninstall keeps the configuration and the data; --purge removes them.
	out = install(t, src, fake, "--uninstall")
	for _, gone := range []string{bin, filepath.Join(fake, "etc/systemd/system/crewplan.service"), filepath.Join(fake, "etc/logrotate.d/crewplan"), filepath.Join(fake, "usr/local/share/crewplan")} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("--uninstall left %s", gone)
		}
	}
	for _, kept := range []string{filepath.Join(etc, "production.yaml"), filepath.Join(home, "data/crewplan.db")} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("--uninstall removed %s:\n%s", kept, out)
		}
	}
	install(t, src, fake, "--uninstall", "--purge")
	for _, gone := range []string{etc, home} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("--uninstall --purge left %s", gone)
		}
	}
}

// goCommand returns a go command run in dir, without cgo.
func goCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return cmd
}

// install runs install.sh from the unpacked archive src into the fake
// root, and returns its output; it fails the test when install.sh fails.
// A database URL in its environment, which crewplan must not see, would
// leave a file the layout check finds.
func install(t *testing.T, src, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("sh", append([]string{filepath.Join(src, "install.sh"), "--root", root}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "CREWPLAN_DATABASE__URL="+filepath.Join(root, "not-the-install.db"))
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("install.sh %v: %v\n%s", args, err, b)
	}
	return string(b)
}

// checkOnlyInstallFiles fails when a file under the fake root is not one
// an install has: the program, the shared files, the configuration, the
// unit, and everything else under /var/lib/crewplan.
func checkOnlyInstallFiles(t *testing.T, root string) {
	t.Helper()
	allowed := []string{"usr/local/bin/crewplan", "usr/local/share/crewplan/", "etc/crewplan/", "etc/systemd/system/crewplan.service", "etc/logrotate.d/crewplan", "var/lib/crewplan/"}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !slices.ContainsFunc(allowed, func(a string) bool { return rel == a || strings.HasSuffix(a, "/") && strings.HasPrefix(rel, a) }) {
			t.Errorf("/%s is outside the install's places", rel)
		}
		return nil
	})
}

// installed is the installed crewplan serving.
type installed struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
}

// serveInstalled starts `crewplan serve --profile production` on a free
// port, as the unit does, and waits until /readyz answers 200.
func serveInstalled(t *testing.T, bin, dir string, env []string) *installed {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "serve", "--profile", "production", "--port", strconv.Itoa(port))
	cmd.Dir = dir
	cmd.Env = env
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &installed{cmd: cmd, logs: logs}
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the installed crewplan is not ready after 60s:\n%s", logs)
	return nil
}

// stop sends SIGTERM, as systemd does, and waits for a clean exit.
func (s *installed) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("crewplan exited with %v after SIGTERM:\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
		t.Errorf("crewplan did not stop within 30s of SIGTERM")
	}
}

// unpack extracts a tar.gz into dir with its files' modes.
func unpack(t *testing.T, archive, dir string) {
	t.Helper()
	for name, f := range readArchive(t, archive) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), f.mode); err != nil {
			t.Fatal(err)
		}
	}
}

// checkSums checks SHA256SUMS against the files.
func checkSums(t *testing.T, dir string, files ...string) {
	t.Helper()
	var want strings.Builder
	for _, f := range files {
		sum, err := fileSHA256(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&want, "%s  %s\n", sum, filepath.Base(f))
	}
	if got := readFile(t, filepath.Join(dir, "SHA256SUMS")); got != want.String() {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", got, want.String())
	}
}

// checkDeb reads the .deb with Go (and with dpkg-deb where it is
// installed): its control fields, conffiles, scripts and files.
func checkDeb(t *testing.T, deb string, v version, tg target, model []byte) {
	members := readAr(t, deb)
	if got := members["debian-binary"]; got != "2.0\n" {
		t.Errorf("debian-binary = %q", got)
	}
	control := readTarMember(t, members, "control.tar")
	data := readTarMember(t, members, "data.tar")

	fields := map[string]string{}
	for _, line := range strings.Split(control["./control"].data, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") {
			fields[k] = v
		}
	}
	for k, want := range map[string]string{"Package": "crewplan", "Version": v.deb(), "Architecture": tg.goarch} {
		if fields[k] != want {
			t.Errorf("control %s: %q, want %q", k, fields[k], want)
		}
	}
	configs, _ := filepath.Glob("../../configs/*.yaml")
	wantConf := []string{"/etc/logrotate.d/crewplan"}
	for _, c := range configs {
		wantConf = append(wantConf, "/etc/crewplan/"+filepath.Base(c))
	}
	got := strings.Fields(control["./conffiles"].data)
	slices.Sort(got)
	slices.Sort(wantConf)
	if !slices.Equal(got, wantConf) {
		t.Errorf("conffiles %v, want %v", got, wantConf)
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		f, ok := control["./"+script]
		if !ok || f.mode != 0o755 {
			t.Errorf("control %s: %v (mode %v)", script, ok, f.mode)
		}
		if out, err := exec.Command("sh", "-n", filepath.Join("deb", script)).CombinedOutput(); err != nil {
			t.Errorf("sh -n deb/%s: %v\n%s", script, err, out)
		}
	}

	for name, mode := range map[string]fs.FileMode{
		"./usr/bin/crewplan":                          0o755,
		"./lib/systemd/system/crewplan.service":       0o644,
		"./etc/logrotate.d/crewplan":                  0o644,
		"./usr/share/crewplan/models/default.wasm":    0o644,
		"./usr/share/doc/crewplan/README.md":          0o644,
		"./etc/crewplan/" + filepath.Base(configs[0]): 0o644,
	} {
		if f, ok := data[name]; !ok || f.mode != mode {
			t.Errorf("the .deb's %s: present %v, mode %v, want %v", name, ok, f.mode, mode)
		}
	}
	if data["./usr/share/crewplan/models/default.wasm"].data != string(model) {
		t.Error("the .deb's model differs from the archive's")
	}
	checkUnit(t, unitDirectives(data["./lib/systemd/system/crewplan.service"].data), "/usr/bin/crewplan")

	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Log("dpkg-deb is not installed: the .deb was read with Go only")
		return
	}
	out, err := exec.Command("dpkg-deb", "--info", deb).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Version: "+v.deb()) {
		t.Errorf("dpkg-deb --info: %v\n%s", err, out)
	}
	out, err = exec.Command("dpkg-deb", "--contents", deb).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "./usr/bin/crewplan") {
		t.Errorf("dpkg-deb --contents: %v\n%s", err, out)
	}
}

// readAr returns the members of an ar archive (a .deb) by name.
func readAr(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		t.Fatalf("%s is not an ar archive", path)
	}
	members := map[string]string{}
	for b = b[8:]; len(b) >= 60; {
		name := strings.TrimSuffix(strings.TrimSpace(string(b[:16])), "/")
		size, err := strconv.Atoi(strings.TrimSpace(string(b[48:58])))
		if err != nil || 60+size > len(b) {
			t.Fatalf("%s: bad ar header %q", path, b[:60])
		}
		members[name] = string(b[60 : 60+size])
		b = b[60+size+size%2:]
	}
	return members
}

// readTarMember reads the ar member prefix.tar or prefix.tar.gz.
func readTarMember(t *testing.T, members map[string]string, prefix string) map[string]archived {
	t.Helper()
	if m, ok := members[prefix]; ok {
		return readTar(t, strings.NewReader(m))
	}
	m, ok := members[prefix+".gz"]
	if !ok {
		var names []string
		for n := range members {
			names = append(names, n)
		}
		t.Fatalf("the .deb has no %s or %s.gz (Go reads those), only %v", prefix, prefix, names)
	}
	gz, err := gzip.NewReader(strings.NewReader(m))
	if err != nil {
		t.Fatal(err)
	}
	return readTar(t, io.Reader(gz))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
