package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
)

// File is one configuration file for the configuration archive.
type File struct {
	// Name is the file's name in the archive: a relative slash-separated
	// path such as "production.yaml".
	Name string
	// Data is its content. Without an age recipient the archive is
	// stored in the clear, so Data must be the redacted form.
	Data []byte
}

// ReadFiles reads configuration files from disk, named in the archive by
// their base names. They are as they are on disk, secrets included: use
// them as Options.Config only with a Recipient.
func ReadFiles(paths ...string) ([]File, error) {
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read config file: %w", err)
		}
		files = append(files, File{Name: filepath.Base(p), Data: b})
	}
	return files, nil
}

// ConfigMeta is the JSON at the head of the configuration archive
// (backup.json).
type ConfigMeta struct {
	// ID is the backup's id.
	ID string `json:"id"`
	// Created is when the backup was taken.
	Created time.Time `json:"created"`
	// AppVersion is the version of crewplan that took it.
	AppVersion string `json:"app_version"`
	// Dialect is the database's dialect.
	Dialect string `json:"dialect"`
	// SchemaVersion is the database's schema version.
	SchemaVersion int64 `json:"schema_version"`
}

// ConfigArchive is a configuration archive read back.
type ConfigArchive struct {
	Meta  ConfigMeta
	Files []File
}

const (
	configMetaName = "backup.json"
	configDir      = "config/"
	// maxConfigSize caps what ReadConfigArchive unpacks.
	maxConfigSize = 64 << 20
	ageHeader     = "age-encryption.org/v1\n"
)

// checkConfigName reports what is wrong with a configuration file's name.
func checkConfigName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") || strings.ContainsRune(name, '\\') {
		return fmt.Errorf("config file name %q: want a clean relative path", name)
	}
	return nil
}

// buildConfigArchive returns the configuration archive: a tar of
// backup.json and the files under config/, compressed with zstd, and
// encrypted to recipient when it is not nil. It also returns the tar's
// length.
func buildConfigArchive(meta ConfigMeta, files []File, recipient age.Recipient) (data []byte, rawSize int64, rawSum string, err error) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, 0, "", err
	}
	add := func(name string, data []byte) error {
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), ModTime: meta.Created, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add(configMetaName, mj); err != nil {
		return nil, 0, "", err
	}
	seen := map[string]bool{}
	for _, f := range files {
		if err := checkConfigName(f.Name); err != nil {
			return nil, 0, "", err
		}
		if seen[f.Name] {
			return nil, 0, "", fmt.Errorf("config file %q given twice", f.Name)
		}
		seen[f.Name] = true
		if err := add(configDir+f.Name, f.Data); err != nil {
			return nil, 0, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, 0, "", err
	}
	raw := int64(tb.Len())
	sum := sha256.Sum256(tb.Bytes())
	rawSum = hex.EncodeToString(sum[:])
	var out bytes.Buffer
	var w io.Writer = &out
	var aw io.WriteCloser
	if recipient != nil {
		if aw, err = age.Encrypt(&out, recipient); err != nil {
			return nil, 0, "", fmt.Errorf("encrypt config archive: %w", err)
		}
		w = aw
	}
	if _, err := compressTo(w, codecZstd, &tb); err != nil {
		return nil, 0, "", err
	}
	if aw != nil {
		if err := aw.Close(); err != nil {
			return nil, 0, "", fmt.Errorf("encrypt config archive: %w", err)
		}
	}
	return out.Bytes(), raw, rawSum, nil
}

// ErrEncrypted means a configuration archive is encrypted and no identity
// was given to decrypt it.
var ErrEncrypted = errors.New("config archive is encrypted")

// ReadConfigArchive reads a configuration archive. An age-encrypted one
// needs the identity of the recipient it was encrypted to; without any it
// fails with ErrEncrypted.
func ReadConfigArchive(r io.Reader, identities ...age.Identity) (*ConfigArchive, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(ageHeader)); string(head) == ageHeader {
		if len(identities) == 0 {
			return nil, ErrEncrypted
		}
		dr, err := age.Decrypt(br, identities...)
		if err != nil {
			return nil, fmt.Errorf("decrypt config archive: %w", err)
		}
		br = bufio.NewReader(dr)
	}
	zr, err := codecZstd.newReader(br)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	tr := tar.NewReader(io.LimitReader(zr, maxConfigSize))
	var a ConfigArchive
	sawMeta := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read config archive: %w", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read config archive %s: %w", hdr.Name, err)
		}
		switch {
		case hdr.Name == configMetaName:
			if err := json.Unmarshal(data, &a.Meta); err != nil {
				return nil, fmt.Errorf("read config archive %s: %w", hdr.Name, err)
			}
			sawMeta = true
		case strings.HasPrefix(hdr.Name, configDir):
			name := strings.TrimPrefix(hdr.Name, configDir)
			if err := checkConfigName(name); err != nil {
				return nil, fmt.Errorf("read config archive: %w", err)
			}
			a.Files = append(a.Files, File{Name: name, Data: data})
		default:
			return nil, fmt.Errorf("read config archive: unexpected entry %q", hdr.Name)
		}
	}
	if !sawMeta {
		return nil, fmt.Errorf("read config archive: no %s", configMetaName)
	}
	return &a, nil
}
