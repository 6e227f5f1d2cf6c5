package backups3

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// Name is the plugin's name.
const Name = "backup-s3"

const (
	// partSize is the size of a multipart upload's parts, which Put
	// buffers one at a time: objects of up to 10,000 parts (about 156 GiB).
	partSize = 16 << 20
	// smallObject is the most bytes Put reads ahead: a stream that ends
	// within them is stored in one PUT rather than a multipart upload of
	// three requests.
	smallObject = 1 << 20
)

type target struct {
	cfg atomic.Pointer[settings]
}

var (
	_ backup.Target     = (*target)(nil)
	_ backup.SelfTester = (*target)(nil)
)

// New returns the target, to be configured before use. It also implements
// backup.SelfTester.
func New() backup.Target { return &target{} }

// Info describes the plugin.
func (*target) Info(context.Context) (plugin.Info, error) {
	return plugin.Info{
		Type:        plugin.TypeBackup,
		Name:        Name,
		Version:     "1.0.0",
		APIVersions: []int{backup.APIVersion},
		Description: "Stores backups in a bucket of an S3-compatible object store.",
	}, nil
}

// Configure validates the configuration (see Config) and takes it. It
// makes no request: SelfTest checks the bucket.
func (t *target) Configure(_ context.Context, raw []byte) error {
	s, err := parseConfig(raw)
	if err != nil {
		return err
	}
	t.cfg.Store(s)
	return nil
}

func (t *target) settings() (*settings, error) {
	s := t.cfg.Load()
	if s == nil {
		return nil, errNotConfigured
	}
	return s, nil
}

// Put streams r to the object, in one PUT when it is short and as a
// multipart upload when not. The server shows either only once complete;
// an upload that fails, whether the stream, the server or ctx ends it, is
// aborted.
func (t *target) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
	if err := backup.ValidName(name); err != nil {
		return backup.Object{}, err
	}
	s, err := t.settings()
	if err != nil {
		return backup.Object{}, err
	}
	obj, err := put(ctx, s, s.prefix+name, r)
	if err != nil {
		return backup.Object{}, fmt.Errorf("put %s in %s: %w", name, s.where, err)
	}
	obj.Name = name
	return obj, nil
}

// put stores r under key; its errors are classified. A stream that ends
// within smallObject bytes goes in one PUT; a longer one as a multipart
// upload.
func put(ctx context.Context, s *settings, key string, r io.Reader) (backup.Object, error) {
	g := &guardedReader{ctx: ctx, r: r}
	head := make([]byte, smallObject)
	n, err := io.ReadFull(g, head)
	var (
		body io.Reader
		size int64
	)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// The whole stream: g passes on no error of r as an EOF.
		body, size = bytes.NewReader(head[:n]), int64(n)
	case err != nil:
		return backup.Object{}, err
	default:
		body, size = io.MultiReader(bytes.NewReader(head), g), -1
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		PartSize:    partSize,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		if g.err != nil && errors.Is(err, g.err) {
			// The stream's own error: not the server's to classify.
			return backup.Object{}, err
		}
		return backup.Object{}, classify(ctx, err)
	}
	modified := info.LastModified
	if modified.IsZero() {
		// A PUT's answer does not say when; ask. The object is stored
		// whatever the answer.
		modified = time.Now()
		if st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{}); err == nil {
			modified = st.LastModified
		}
	}
	return backup.Object{Size: info.Size, Modified: modified.UTC()}, nil
}

// guardedReader reads r for minio-go until ctx ends, and keeps its first
// error, so that no error of the stream can pass for its end: minio-go
// takes a part cut short by io.ErrUnexpectedEOF for the last one, and
// drops an error that came with a full part.
type guardedReader struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (g *guardedReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if err := g.ctx.Err(); err != nil {
		g.err = err
		return 0, err
	}
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		g.err = fmt.Errorf("read the object's stream: %w", err)
		return n, g.err
	}
	return n, err
}

// Get returns a reader of the object; ErrNotFound when there is none.
func (t *target) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := backup.ValidName(name); err != nil {
		return nil, err
	}
	s, err := t.settings()
	if err != nil {
		return nil, err
	}
	rc, err := get(ctx, s, s.prefix+name)
	if err != nil {
		return nil, fmt.Errorf("get %s from %s: %w", name, s.where, err)
	}
	return rc, nil
}

// get opens key, making its first request now so that a missing object
// is an error of Get, not of the first Read.
func get(ctx context.Context, s *settings, key string) (io.ReadCloser, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, classify(ctx, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, classify(ctx, err)
	}
	return &objectReader{ctx: ctx, obj: obj}, nil
}

// objectReader classifies the errors of reading an object: a connection
// lost mid-way is backup.ErrUnavailable.
type objectReader struct {
	ctx context.Context
	obj *minio.Object
}

func (o *objectReader) Read(p []byte) (int, error) {
	n, err := o.obj.Read(p)
	if err != nil && err != io.EOF {
		err = classify(o.ctx, err)
	}
	return n, err
}

func (o *objectReader) Close() error { return o.obj.Close() }

// Stat returns the object's size and time; ErrNotFound when there is none.
func (t *target) Stat(ctx context.Context, name string) (backup.Object, error) {
	if err := backup.ValidName(name); err != nil {
		return backup.Object{}, err
	}
	s, err := t.settings()
	if err != nil {
		return backup.Object{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.prefix+name, minio.StatObjectOptions{})
	if err != nil {
		err = classify(ctx, err)
		if errors.Is(err, backup.ErrNotFound) {
			// A HEAD's 404 has no body to say whether the key or the
			// bucket is missing; a missing bucket is no answer about the
			// object.
			if ok, berr := s.client.BucketExists(ctx, s.bucket); berr == nil && !ok {
				err = fmt.Errorf("%w: the bucket does not exist", backup.ErrUnavailable)
			}
		}
		return backup.Object{}, fmt.Errorf("stat %s in %s: %w", name, s.where, err)
	}
	return backup.Object{Name: name, Size: info.Size, Modified: info.LastModified.UTC()}, nil
}

// List lists the keys under the configured prefix followed by prefix,
// recursively, and returns those that are valid object names, the
// configured prefix cut off, sorted.
func (t *target) List(ctx context.Context, prefix string) ([]backup.Object, error) {
	if err := backup.ValidPrefix(prefix); err != nil {
		return nil, err
	}
	s, err := t.settings()
	if err != nil {
		return nil, err
	}
	// Cancelling stops minio-go's listing when this returns early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	objs := []backup.Object{}
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if info.Err != nil {
			return nil, fmt.Errorf("list %q in %s: %w", prefix, s.where, classify(ctx, info.Err))
		}
		name, ok := strings.CutPrefix(info.Key, s.prefix)
		if !ok || backup.ValidName(name) != nil {
			continue
		}
		objs = append(objs, backup.Object{Name: name, Size: info.Size, Modified: info.LastModified.UTC()})
	}
	slices.SortFunc(objs, func(a, b backup.Object) int { return strings.Compare(a.Name, b.Name) })
	return objs, nil
}

// Delete removes the object; a name that holds nothing is not an error.
func (t *target) Delete(ctx context.Context, name string) error {
	if err := backup.ValidName(name); err != nil {
		return err
	}
	s, err := t.settings()
	if err != nil {
		return err
	}
	if err := remove(ctx, s, s.prefix+name); err != nil {
		return fmt.Errorf("delete %s in %s: %w", name, s.where, err)
	}
	return nil
}

// remove deletes key; its errors are classified.
func remove(ctx context.Context, s *settings, key string) error {
	err := classify(ctx, s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
	if errors.Is(err, backup.ErrNotFound) {
		return nil
	}
	return err
}

// SelfTest checks that the bucket exists and that a probe object (under a
// dot-name, which List never shows) can be written, read back and
// deleted.
func (t *target) SelfTest(ctx context.Context) error {
	s, err := t.settings()
	if err != nil {
		return err
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	switch {
	case err != nil:
		return fmt.Errorf("self-test: %s: %w", s.where, classify(ctx, err))
	case !ok:
		return fmt.Errorf("self-test: %s: %w: the bucket does not exist: create it, or fix bucket", s.where, backup.ErrUnavailable)
	}
	key := s.prefix + ".selftest-" + rand.Text()
	want := []byte("crewplan " + Name + " self-test " + key + "\n")
	if _, err := put(ctx, s, key, bytes.NewReader(want)); err != nil {
		return fmt.Errorf("self-test: write the probe object %s in %s: %w", key, s.where, err)
	}
	got, err := readAll(ctx, s, key)
	if rerr := remove(ctx, s, key); err == nil && rerr != nil {
		err = rerr
	}
	switch {
	case err != nil:
		return fmt.Errorf("self-test: read back and delete the probe object %s in %s: %w", key, s.where, err)
	case !bytes.Equal(got, want):
		return fmt.Errorf("self-test: the probe object %s in %s read back as %d bytes different from the %d written", key, s.where, len(got), len(want))
	}
	return nil
}

func readAll(ctx context.Context, s *settings, key string) ([]byte, error) {
	rc, err := get(ctx, s, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
