// Package ui holds crewplan's web pages: the html/template files under
// templates/ and the static assets under static/, embedded in the binary so
// that nothing is read from disk or downloaded at run time.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

// Templates holds the page templates, named like "layout.html". The web
// package parses them once at start-up.
var Templates fs.FS = sub("templates")

// Static holds the static assets served under /static/, such as "app.css".
var Static fs.FS = sub("static")

// sub returns the embedded folder dir; it panics only if the embed
// directive above stops including it, a programmer error.
func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic("ui: embedded folder " + dir + ": " + err.Error())
	}
	return f
}
