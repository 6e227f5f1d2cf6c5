package rulespairing

import (
	"fmt"

	"github.com/crewplan/crewplan/sdk/plugin"
)

// configure accepts an empty configuration or an empty JSON object: the
// plugin has no settings, so any field is an error wrapping
// plugin.ErrBadConfig.
func configure(raw []byte) error {
	if err := plugin.DecodeConfig(raw, &struct{}{}); err != nil {
		return fmt.Errorf("%s configuration: %w (it takes no settings: pass {})", Name, err)
	}
	return nil
}
