package pluginhost

import (
	"bytes"
	"log/slog"
	"sync"
)

// lineWriter logs each line a plugin writes to its stderr outside
// go-plugin's structured log stream (a panic, a stray print).
type lineWriter struct {
	log *slog.Logger
	mu  sync.Mutex
	buf []byte
}

func newLineWriter(log *slog.Logger) *lineWriter { return &lineWriter{log: log} }

// Write logs every complete line of p and keeps the rest for later.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		if line := bytes.TrimSpace(w.buf[:i]); len(line) > 0 {
			w.log.Warn("plugin stderr", slog.String("line", string(line)))
		}
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}
