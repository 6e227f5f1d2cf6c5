// Command backup-local is the backup-local target plugin as a standalone binary.
package main

import backuplocal "github.com/crewplan/crewplan/plugins/backup-local"

func main() { backuplocal.Serve() }
