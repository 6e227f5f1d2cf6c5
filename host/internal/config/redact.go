package config

import (
	"bytes"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// mask replaces a secret in Redacted's output.
const mask = "********"

// Redacted returns the configuration as YAML, each value followed by a
// comment naming its source, with secrets replaced by "********": fields
// tagged secret:"true" entirely (unless empty), and the password of URLs
// in fields tagged secret:"url".
func (c *Config) Redacted() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	sections := map[string]*yaml.Node{"": root}
	var encodeErr error
	walkLeaves(reflect.ValueOf(*c), "", func(f field, v reflect.Value) {
		value := v.Interface()
		switch {
		case f.typ == reflect.TypeFor[time.Duration]():
			value = formatDuration(time.Duration(v.Int()))
		case f.secret == "true" && v.String() != "":
			value = mask
		case f.secret == "url":
			value = redactURL(v.String())
		}
		var node yaml.Node
		if err := node.Encode(value); err != nil {
			encodeErr = fmt.Errorf("encode %s: %w", f.key, err)
			return
		}
		node.LineComment = c.Source(f.key)
		parent, name := sectionNode(sections, f.key)
		parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &node)
	})
	if encodeErr != nil {
		return nil, encodeErr
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	return out.Bytes(), nil
}

// sectionNode returns the mapping node that holds key, creating the nodes
// of its sections on the way, and key's last part.
func sectionNode(sections map[string]*yaml.Node, key string) (*yaml.Node, string) {
	prefix, name, ok := cutLast(key)
	if !ok {
		return sections[""], key
	}
	if n, ok := sections[prefix]; ok {
		return n, name
	}
	parent, last := sectionNode(sections, prefix)
	n := &yaml.Node{Kind: yaml.MappingNode}
	parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: last}, n)
	sections[prefix] = n
	return n, name
}

// cutLast splits key around its last '.'.
func cutLast(key string) (prefix, name string, ok bool) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return "", key, false
	}
	return key[:i], key[i+1:], true
}

// formatDuration writes d the way a person would: 12h rather than 12h0m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// redactURL returns raw with the password of its user info, and any
// password query parameter, replaced by mask. A value that is not a URL
// (such as a SQLite path) comes back unchanged; one that looks like a URL
// but does not parse is masked whole.
func redactURL(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return mask
	}
	const placeholder = "REDACTED" // needs no escaping, unlike '*'
	q := u.Query()
	if q.Has("password") {
		q.Set("password", placeholder)
		u.RawQuery = strings.Replace(q.Encode(), "password="+placeholder, "password="+mask, 1)
	}
	pass, hasPass := u.User.Password()
	if !hasPass || pass == "" {
		return u.String()
	}
	user := url.User(u.User.Username()).String()
	u.User = nil
	s := u.String()
	prefix := u.Scheme + "://"
	return prefix + user + ":" + mask + "@" + strings.TrimPrefix(s, prefix)
}
