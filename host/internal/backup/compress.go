package backup

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// codec is a compression. Backups use zstd; gzip is here so the benchmarks
// can measure the choice.
type codec int

const (
	codecZstd codec = iota
	codecGzip
)

func (c codec) String() string {
	if c == codecGzip {
		return "gzip"
	}
	return "zstd"
}

// newWriter returns a compressing writer over w.
func (c codec) newWriter(w io.Writer) (io.WriteCloser, error) {
	if c == codecGzip {
		return gzip.NewWriterLevel(w, gzip.DefaultCompression)
	}
	return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault))
}

// newReader returns a decompressing reader over r.
func (c codec) newReader(r io.Reader) (io.ReadCloser, error) {
	if c == codecGzip {
		return gzip.NewReader(r)
	}
	d, err := zstd.NewReader(r)
	if err != nil {
		return nil, err
	}
	return d.IOReadCloser(), nil
}

// hashedFile is a file being written whose length and SHA-256 are taken as
// bytes go in.
type hashedFile struct {
	f    *os.File
	h    hash.Hash
	size int64
}

func createHashed(path string) (*hashedFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &hashedFile{f: f, h: sha256.New()}, nil
}

func (w *hashedFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.size += int64(n)
	return n, err
}

// close closes the file and returns its size and hex SHA-256. It does not
// sync: the work folder is temporary, a target's Put is what makes a
// backup durable, and an fsync cost more than the compression on the demo
// database.
func (w *hashedFile) close() (int64, string, error) {
	err := w.f.Close()
	return w.size, hex.EncodeToString(w.h.Sum(nil)), err
}

// progressReader reads r, stops when ctx ends, and reports each read's
// byte count to add.
type progressReader struct {
	ctx context.Context
	r   io.Reader
	add func(n int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	if n > 0 && p.add != nil {
		p.add(int64(n))
	}
	return n, err
}

// compressFile compresses src into a new file dst and returns dst's
// manifest entry (without role). add, when not nil, gets the raw bytes read.
func compressFile(ctx context.Context, c codec, src, dst string, add func(int64)) (ManifestFile, error) {
	in, err := os.Open(src)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("compress %s: %w", src, err)
	}
	defer in.Close()
	out, err := createHashed(dst)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("compress %s: %w", src, err)
	}
	rawHash := sha256.New()
	raw, err := compressTo(out, c, io.TeeReader(&progressReader{ctx: ctx, r: in, add: add}, rawHash))
	size, sum, cerr := out.close()
	if err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
		return ManifestFile{}, fmt.Errorf("compress %s to %s: %w", src, dst, err)
	}
	return ManifestFile{Size: size, RawSize: raw, SHA256: sum, RawSHA256: hex.EncodeToString(rawHash.Sum(nil))}, nil
}

// compressTo copies r through codec c into w and returns the raw bytes
// copied.
func compressTo(w io.Writer, c codec, r io.Reader) (int64, error) {
	zw, err := c.newWriter(w)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(zw, r)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// decompressFile decompresses src into a new file dst (nothing when dst
// is "") and returns the bytes written and their hex SHA-256. It stops
// after limit bytes and reports it: the manifest says how long the raw
// file is, and a corrupted or hostile archive must not fill the disk.
func decompressFile(ctx context.Context, c codec, src, dst string, limit int64) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	zr, err := c.newReader(in)
	if err != nil {
		return 0, "", err
	}
	defer zr.Close()
	h := sha256.New()
	var out io.Writer = h
	var f *os.File
	if dst != "" {
		if f, err = os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return 0, "", err
		}
		out = io.MultiWriter(f, h)
	}
	n, err := io.Copy(out, &progressReader{ctx: ctx, r: io.LimitReader(zr, limit+1)})
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil && n > limit {
		err = fmt.Errorf("decompresses to more than the %d bytes the manifest gives", limit)
	}
	return n, hex.EncodeToString(h.Sum(nil)), err
}
