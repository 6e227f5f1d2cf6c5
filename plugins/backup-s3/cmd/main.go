// Command backup-s3 is the backup-s3 target plugin as a standalone binary.
package main

import backups3 "github.com/crewplan/crewplan/plugins/backup-s3"

func main() { backups3.Serve() }
