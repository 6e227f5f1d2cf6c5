package pluginhost

// BackupPlugin is a backup-target plugin process under the host's care.
type BackupPlugin struct{ proc }
