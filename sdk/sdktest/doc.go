// Package sdktest is the harness plugin authors test with: the same rule
// or backup target in-process, over real gRPC in memory, and as a real
// plugin binary launched the way the host launches it.
//
// # Rules
//
//	func TestMaxDays(t *testing.T) {
//		b := &rule.Batch{ /* ... */ }
//		want := sdktest.Check(t, &maxDays{}, b)         // in-process
//		remote := sdktest.ServeInProcessGRPC(t, &maxDays{})
//		got := sdktest.Check(t, remote, b)               // through gRPC
//		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
//			t.Errorf("over gRPC (-in-process +gRPC):\n%s", diff)
//		}
//	}
//
//	func TestMaxDaysBinary(t *testing.T) {
//		r := sdktest.Launch(t, sdktest.Build(t, "./cmd"))
//		if err := r.SelfTest(t.Context()); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// Check also validates the verdicts as the host does (one per candidate,
// rule ids, severities, messages), so a rule that would be refused by the
// host fails its own tests first.
//
// # Backup targets
//
// TestTarget is the conformance suite every backup-target plugin runs:
// round trips of empty, small and multi-chunk objects, overwrites, Stat
// and List, Delete, Puts abandoned halfway (a failing reader, a cancelled
// ctx) leaving nothing, concurrent Puts and bad names. Each case runs on
// the Target directly and through ServeTargetInProcessGRPC, the SDK's
// real gRPC server and client over an in-memory connection:
//
//	func TestDirTarget(t *testing.T) {
//		sdktest.TestTarget(t, func(t *testing.T) backup.Target {
//			d := &dirTarget{}
//			cfg := fmt.Appendf(nil, `{"dir": %q}`, t.TempDir())
//			if err := d.Configure(t.Context(), cfg); err != nil {
//				t.Fatal(err)
//			}
//			return d
//		})
//	}
//
// LaunchTarget starts a built target plugin as the host does and returns
// the host's *backup.Client, which the suite takes too:
//
//	func TestDirTargetBinary(t *testing.T) {
//		bin := sdktest.Build(t, "./cmd")
//		sdktest.TestTarget(t, func(t *testing.T) backup.Target {
//			c := sdktest.LaunchTarget(t, bin)
//			if err := c.Configure(t.Context(), cfgFor(t)); err != nil {
//				t.Fatal(err)
//			}
//			return c
//		})
//	}
package sdktest
