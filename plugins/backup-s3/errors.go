package backups3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/minio/minio-go/v7"

	"github.com/crewplan/crewplan/sdk/backup"
)

// errNotConfigured is returned by a target used before a successful
// Configure.
var errNotConfigured = fmt.Errorf("%s: not configured (Configure was not called or failed)", Name)

// The S3 error codes that say there is no room, and those that say the
// server cannot serve now (besides any 5xx status).
var (
	fullCodes = map[string]bool{
		"EntityTooLarge":                 true,
		"QuotaExceeded":                  true, // Ceph RGW
		"XMinioAdminBucketQuotaExceeded": true,
		"XMinioStorageFull":              true,
		"InsufficientStorage":            true,
		"StorageFull":                    true,
	}
	unavailableCodes = map[string]bool{
		"NoSuchBucket":               true, // nowhere to store: the bucket is gone or not made yet
		"SlowDown":                   true,
		"ServiceUnavailable":         true,
		"InternalError":              true,
		"RequestTimeout":             true,
		"XMinioServerNotInitialized": true,
	}
)

// classify wraps err, from a call made with ctx, in the backup error it is
// an instance of, keeping err: NoSuchKey is backup.ErrNotFound; a quota or
// a full server, backup.ErrFull; a server that cannot be reached, times
// out or answers 5xx, backup.ErrUnavailable. The end of ctx is returned as
// it is, and so are other errors.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket":
			return fmt.Errorf("%w: %w", backup.ErrNotFound, err)
		case fullCodes[resp.Code] || resp.StatusCode == http.StatusInsufficientStorage:
			return fmt.Errorf("%w: %w", backup.ErrFull, err)
		case unavailableCodes[resp.Code] || resp.StatusCode >= 500:
			return fmt.Errorf("%w: %w", backup.ErrUnavailable, err)
		}
		return err
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %w", backup.ErrUnavailable, err)
	}
	return err
}

// unreachable reports whether err says the server could not be reached or
// did not answer: refused, reset or closed connections, names that do not
// resolve, timeouts.
func unreachable(err error) bool {
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
		netErr net.Error
		urlErr *url.Error
	)
	switch {
	case errors.As(err, &opErr), errors.As(err, &dnsErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	case errors.As(err, &urlErr):
		// The server hung up, or a timeout of the HTTP client's own.
		return errors.Is(urlErr.Err, io.EOF) || errors.Is(urlErr.Err, io.ErrUnexpectedEOF) ||
			errors.Is(urlErr.Err, context.DeadlineExceeded)
	}
	return false
}
