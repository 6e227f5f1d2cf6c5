package config

import "github.com/spf13/pflag"

// FlagKeys returns the command-line flags Load reads, by name, with the
// key each one sets.
func FlagKeys() map[string]string {
	return map[string]string{
		"host":       "server.host",
		"port":       "server.port",
		"db":         "database.url",
		"log-level":  "log.level",
		"log-format": "log.format",
		"log-file":   "log.file",
	}
}

// AddFlags defines the flags of FlagKeys on fs, for a command that wants
// them all. Their defaults are never used: Load applies only the flags the
// user set.
func AddFlags(fs *pflag.FlagSet) {
	fs.String("host", "", "address the web server listens on (server.host)")
	fs.Int("port", 0, "port the web server listens on (server.port)")
	fs.String("db", "", "SQLite file or postgres:// URL (database.url)")
	fs.String("log-level", "", "debug, info, warn or error (log.level)")
	fs.String("log-format", "", "text or json (log.format)")
	fs.String("log-file", "", "file that receives the logs as well as stderr (log.file)")
}
