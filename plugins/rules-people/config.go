package rulespeople

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/crewplan/crewplan/sdk/plugin"
)

// configure accepts an empty configuration or an empty JSON object: the
// plugin has no settings, so any field is an error wrapping
// plugin.ErrBadConfig.
func configure(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	var cfg struct{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("%s configuration: %w: %w (it takes no settings: pass {})", Name, plugin.ErrBadConfig, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s configuration: %w: trailing data after the JSON object", Name, plugin.ErrBadConfig)
	}
	return nil
}
