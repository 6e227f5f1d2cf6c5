package rulespairing

import "github.com/crewplan/crewplan/sdk/rule"

// Serve runs the rule as a plugin process, speaking to the host over
// gRPC until the host ends it: the standalone binary (cmd/) and the host's
// built-in plugin mode both call it.
func Serve() { rule.Serve(New()) }
