package backups3

import "github.com/crewplan/crewplan/sdk/backup"

// Serve runs the target as a plugin process, speaking to the host over
// gRPC until the host ends it: the standalone binary (cmd/) and the host's
// built-in plugin mode both call it.
func Serve() { backup.Serve(New()) }
