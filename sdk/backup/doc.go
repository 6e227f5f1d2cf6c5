// Package backup is the contract of backup-target plugins: where the
// host's verified backups go. A target stores named byte streams — put,
// get, stat, list, delete — and the SDK carries them over gRPC in chunks
// of ChunkSize, so an object of any size crosses.
//
// A target plugin implements Target (which embeds plugin.Plugin, the base
// contract of every plugin) and calls Serve from its main; sdk/sdktest
// tests a Target in process, over real gRPC and as a built binary.
//
// # Writing a target
//
// Implement Target and call Serve from main; nothing may print to stdout
// before Serve (log with plugin.Logger()). Names reach the Target already
// checked (ValidName): relative, slash-separated, without "." or ".."
// segments, no segment starting with a dot. Put must be all or nothing:
// write aside, and make the object visible only once r returned io.EOF
// and ctx has not ended — the SDK's reader fails instead of ending when
// the host dies or the bytes do not match their checksum. A directory
// target, without its Configure:
//
//	type dir struct{ root string }
//
//	var _ backup.Target = (*dir)(nil)
//
//	func (*dir) Info(context.Context) (plugin.Info, error) {
//		return plugin.Info{Type: plugin.TypeBackup, Name: "backup-dir",
//			Version: "1.0.0", APIVersions: []int{backup.APIVersion}}, nil
//	}
//
//	func (d *dir) Put(ctx context.Context, name string, r io.Reader) (backup.Object, error) {
//		path := filepath.Join(d.root, filepath.FromSlash(name))
//		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
//			return backup.Object{}, err
//		}
//		// A dot-file: no valid name is one, so List never shows it.
//		f, err := os.CreateTemp(filepath.Dir(path), ".put-*")
//		if err != nil {
//			return backup.Object{}, err
//		}
//		defer os.Remove(f.Name()) // gone once renamed
//		n, err := io.Copy(f, r)
//		if err == nil {
//			err = f.Sync()
//		}
//		if cerr := f.Close(); err == nil {
//			err = cerr
//		}
//		if err == nil {
//			err = ctx.Err()
//		}
//		if errors.Is(err, syscall.ENOSPC) {
//			err = fmt.Errorf("%w: %w", backup.ErrFull, err)
//		}
//		if err != nil {
//			return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
//		}
//		if err := os.Rename(f.Name(), path); err != nil {
//			return backup.Object{}, fmt.Errorf("put %s: %w", name, err)
//		}
//		return backup.Object{Name: name, Size: n, Modified: time.Now()}, nil
//	}
//
//	func (d *dir) Get(_ context.Context, name string) (io.ReadCloser, error) {
//		f, err := os.Open(filepath.Join(d.root, filepath.FromSlash(name)))
//		if err != nil && !errors.Is(err, fs.ErrNotExist) {
//			return nil, err
//		}
//		if err == nil {
//			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
//				return f, nil
//			}
//			f.Close() // a directory: a prefix, not an object
//		}
//		return nil, fmt.Errorf("%s: %w", name, backup.ErrNotFound)
//	}
//
//	// Stat, List (walk the root, skip dot-files, sort by name) and Delete
//	// (os.Remove; fs.ErrNotExist is no error) in the same way.
//
//	func main() { backup.Serve(&dir{}) }
//
// Test it with sdktest.TestTarget, the conformance suite every target
// runs, on the Target directly and through gRPC.
//
// # Using a target plugin from the host
//
// The host starts a plugin binary with go-plugin, as for a rule plugin
// (see sdk/rule), with VersionedPlugins, and dispenses a *Client, which
// implements Target and SelfTester and checks every reply (ErrBadReply):
//
//	raw, err := proto.Dispense(backup.PluginName)
//	t := raw.(*backup.Client)
//	obj, err := t.Put(ctx, "20261205T000000Z-office/db.zst", snapshot)
//	rc, err := t.Get(ctx, obj.Name) // its last Read fails, not io.EOF, on a broken transfer
//
// Errors wrap the contract's (errors.Is(err, backup.ErrNotFound) holds
// across gRPC) and keep the gRPC status (status.Code(err)).
//
// # Wire form
//
// The protobuf contract is sdk/proto/crewplan/backup/v1/backup.proto. Put
// streams a header naming the object, the bytes in chunks of at most
// ChunkSize, and a commit with their size and SHA-256; the plugin stores
// the object only if the commit arrives and matches. Get streams the
// chunks and a trailer with the size and SHA-256, which the Client
// checks. APIVersion 1 is served under go-plugin's versioned plugin sets;
// a later version is served beside it.
package backup
