// Package backup is the contract of backup-target plugins: where the
// host's verified backups go. A target stores named byte streams — put,
// get, stat, list, delete — and the SDK carries them over gRPC in chunks
// of ChunkSize, so an object of any size crosses.
//
// A target plugin implements Target (which embeds plugin.Plugin, the base
// contract of every plugin) and calls Serve from its main; sdk/sdktest
// tests a Target in process, over real gRPC and as a built binary.
package backup
