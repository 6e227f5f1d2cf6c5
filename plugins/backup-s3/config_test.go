package backups3_test

import (
	"errors"
	"strings"
	"testing"

	backups3 "github.com/crewplan/crewplan/plugins/backup-s3"
	"github.com/crewplan/crewplan/sdk/plugin"
)

func TestConfigure(t *testing.T) {
	t.Setenv(backups3.SecretEnv, "")
	ok := `"endpoint": "s3.example.com:9000", "bucket": "acme-backups", "access_key_id": "AK", "secret_access_key": "SK"`
	tests := []struct {
		raw string
		// wantErr is "" for a configuration taken, else a piece of the
		// error, which must wrap plugin.ErrBadConfig.
		wantErr string
	}{
		{`{` + ok + `}`, ""},
		{`{` + ok + `, "prefix": "crewplan", "region": "eu-central-1", "use_ssl": false, "path_style": true}`, ""},
		{`{` + ok + `, "prefix": "crewplan/office/"}`, ""},
		{`{"endpoint": "s3.example.com", "bucket": "acme-backups", "access_key_id": "AK", "secret_access_key": "SK"}`, ""},
		{``, "endpoint"},
		{`{}`, "endpoint"},
		{`{` + ok + `, "endpoint": "https://s3.example.com"}`, "endpoint"},
		{`{` + ok + `, "endpoint": "s3.example.com/path"}`, "endpoint"},
		{`{` + ok + `, "bucket": ""}`, "bucket"},
		{`{` + ok + `, "bucket": "Bad_Bucket!"}`, "bucket"},
		{`{` + ok + `, "prefix": "../up"}`, "prefix"},
		{`{` + ok + `, "prefix": ".hidden/"}`, "prefix"},
		{`{` + ok + `, "access_key_id": ""}`, "access_key_id"},
		{`{` + ok + `, "secret_access_key": ""}`, "secret_access_key"},
		{`{` + ok + `, "use_ssl": "yes"}`, "use_ssl"},
		{`{` + ok + `, "secret": "x"}`, "secret"},
		{`{` + ok + `} {}`, "trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := backups3.New().Configure(t.Context(), []byte(tt.raw))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Configure: %v", err)
			case tt.wantErr != "" && (!errors.Is(err, plugin.ErrBadConfig) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Configure = %v, want ErrBadConfig about %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), `"SK"`) {
				t.Errorf("Configure's error shows the secret: %v", err)
			}
		})
	}
}

// The secret may come from the environment instead of the configuration.
// (gofakes3 does not check signatures: what is tested is that Configure
// takes the environment's secret, and wants one from somewhere.)
func TestSecretFromEnv(t *testing.T) {
	srv := newServer(t)
	raw := srv.config(t, map[string]any{"secret_access_key": ""})
	t.Setenv(backups3.SecretEnv, "")
	if err := backups3.New().Configure(t.Context(), raw); !errors.Is(err, plugin.ErrBadConfig) {
		t.Fatalf("Configure without a secret = %v, want ErrBadConfig", err)
	}
	t.Setenv(backups3.SecretEnv, "test-secret")
	tg := srv.target(t, map[string]any{"secret_access_key": ""})
	put(t, tg, "a", []byte("a"))
}
