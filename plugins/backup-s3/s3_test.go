package backups3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/minio/minio-go/v7"

	backups3 "github.com/crewplan/crewplan/plugins/backup-s3"
	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

func TestInfo(t *testing.T) {
	info, err := backups3.New().Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.Type != plugin.TypeBackup || info.Name != backups3.Name || !slices.Contains(info.APIVersions, backup.APIVersion) || info.Version == "" || info.Description == "" {
		t.Errorf("Info() = %+v", info)
	}
}

func TestPutGetStat(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"db.zst", []byte("a small object")},
		{"20261205T000000Z-office/manifest.json", []byte(`{"ok":true}`)},
		// More than one 16 MiB part.
		{"20261205T000000Z-office/db.zst", payload(20<<20+7, 2)},
	}
	srv := newServer(t)
	tg := srv.target(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Add(-2 * time.Second)
			obj := put(t, tg, tt.name, tt.data)
			if obj.Name != tt.name || obj.Size != int64(len(tt.data)) || obj.Modified.Before(before) {
				t.Errorf("Put returned %+v, want name %q, size %d, modified after %v", obj, tt.name, len(tt.data), before)
			}
			if got := get(t, tg, tt.name); !bytes.Equal(got, tt.data) {
				t.Errorf("Get returned %d bytes, not the %d put", len(got), len(tt.data))
			}
			st, err := tg.Stat(t.Context(), tt.name)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			if st.Name != tt.name || st.Size != obj.Size || !st.Modified.Equal(obj.Modified) {
				t.Errorf("Stat = %+v, Put returned %+v", st, obj)
			}
		})
	}
	if up := srv.uploads(t); len(up) != 0 {
		t.Errorf("multipart uploads left: %q", up)
	}
}

func TestPutReplaces(t *testing.T) {
	tg := newServer(t).target(t, nil)
	put(t, tg, "b/db", []byte("old, longer than the new one"))
	put(t, tg, "b/db", []byte("new"))
	if got := get(t, tg, "b/db"); string(got) != "new" {
		t.Errorf("Get after a second Put = %q, want %q", got, "new")
	}
}

// A Put that fails part-way leaves no object, no multipart upload, and
// the object it was replacing whole.
func TestPutAllOrNothing(t *testing.T) {
	old := payload(1<<20, 9)
	tests := []struct {
		name string
		// put puts a new object under name and returns Put's error, which
		// must wrap want.
		put  func(tg backup.Target, name string) error
		want error
	}{
		{"stream fails in the second part", func(tg backup.Target, name string) error {
			_, err := tg.Put(t.Context(), name, &failingReader{data: payload(17<<20, 1), err: errStream})
			return err
		}, errStream},
		{"short stream fails", func(tg backup.Target, name string) error {
			_, err := tg.Put(t.Context(), name, &failingReader{data: payload(1000, 1), err: errStream})
			return err
		}, errStream},
		{"stream fails in the first part", func(tg backup.Target, name string) error {
			_, err := tg.Put(t.Context(), name, &failingReader{data: payload(1<<20, 1), err: errStream})
			return err
		}, errStream},
		// minio-go reads io.ErrUnexpectedEOF as the end of a short last
		// part: a truncated compressed stream must not pass for whole.
		{"stream cut short", func(tg backup.Target, name string) error {
			_, err := tg.Put(t.Context(), name, &failingReader{data: payload(1<<20, 1), err: io.ErrUnexpectedEOF})
			return err
		}, io.ErrUnexpectedEOF},
		{"context ends in the second part", func(tg backup.Target, name string) error {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := tg.Put(ctx, name, &cancelHalfway{data: payload(24<<20, 1), half: 20 << 20, cancel: cancel})
			return err
		}, context.Canceled},
		{"context ended before", func(tg backup.Target, name string) error {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := tg.Put(ctx, name, bytes.NewReader([]byte("x")))
			return err
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			tg := srv.target(t, nil)
			put(t, tg, "x/db.zst", old)

			if err := tt.put(tg, "x/db.zst"); !errors.Is(err, tt.want) {
				t.Fatalf("Put over an object = %v, want an error wrapping %v", err, tt.want)
			}
			if got := get(t, tg, "x/db.zst"); !bytes.Equal(got, old) {
				t.Errorf("the object replaced is no longer whole: %d bytes, want %d", len(got), len(old))
			}
			if err := tt.put(tg, "y/new.zst"); !errors.Is(err, tt.want) {
				t.Fatalf("Put of a new object = %v, want an error wrapping %v", err, tt.want)
			}
			if _, err := tg.Stat(t.Context(), "y/new.zst"); !errors.Is(err, backup.ErrNotFound) {
				t.Errorf("Stat of the failed object = %v, want ErrNotFound", err)
			}
			if diff := cmp.Diff([]string{"x/db.zst"}, srv.keys(t)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if up := srv.uploads(t); len(up) != 0 {
				t.Errorf("multipart uploads left, not aborted: %q", up)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	tg := newServer(t).target(t, nil)
	put(t, tg, "a/b", []byte("b"))
	for _, name := range []string{"missing", "a/missing", "a", "a/b/c"} {
		if _, err := tg.Get(t.Context(), name); !errors.Is(err, backup.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", name, err)
		}
		if _, err := tg.Stat(t.Context(), name); !errors.Is(err, backup.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", name, err)
		}
	}
}

func TestBadName(t *testing.T) {
	tg := newServer(t).target(t, nil)
	for _, name := range []string{"", "../escape", ".hidden", "a//b", "/abs"} {
		if _, err := tg.Put(t.Context(), name, bytes.NewReader(nil)); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("Put(%q) = %v, want ErrBadName", name, err)
		}
		if _, err := tg.Stat(t.Context(), name); !errors.Is(err, backup.ErrBadName) {
			t.Errorf("Stat(%q) = %v, want ErrBadName", name, err)
		}
	}
}

func TestList(t *testing.T) {
	srv := newServer(t)
	tg := srv.target(t, map[string]any{"prefix": "crewplan"})
	other := srv.target(t, map[string]any{"prefix": "crewplan-other/"})
	for _, name := range []string{"b", "a/c/d", "a-c", "a/b", "ab", "a/c/e/f"} {
		put(t, tg, name, []byte(name))
	}
	put(t, other, "a/b", []byte("another prefix"))
	// Keys under the prefix that are not object names: a folder marker,
	// a dot-file.
	c := srv.client(t)
	for _, key := range []string{"crewplan/a/", "crewplan/a/.probe"} {
		if _, err := c.PutObject(t.Context(), bucket, key, bytes.NewReader(nil), 0, "", "", minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a-c", "a/b", "a/c/d", "a/c/e/f", "ab", "b"}},
		{"a", []string{"a-c", "a/b", "a/c/d", "a/c/e/f", "ab"}},
		{"a/", []string{"a/b", "a/c/d", "a/c/e/f"}},
		{"a/c/", []string{"a/c/d", "a/c/e/f"}},
		{"a/c/d", []string{"a/c/d"}},
		{"zz", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			objs, err := tg.List(t.Context(), tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(objs)); diff != "" {
				t.Errorf("List(%q) (-want +got):\n%s", tt.prefix, diff)
			}
			for _, o := range objs {
				if o.Size != int64(len(o.Name)) || o.Modified.IsZero() {
					t.Errorf("List(%q): %+v, want size %d and a time", tt.prefix, o, len(o.Name))
				}
			}
		})
	}
	// The prefix is a folder of the bucket.
	if got, err := other.List(t.Context(), ""); err != nil || !slices.Equal(names(got), []string{"a/b"}) {
		t.Errorf("List of the other prefix = %v, %v; want [a/b]", names(got), err)
	}
	if !slices.Contains(srv.keys(t), "crewplan/a-c") {
		t.Errorf("keys %q, want crewplan/a-c among them", srv.keys(t))
	}
}

func TestDelete(t *testing.T) {
	srv := newServer(t)
	tg := srv.target(t, nil)
	put(t, tg, "r1/db", []byte("1"))
	put(t, tg, "r2/db", []byte("2"))
	for _, name := range []string{"r1/db", "never/was", "r1/db"} {
		if err := tg.Delete(t.Context(), name); err != nil {
			t.Errorf("Delete(%q): %v", name, err)
		}
	}
	if _, err := tg.Stat(t.Context(), "r1/db"); !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	if diff := cmp.Diff([]string{"r2/db"}, srv.keys(t)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// A server that is down makes every method fail with ErrUnavailable.
func TestServerDown(t *testing.T) {
	srv := newServer(t)
	tg := srv.target(t, nil)
	put(t, tg, "a/b", []byte("b"))
	srv.Close()

	ctx := t.Context()
	_, putErr := tg.Put(ctx, "a/c", bytes.NewReader([]byte("c")))
	_, getErr := tg.Get(ctx, "a/b")
	_, statErr := tg.Stat(ctx, "a/b")
	_, listErr := tg.List(ctx, "")
	delErr := tg.Delete(ctx, "a/b")
	selfErr := tg.(backup.SelfTester).SelfTest(ctx)
	for op, err := range map[string]error{"Put": putErr, "Get": getErr, "Stat": statErr, "List": listErr, "Delete": delErr, "SelfTest": selfErr} {
		if !errors.Is(err, backup.ErrUnavailable) {
			t.Errorf("%s = %v, want ErrUnavailable", op, err)
		}
	}
}

// A server refusing writes for want of room is ErrFull; one failing, or
// asking to slow down, ErrUnavailable. Nothing is stored.
func TestServerErrors(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   error
	}{
		{http.StatusForbidden, "QuotaExceeded", backup.ErrFull},
		{http.StatusBadRequest, "XMinioAdminBucketQuotaExceeded", backup.ErrFull},
		{http.StatusBadRequest, "EntityTooLarge", backup.ErrFull},
		{http.StatusInsufficientStorage, "XMinioStorageFull", backup.ErrFull},
		{http.StatusServiceUnavailable, "SlowDown", backup.ErrUnavailable},
		{http.StatusInternalServerError, "InternalError", backup.ErrUnavailable},
		{http.StatusForbidden, "AccessDenied", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			srv := newServerWith(t, failWrites(tt.status, tt.code))
			tg := srv.target(t, nil)
			for _, size := range []int{10, 20 << 20} { // one PUT; a multipart upload
				_, err := tg.Put(t.Context(), "r/db", bytes.NewReader(payload(size, 1)))
				if err == nil {
					t.Fatalf("Put of %d bytes succeeded", size)
				}
				for _, sentinel := range []error{backup.ErrFull, backup.ErrUnavailable, backup.ErrNotFound} {
					if errors.Is(err, sentinel) != (sentinel == tt.want) {
						t.Errorf("Put of %d bytes = %v; errors.Is(%v) = %t", size, err, sentinel, !(sentinel == tt.want))
					}
				}
			}
			if k := srv.keys(t); len(k) != 0 {
				t.Errorf("keys %q", k)
			}
		})
	}
}

// A bucket that does not exist is ErrUnavailable, not ErrNotFound: the
// objects may well be there once the bucket is.
func TestNoSuchBucket(t *testing.T) {
	srv := newServer(t)
	tg := srv.target(t, map[string]any{"bucket": "no-such-bucket"})
	if _, err := tg.Stat(t.Context(), "a"); !errors.Is(err, backup.ErrUnavailable) {
		t.Errorf("Stat = %v, want ErrUnavailable", err)
	}
	if err := tg.(backup.SelfTester).SelfTest(t.Context()); !errors.Is(err, backup.ErrUnavailable) {
		t.Errorf("SelfTest = %v, want ErrUnavailable", err)
	}
}

func TestSelfTest(t *testing.T) {
	srv := newServer(t)
	tg := srv.target(t, map[string]any{"prefix": "crewplan/"})
	if err := tg.(backup.SelfTester).SelfTest(t.Context()); err != nil {
		t.Fatalf("SelfTest: %v", err)
	}
	if k := srv.keys(t); len(k) != 0 {
		t.Errorf("SelfTest left %q", k)
	}
}

func TestNotConfigured(t *testing.T) {
	if _, err := backups3.New().List(t.Context(), ""); err == nil {
		t.Error("List before Configure succeeded")
	}
}
