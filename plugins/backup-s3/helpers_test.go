package backups3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	backups3 "github.com/crewplan/crewplan/plugins/backup-s3"
	"github.com/crewplan/crewplan/sdk/backup"
)

const bucket = "crewplan-backups"

// server is a real S3-protocol server for a test: gofakes3 over its
// in-memory backend, holding bucket.
type server struct {
	*httptest.Server
	// endpoint is its host:port.
	endpoint string
}

// newServer starts a server over HTTPS, as the plugin speaks by default.
// (Over plain HTTP minio-go signs each chunk of a part's payload, which
// gofakes3 stores undecoded: it decodes that only in single PUTs.)
func newServer(t testing.TB) *server { return newServerWith(t, nil) }

// newServerWith is newServer with the handler wrapped in wrap, unless it
// is nil.
func newServerWith(t testing.TB, wrap func(http.Handler) http.Handler) *server {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(be).Server()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewTLSServer(h)
	t.Cleanup(ts.Close)
	return &server{Server: ts, endpoint: strings.TrimPrefix(ts.URL, "https://")}
}

// TestMain makes the plugin trust the test servers' certificate as an
// operator makes it trust a private CA: with SSL_CERT_FILE, which
// minio-go reads when it makes a client. Every httptest TLS server has
// the same certificate.
func TestMain(m *testing.M) {
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	ts.Close()
	f, err := os.CreateTemp("", "backup-s3-test-*.pem")
	if err != nil {
		panic(err)
	}
	err = pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		panic(err)
	}
	os.Setenv("SSL_CERT_FILE", f.Name())
	code := m.Run()
	os.Remove(f.Name())
	os.Exit(code)
}

// config is a configuration for srv, with extra keys set over it.
func (srv *server) config(t testing.TB, extra map[string]any) []byte {
	t.Helper()
	c := map[string]any{
		"endpoint":          srv.endpoint,
		"bucket":            bucket,
		"region":            "us-east-1",
		"access_key_id":     "crewplan",
		"secret_access_key": "test-secret",
		"path_style":        true,
	}
	maps.Copy(c, extra)
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// target returns the plugin configured over srv, with extra keys.
func (srv *server) target(t testing.TB, extra map[string]any) backup.Target {
	t.Helper()
	tg := backups3.New()
	if err := tg.Configure(t.Context(), srv.config(t, extra)); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return tg
}

// client is a plain S3 client of srv, to see the bucket as it is.
func (srv *server) client(t testing.TB) minio.Core {
	t.Helper()
	c, err := minio.NewCore(srv.endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4("crewplan", "test-secret", ""),
		Region:       "us-east-1",
		BucketLookup: minio.BucketLookupPath,
		Secure:       true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return *c
}

// keys returns every key of the bucket.
func (srv *server) keys(t testing.TB) []string {
	t.Helper()
	var out []string
	for o := range srv.client(t).Client.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, o.Key)
	}
	return out
}

// uploads returns the keys of the bucket's multipart uploads under way.
func (srv *server) uploads(t testing.TB) []string {
	t.Helper()
	res, err := srv.client(t).ListMultipartUploads(t.Context(), bucket, "", "", "", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range res.Uploads {
		out = append(out, u.Key)
	}
	return out
}

func put(t testing.TB, tg backup.Target, name string, data []byte) backup.Object {
	t.Helper()
	obj, err := tg.Put(t.Context(), name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%q): %v", name, err)
	}
	return obj
}

func get(t testing.TB, tg backup.Target, name string) []byte {
	t.Helper()
	rc, err := tg.Get(t.Context(), name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", name, err)
	}
	return b
}

func names(objs []backup.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Name
	}
	return out
}

// payload returns n bytes that differ from one offset to the next.
func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed
	}
	return b
}

var errStream = errors.New("the stream broke")

// failingReader yields data, then fails with err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// cancelHalfway is a reader of data that calls cancel once half bytes of
// it have been read.
type cancelHalfway struct {
	data   []byte
	half   int
	read   int
	cancel context.CancelFunc
}

func (r *cancelHalfway) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 64<<10)], r.data)
	r.data = r.data[n:]
	r.read += n
	if r.read >= r.half {
		r.cancel()
	}
	return n, nil
}

// failWrites answers every PUT and POST (uploads and their parts) with
// an S3 error of code and status.
func failWrites(status int, code string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut && r.Method != http.MethodPost {
				next.ServeHTTP(w, r)
				return
			}
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>test</Message><RequestId>1</RequestId></Error>`, code)
		})
	}
}
