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
//				out[i].Violations = []rule.Violation{rule.Hardf("weekday",
//					"%s does not work on %ss", e.Name, c.Date.Weekday()).Reaching(rule.ReachDay)}
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
// # What a verdict may depend on
//
// The auto-scheduler decides many events on one batch, so a verdict may
// depend only on the candidate, the batch's context (events, employees,
// holidays, locked days), Now, Mode and Settings, and the assignments of
// the candidate's own employee in the candidate's week, of the events
// linked to the candidate's event (a supervisor's cores, a core's
// supervisors) and of the event it Replaces. The host sends at least
// those assignments and may send no others, so a rule that needs more
// data cannot be written against the scheduler's batches. Within the
// contract, the scheduler decides many events per batch by what it
// expects and checks each decision with the next batch, making again what
// did not hold: a run keeps every rule, whatever the rule.
//
// # Reach: saying how far a violation holds
//
// The auto-scheduler asks about thousands of candidates that differ only
// in their event. A violation that holds for more than its candidate can
// say so with its Reach, and the host then stops asking about the
// candidates it already knows fail, which makes runs much faster:
//
//	rule.Hardf("closed_day", "the store is closed on %s", c.Date).Reaching(rule.ReachDay)
//
// ReachDay says the violation holds for every event, for the candidate's
// employee on the candidate's day; ReachEventType for every event of the
// candidate event's type on that day; ReachCandidate, the zero value, for
// the candidate only. A reach beyond the candidate is a promise about the
// other candidates it covers that place an event not yet assigned, with a
// Replaces of 0, in a batch of the same Mode and context
// (Batch.ContextKey): the violation holds for each of them as long as none
// of the employee's assignments is taken away; adding assignments must
// never lift it. Its Message is then
// shown for those other candidates too, so it must not name the
// candidate's event. When unsure, leave the reach out: it is only ever an
// optimisation. The built-in rules can_work, closed_day, locked_day and
// max_work_days reach the day; one_core_per_day, earliest_day and
// qualified reach the event type. A reach the protocol does not know is refused
// (ValidateVerdicts); a plugin built before reaches sends none, and its
// violations reach their candidates only.
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
