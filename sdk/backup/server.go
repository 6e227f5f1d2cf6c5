package backup

// Serve runs t as a backup-target plugin process: it is all a plugin's main
// needs.
//
// Placeholder while the gRPC transport is written: it panics.
func Serve(t Target) { panic("backup.Serve: the gRPC transport is not written yet") }
