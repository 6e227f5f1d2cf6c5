// Package proto holds the protobuf contracts between the crewplan host and
// its plugins, with the Go code generated from them beside each .proto:
//
//	crewplan/plugin/v1/plugin.proto   base contract (Info, Configure)   package pluginv1
//	crewplan/rule/v1/rule.proto       rule plugins, API version 1       package rulev1
//	crewplan/backup/v1/backup.proto   backup targets, API version 1     package backupv1
//
// Plugin authors do not use these packages directly: sdk/rule and
// sdk/backup convert between them and their Go types, serve a plugin and
// dispense a client.
// After editing a .proto, regenerate from the repository root with
//
//	go generate ./sdk/proto
//
// which runs buf and the protoc plugins as Go tools of the module.
package proto

//go:generate go tool buf lint
//go:generate go tool buf generate
