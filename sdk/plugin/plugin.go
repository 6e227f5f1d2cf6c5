package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Type is what kind of plugin a program is.
type Type string

// The plugin types the host knows.
const (
	TypeRule   Type = "rule"
	TypeBackup Type = "backup"
)

// Info describes a plugin: the host shows it in `crewplan plugins list` and
// checks the API versions before it uses the plugin.
type Info struct {
	// Type is the plugin's type.
	Type Type `json:"type"`
	// Name is the plugin's name, unique among the host's plugins, in
	// lowercase letters, digits and dashes ("rules-calendar").
	Name string `json:"name"`
	// Version is the plugin's own version ("1.4.0").
	Version string `json:"version"`
	// APIVersions are the versions of its type's API the plugin speaks;
	// the host picks the highest it speaks too.
	APIVersions []int `json:"api_versions"`
	// Description says in one line what the plugin does.
	Description string `json:"description"`
}

// Plugin is the base contract of every plugin.
type Plugin interface {
	// Info describes the plugin. It must not fail once the plugin runs.
	Info(ctx context.Context) (Info, error)
	// Configure hands the plugin its section of the host's configuration
	// (JSON; "{}" or empty when there is none). The plugin validates it and
	// returns an error naming what is wrong; the host will not use a plugin
	// that refused its configuration.
	Configure(ctx context.Context, raw []byte) error
}

// ErrBadConfig is wrapped by Configure errors about the configuration's
// content, as opposed to failures of the plugin.
var ErrBadConfig = errors.New("bad plugin configuration")

// Handshake: before any call the host and the plugin process compare a
// cookie passed in the environment, so that a plugin binary started by hand
// says what it is instead of waiting for a host, and so that a program that
// is not a crewplan plugin is refused.
const (
	// MagicCookieKey is the environment variable holding the cookie.
	MagicCookieKey = "CREWPLAN_PLUGIN_COOKIE"
	// MagicCookieValue is the cookie of crewplan's plugin protocol.
	MagicCookieValue = "b9c1f6e2-3c0e-4d2a-9f61-crewplan-7a4e0d1b5c83-plugins-8e2f9a6c4d71"
	// ProtocolVersion is go-plugin's base protocol version; the API
	// versions of each plugin type are negotiated on top of it.
	ProtocolVersion = 1
)

// DecodeConfig decodes a plugin's configuration section strictly into v:
// nothing or whitespace leaves v as it is; otherwise raw must be one JSON
// object with only fields v knows. Every error wraps ErrBadConfig and names
// what was wrong, for Configure to return.
func DecodeConfig(raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data after the JSON object", ErrBadConfig)
	}
	return nil
}
