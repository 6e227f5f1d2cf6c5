//go:build !unix

package cli

// freeBytes cannot read free space on this system.
func freeBytes(string) (uint64, error) { return 0, errFreeUnknown }
