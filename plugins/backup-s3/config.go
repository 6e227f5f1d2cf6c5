package backups3

import (
	"fmt"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/crewplan/crewplan/sdk/backup"
	"github.com/crewplan/crewplan/sdk/plugin"
)

// SecretEnv is the environment variable the secret access key is read
// from when the configuration leaves it empty.
const SecretEnv = "CREWPLAN_PLUGIN_S3_SECRET_ACCESS_KEY"

// Config is the plugin's configuration section, as JSON.
type Config struct {
	// Endpoint is the server, host or host:port without a scheme
	// (required).
	Endpoint string `json:"endpoint"`
	// Bucket is the bucket the objects go in (required).
	Bucket string `json:"bucket"`
	// Prefix is the folder of the bucket the objects are kept under: ""
	// or a valid object name, with or without a trailing slash.
	Prefix string `json:"prefix,omitempty"`
	// Region is the bucket's region; empty asks the server.
	Region string `json:"region,omitempty"`
	// AccessKeyID is the credentials' key id (required).
	AccessKeyID string `json:"access_key_id"`
	// SecretAccessKey is the credentials' secret; empty reads SecretEnv.
	SecretAccessKey string `json:"secret_access_key,omitempty"`
	// UseSSL, true when left out, speaks HTTPS rather than HTTP.
	UseSSL *bool `json:"use_ssl,omitempty"`
	// PathStyle puts the bucket in the URL's path rather than its host.
	PathStyle bool `json:"path_style,omitempty"`
}

// settings is a validated Config, with its client.
type settings struct {
	client *minio.Client
	bucket string
	// prefix is "" or ends with a slash.
	prefix string
	// where names the bucket for messages.
	where string
}

// maxRetries is how many times minio-go retries a request that failed
// for a reason that may pass (minio-go's own default is 10, which keeps
// a call to a server that is down waiting for several seconds).
const maxRetries = 3

// parseConfig decodes and validates a configuration section and makes its
// client, without a request; every error about the content wraps
// plugin.ErrBadConfig and names the field.
func parseConfig(raw []byte) (*settings, error) {
	var c Config
	if err := plugin.DecodeConfig(raw, &c); err != nil {
		return nil, fmt.Errorf("%s configuration: %w (keys: endpoint, bucket, prefix, region, access_key_id, secret_access_key, use_ssl, path_style)", Name, err)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%s configuration: %s: %w: %s", Name, field, plugin.ErrBadConfig, fmt.Sprintf(format, args...))
	}
	if c.Endpoint == "" {
		return nil, bad("endpoint", "missing: set it to the server's host:port")
	}
	if strings.Contains(c.Endpoint, "://") || strings.Contains(c.Endpoint, "/") {
		return nil, bad("endpoint", "%q: give host:port alone, without a scheme or a path (use_ssl picks https)", c.Endpoint)
	}
	if c.Bucket == "" {
		return nil, bad("bucket", "missing")
	}
	if err := s3utils.CheckValidBucketName(c.Bucket); err != nil {
		return nil, bad("bucket", "%q: %v", c.Bucket, err)
	}
	if err := backup.ValidPrefix(c.Prefix); err != nil {
		return nil, bad("prefix", "%v", err)
	}
	if c.AccessKeyID == "" {
		return nil, bad("access_key_id", "missing")
	}
	secret := c.SecretAccessKey
	if secret == "" {
		secret = os.Getenv(SecretEnv)
	}
	if secret == "" {
		return nil, bad("secret_access_key", "missing, and %s is not set either", SecretEnv)
	}
	useSSL := c.UseSSL == nil || *c.UseSSL
	lookup := minio.BucketLookupAuto
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKeyID, secret, ""),
		Secure:       useSSL,
		Region:       c.Region,
		BucketLookup: lookup,
		MaxRetries:   maxRetries,
	})
	if err != nil {
		return nil, bad("endpoint", "%q: %v", c.Endpoint, err)
	}
	prefix := c.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	scheme := "https"
	if !useSSL {
		scheme = "http"
	}
	return &settings{
		client: client,
		bucket: c.Bucket,
		prefix: prefix,
		where:  fmt.Sprintf("bucket %s at %s://%s", c.Bucket, scheme, c.Endpoint),
	}, nil
}
