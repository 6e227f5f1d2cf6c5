// Package plugin is the base contract every crewplan plugin implements,
// whatever its type: Info says what it is, Configure hands it its section of
// the host's configuration. It also holds what the host and a plugin
// process share beyond that: the go-plugin handshake, the gRPC message
// limits, and logging (the SDK speaks slog; HCLogAdapter turns a
// *slog.Logger into the hclog.Logger go-plugin wants, and Logger writes a
// plugin's logs to stderr in the form the host's go-plugin client reads).
//
// A plugin author rarely uses this package alone: a rule plugin implements
// rule.Rule (which embeds Plugin) and calls rule.Serve:
//
//	type maxDays struct{ max int }
//
//	func (m *maxDays) Info(context.Context) (plugin.Info, error) {
//		return plugin.Info{
//			Type: plugin.TypeRule, Name: "rules-max-days", Version: "1.0.0",
//			APIVersions: []int{rule.APIVersion},
//			Description: "caps an employee's working days per week",
//		}, nil
//	}
//
//	func (m *maxDays) Configure(_ context.Context, raw []byte) error {
//		cfg := struct{ Max int `json:"max"` }{Max: 5}
//		if len(raw) > 0 {
//			if err := json.Unmarshal(raw, &cfg); err != nil {
//				return fmt.Errorf("%w: %v", plugin.ErrBadConfig, err)
//			}
//		}
//		if cfg.Max < 1 || cfg.Max > 7 {
//			return fmt.Errorf("%w: max %d is not 1 to 7", plugin.ErrBadConfig, cfg.Max)
//		}
//		m.max = cfg.Max
//		return nil
//	}
//
// Nothing may print to stdout before Serve: go-plugin reads the handshake
// line there. Log with Logger() instead, which writes to stderr.
//
// The host side uses Handshake, CallOptions and HCLogAdapter when it builds
// a go-plugin ClientConfig (see the rule package's documentation).
package plugin
