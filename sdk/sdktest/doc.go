// Package sdktest is the harness rule plugin authors test with: the same
// rule in-process, over real gRPC in memory, and as a real plugin binary
// launched the way the host launches it.
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
package sdktest
