package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"
)

// releaseDir is the folder of the packaging files, in the repository.
const releaseDir = "host/release"

// entry is one file of an archive.
type entry struct {
	name string // its path below the archive's top folder, with slashes
	src  string // the file it is read from, or
	data []byte // its content
	mode fs.FileMode
}

// archiveName is the name of t's archive and of its top folder, without
// the extension.
func archiveName(v version, t target) string {
	return fmt.Sprintf("crewplan-%s-%s-%s", v, t.goos, t.goarch)
}

// archiveExt is the extension of t's archive.
func archiveExt(t target) string {
	if t.goos == "windows" {
		return ".zip"
	}
	return ".tar.gz"
}

// contents lists the files of t's archive: the binary bin, the ranking
// model, configs/ and the installers' README; on Linux also the systemd
// unit (starting /usr/local/bin/crewplan, where install.sh puts it), the
// logrotate configuration and install.sh.
func contents(root string, t target, bin, model string) ([]entry, error) {
	entries := []entry{
		{name: t.exe(), src: bin, mode: 0o755},
		{name: "README.md", src: filepath.Join(root, releaseDir, "README.md"), mode: 0o644},
		{name: "models/default.wasm", src: model, mode: 0o644},
	}
	configs, err := filepath.Glob(filepath.Join(root, "configs", "*.yaml"))
	if err != nil || len(configs) == 0 {
		return nil, fmt.Errorf("no configs/*.yaml in %s", root)
	}
	for _, c := range configs {
		entries = append(entries, entry{name: "configs/" + filepath.Base(c), src: c, mode: 0o644})
	}
	if t.goos != "linux" {
		return entries, nil
	}
	unit, err := os.ReadFile(filepath.Join(root, releaseDir, "crewplan.service"))
	if err != nil {
		return nil, err
	}
	const deb, local = "ExecStart=/usr/bin/crewplan ", "ExecStart=/usr/local/bin/crewplan "
	if !bytes.Contains(unit, []byte(deb)) {
		return nil, fmt.Errorf("%s/crewplan.service has no line starting %q", releaseDir, deb)
	}
	return append(entries,
		entry{name: "crewplan.service", data: bytes.ReplaceAll(unit, []byte(deb), []byte(local)), mode: 0o644},
		entry{name: "crewplan.logrotate", src: filepath.Join(root, releaseDir, "crewplan.logrotate"), mode: 0o644},
		entry{name: "install.sh", src: filepath.Join(root, releaseDir, "install.sh"), mode: 0o755},
	), nil
}

// writeArchive writes entries into dir as t's archive of version v (a zip
// for Windows, else a tar.gz), below a top folder of the archive's name,
// and returns its path.
func writeArchive(dir string, v version, t target, entries []entry, mtime time.Time) (string, error) {
	name := archiveName(v, t)
	write := writeTarGz
	if t.goos == "windows" {
		write = writeZip
	}
	p := filepath.Join(dir, name+archiveExt(t))
	err := writeAtomic(p, func(w io.Writer) error { return write(w, name, entries, mtime) })
	if err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return p, nil
}

// open returns the entry's content and size.
func (e entry) open() (io.ReadCloser, int64, error) {
	if e.src == "" {
		return io.NopCloser(bytes.NewReader(e.data)), int64(len(e.data)), nil
	}
	f, err := os.Open(e.src)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// folders returns the folders entry names need, parents first, each once.
func folders(top string, entries []entry) []string {
	dirs := []string{top + "/"}
	seen := map[string]bool{}
	for _, e := range entries {
		if d := path.Dir(e.name); d != "." && !seen[d] {
			seen[d] = true
			dirs = append(dirs, top+"/"+d+"/")
		}
	}
	return dirs
}

func writeTarGz(w io.Writer, top string, entries []entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, d := range folders(top, entries) {
		h := &tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
	}
	for _, e := range entries {
		r, size, err := e.open()
		if err != nil {
			return err
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: top + "/" + e.name, Mode: int64(e.mode), Size: size, ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			r.Close()
			return err
		}
		_, err = io.Copy(tw, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, top string, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, d := range folders(top, entries) {
		h := &zip.FileHeader{Name: d, Modified: mtime}
		h.SetMode(fs.ModeDir | 0o755)
		if _, err := zw.CreateHeader(h); err != nil {
			return err
		}
	}
	for _, e := range entries {
		r, _, err := e.open()
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: top + "/" + e.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(e.mode)
		fw, err := zw.CreateHeader(h)
		if err == nil {
			_, err = io.Copy(fw, r)
		}
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	return zw.Close()
}

// writeAtomic writes path through write: into a temporary file beside it,
// synced and renamed over path only when write succeeded, so that path is
// either the complete new file or what it was before.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
