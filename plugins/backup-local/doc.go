// Package backuplocal is the backup-local plugin: a backup target over a
// directory on an attached disk or a mounted share. Each object is a file
// named exactly by the object's name under the directory, its slashes
// making folders, so an operator sees the backups with ls and can copy one
// back by hand: the object "20261205T000000Z-office/db.zst" is the file
// DIR/20261205T000000Z-office/db.zst.
//
// Its configuration section is a JSON object (see Config):
//
//	{"dir": "/mnt/backups/crewplan", "fsync": true}
//	{"dir": "data/backups", "create": true}
//
// The keys:
//
//   - "dir" (required): the directory: an absolute path, or one relative
//     to the plugin's working directory (the host's, for a plugin the
//     host starts). The plugin creates only folders under it, unless
//     "create" says otherwise, so a share that is not mounted gives
//     backup.ErrUnavailable instead of filling the disk under its mount
//     point: point dir at a folder inside the share, not at the mount
//     point itself.
//   - "create" (default false): create dir at Configure when it is
//     missing, for a folder on the machine's own disk (the default local
//     target, data/backups).
//   - "fsync" (default true): whether Put flushes each object, and the
//     folders it changed, to stable storage before it returns.
//
// Put writes a temporary dot-file (".tmp-RANDOM-NAME") in the object's
// folder and renames it into place, so an object is whole or absent.
// Temporaries a killed process left behind are removed by Configure once
// they have not been written to for an hour. Files and folders whose names
// start with a dot are never objects: List skips them, and a dot-folder
// (a NAS's .snapshot, say) is never walked.
//
// Objects are created with mode 0640 and folders with 0750 (less the
// umask): backups hold the whole database.
package backuplocal
