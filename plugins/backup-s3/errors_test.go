package backups3

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/crewplan/crewplan/sdk/backup"
)

// The mapping of what the tests' servers cannot produce: DNS failures,
// timeouts, an ended context.
func TestClassify(t *testing.T) {
	get := func(err error) error { return &url.Error{Op: "Get", URL: "https://s3.example.com/b/k", Err: err} }
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"NoSuchKey", context.Background(), minio.ErrorResponse{Code: "NoSuchKey", StatusCode: 404}, backup.ErrNotFound},
		{"HEAD 404", context.Background(), minio.ErrorResponse{StatusCode: 404}, backup.ErrNotFound},
		{"NoSuchBucket", context.Background(), minio.ErrorResponse{Code: "NoSuchBucket", StatusCode: 404}, backup.ErrUnavailable},
		{"507", context.Background(), minio.ErrorResponse{StatusCode: 507}, backup.ErrFull},
		{"502", context.Background(), minio.ErrorResponse{StatusCode: 502}, backup.ErrUnavailable},
		{"DNS", context.Background(), get(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "s3.example.com", IsNotFound: true}}), backup.ErrUnavailable},
		{"refused", context.Background(), get(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), backup.ErrUnavailable},
		{"timeout", context.Background(), get(timeoutError{}), backup.ErrUnavailable},
		{"server hung up", context.Background(), get(io.EOF), backup.ErrUnavailable},
		{"client timeout", context.Background(), get(context.DeadlineExceeded), backup.ErrUnavailable},
		{"ctx ended", ended, get(context.Canceled), nil},
		{"bad certificate", context.Background(), get(x509.UnknownAuthorityError{}), nil},
		{"AccessDenied", context.Background(), minio.ErrorResponse{Code: "AccessDenied", StatusCode: 403}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.ctx, tt.err)
			if !errors.Is(got, tt.err) {
				t.Errorf("classify(%v) = %v, lost the error", tt.err, got)
			}
			for _, sentinel := range []error{backup.ErrFull, backup.ErrUnavailable, backup.ErrNotFound} {
				if errors.Is(got, sentinel) != (sentinel == tt.want) {
					t.Errorf("classify(%v) = %v: errors.Is(%v) = %t", tt.err, got, sentinel, !(sentinel == tt.want))
				}
			}
		})
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
