package backup

import (
	"hash"
	"io"
)

// chunks is the state of reading a stream's data chunks, which Put's
// server and Get's client share: the chunk being read, the bytes and
// their SHA-256 so far, whether the stream ended as it should, and its
// failure (sticky).
type chunks struct {
	buf  []byte
	n    int64
	sum  hash.Hash
	done bool
	err  error
}

// read reads the chunks into p, receiving the next one with next when
// the last is used up; it returns io.EOF only once done.
func (c *chunks) read(p []byte, next func() error) (int, error) {
	if len(p) == 0 {
		return 0, c.err
	}
	for len(c.buf) == 0 {
		switch {
		case c.err != nil:
			return 0, c.err
		case c.done:
			return 0, io.EOF
		}
		c.err = next()
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}
