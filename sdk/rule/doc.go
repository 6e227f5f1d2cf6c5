// Package rule is the contract of constraint-rule plugins: the host sends
// a Batch — every candidate placement of one scheduling step, with the
// facts a rule needs — and the rule answers, per candidate, pass or the
// violations it found.
//
// # Writing a rule
//
// Implement Rule and call Serve from main; nothing else is needed, and
// nothing may print to stdout before Serve (log with plugin.Logger()):
//
//	type weekdays struct{}
//
//	var _ rule.Rule = (*weekdays)(nil)
//
//	func (*weekdays) Info(context.Context) (plugin.Info, error) {
//		return plugin.Info{Type: plugin.TypeRule, Name: "rules-weekdays",
//			Version: "1.0.0", APIVersions: []int{rule.APIVersion}}, nil
//	}
//
//	func (*weekdays) Configure(context.Context, []byte) error { return nil }
//
//	func (*weekdays) Check(ctx context.Context, b *rule.Batch) ([]rule.Verdict, error) {
//		out := make([]rule.Verdict, len(b.Candidates))
//		for i, c := range b.Candidates {
//			e := b.Employee(c.Employee)
//			if e != nil && e.Weekly != nil && !e.Weekly[c.Date.Weekday()] {
//				out[i].Violations = []rule.Violation{{Rule: "weekday", Severity: rule.Hard,
//					Message: e.Name + " does not work on " + c.Date.Weekday().String()}}
//			}
//		}
//		return out, nil
//	}
//
//	func main() { rule.Serve(&weekdays{}) }
//
// The same Rule runs in-process in tests, over in-memory gRPC and as a
// built binary: see sdk/sdktest.
//
// # Using a rule plugin from the host
//
// The host starts a plugin binary with go-plugin and dispenses a *Client,
// which implements Rule and checks every reply (ErrBadReply):
//
//	c := goplugin.NewClient(&goplugin.ClientConfig{
//		HandshakeConfig:  plugin.Handshake(),
//		VersionedPlugins: rule.VersionedPlugins(name),
//		Cmd:              exec.Command(path),
//		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
//		SecureConfig:     &goplugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
//		GRPCDialOptions:  plugin.DialOptions(),
//		Logger:           plugin.HCLogAdapter(log),
//	})
//	proto, err := c.Client()              // starts the process, handshakes
//	raw, err := proto.Dispense(rule.PluginName)
//	r := raw.(*rule.Client)               // c.NegotiatedVersion() == rule.APIVersion
//	info, err := r.Info(ctx)
//	err = r.Configure(ctx, section)       // errors.Is(err, plugin.ErrBadConfig)
//	verdicts, err := r.Check(ctx, batch)  // one per candidate
//
// A call to a dead plugin fails with gRPC's codes.Unavailable
// (status.Code(err)); go-plugin cannot restart a client, so the host makes
// a new one (c.Exited() tells) and retries the batch. A built-in rule runs
// the same way: the host starts its own executable with a hidden
// subcommand that calls Serve.
//
// # Wire form and versions
//
// The protobuf contract is sdk/proto/crewplan/rule/v1/rule.proto. The
// conversion is compact (packed columns, day numbers, an employee table)
// and strict both ways: a batch or a reply that breaks the protocol is
// refused with an error naming the field. A host that gives the batches
// of a run one Batch.ContextKey sends the events, employees, holidays and
// locked days to each plugin once; later batches carry only the
// candidates and assignments (the plugin keeps the last four contexts,
// and the client resends a context a plugin lost). APIVersion 1 is served under
// go-plugin's versioned plugin sets; a later version is served beside it,
// so plugin binaries built for version 1 keep working.
package rule
