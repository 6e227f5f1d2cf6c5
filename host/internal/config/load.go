package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
	yamlv3 "go.yaml.in/yaml/v3"
)

// Environment variables and folders Load knows. Every variable starting
// with EnvPrefix must name a key (see EnvName), except EnvProfile,
// EnvConfigDir, EnvHome and those starting with CREWPLAN_TEST_ or
// CREWPLAN_PLUGIN_.
const (
	// EnvPrefix starts the name of every variable that sets a key.
	EnvPrefix = "CREWPLAN_"
	// EnvProfile names the profile when LoadOptions.Profile is empty.
	EnvProfile = "CREWPLAN_PROFILE"
	// EnvConfigDir names the config folder when LoadOptions.Dir is empty.
	EnvConfigDir = "CREWPLAN_CONFIG_DIR"
	// EnvHome names the folder the command line works in: relative paths
	// of the configuration (database file, logs, models, backups) are
	// read from it. Load itself does not read it; the command line
	// changes into it before loading.
	EnvHome = "CREWPLAN_HOME"
	// DefaultDir is the config folder used when neither LoadOptions.Dir
	// nor EnvConfigDir names one.
	DefaultDir = "configs"
)

// Sources that are not a file, a variable or a flag.
const (
	sourceDefault = "default"
	sourceOption  = "option"
)

// ignoredEnvPrefixes returns the prefixes of CREWPLAN_ variables that are
// not configuration keys: tests' and plugins' own settings.
func ignoredEnvPrefixes() []string {
	return []string{"CREWPLAN_TEST_", "CREWPLAN_PLUGIN_"}
}

// LoadOptions says where Load finds the configuration.
type LoadOptions struct {
	// Dir holds base.yaml and the profile files. "" means
	// $CREWPLAN_CONFIG_DIR, else "configs" (relative to the working
	// directory).
	Dir string
	// Profile selects <Dir>/<Profile>.yaml. "" means $CREWPLAN_PROFILE,
	// else "production".
	Profile string
	// Environ is the environment, in the form of os.Environ; nil means
	// os.Environ().
	Environ []string
	// Flags, when not nil, holds command-line flags. Those named in
	// FlagKeys override the other layers when the user set them; the
	// others are ignored.
	Flags *pflag.FlagSet
}

// Load reads the configuration layers (defaults, base.yaml, the profile's
// file, CREWPLAN_ environment variables, flags), merges them, and returns
// the validated result. It reports every unknown key or variable, every
// value of the wrong type, and then, as a *ValidationError, every invalid
// value.
func Load(opts LoadOptions) (*Config, error) {
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	profile, profileSource, err := chooseProfile(opts.Profile, environ)
	if err != nil {
		return nil, err
	}
	dir, dirNote := chooseDir(opts.Dir, environ)

	l := &loader{schema: newSchema(), k: koanf.New("."), sources: map[string]string{}}
	l.loadDefaults()
	l.loadFile(filepath.Join(dir, "base.yaml"), dirNote)
	l.loadFile(filepath.Join(dir, profile+".yaml"), fmt.Sprintf("profile %s needs this file next to base.yaml", profile))
	l.loadEnv(environ)
	if opts.Flags != nil {
		l.loadFlags(opts.Flags)
	}
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}

	var cfg Config
	// Values were converted to their fields' types layer by layer (so
	// that errors name the layer), so the decoder needs no weak typing;
	// ErrorUnused guards against a key the schema and the struct disagree on.
	err = l.k.UnmarshalWithConf("", &cfg, koanf.UnmarshalConf{
		Tag:           "koanf",
		DecoderConfig: &mapstructure.DecoderConfig{ErrorUnused: true},
	})
	if err != nil {
		return nil, fmt.Errorf("unmarshal config: %w", err)
	}
	cfg.Profile = profile
	l.sources["profile"] = profileSource
	cfg.sources, cfg.files = l.sources, l.files
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// chooseProfile returns the profile to load and where the choice came from.
func chooseProfile(opt string, environ []string) (profile, source string, err error) {
	switch v, ok := LookupEnv(environ, EnvProfile); {
	case opt != "":
		profile, source = opt, sourceOption
	case ok && v != "":
		profile, source = v, "env "+EnvProfile
	default:
		return ProfileProduction, sourceDefault, nil
	}
	if !slices.Contains(Profiles(), profile) {
		return "", "", fmt.Errorf("unknown profile %q (from %s); use one of %s",
			profile, source, strings.Join(Profiles(), ", "))
	}
	return profile, source, nil
}

// chooseDir returns the config directory and a note saying where it came
// from, for the error about a missing base.yaml.
func chooseDir(opt string, environ []string) (dir, note string) {
	if opt != "" {
		return opt, fmt.Sprintf("config dir %q was passed in LoadOptions.Dir", opt)
	}
	if v, ok := LookupEnv(environ, EnvConfigDir); ok && v != "" {
		return v, fmt.Sprintf("config dir %q comes from %s", v, EnvConfigDir)
	}
	return DefaultDir, fmt.Sprintf("config dir %q is the default, relative to the working directory; set %s to use another",
		DefaultDir, EnvConfigDir)
}

// LookupEnv returns the value of the last entry for name in environ (in
// the form of os.Environ).
func LookupEnv(environ []string, name string) (string, bool) {
	for _, kv := range slices.Backward(environ) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// loader merges the layers into k, recording each key's source and
// collecting every problem.
type loader struct {
	schema  schema
	k       *koanf.Koanf
	sources map[string]string
	files   []string // the files read, in order
	errs    []error
}

// errorf records a problem.
func (l *loader) errorf(format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf(format, args...))
}

// loadDefaults merges Default().
func (l *loader) loadDefaults() {
	values := map[string]any{}
	walkLeaves(reflect.ValueOf(Default()), "", func(f field, v reflect.Value) {
		if f.settable {
			values[f.key] = v.Interface()
		}
	})
	l.merge(values, func(string) string { return sourceDefault })
}

// loadFile merges a YAML file. note explains a missing file.
func (l *loader) loadFile(path, note string) {
	b, err := file.Provider(path).ReadBytes()
	if errors.Is(err, fs.ErrNotExist) {
		l.errorf("config file %s: not found (%s)", path, note)
		return
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the message
		}
		l.errorf("config file %s: read: %w", path, err)
		return
	}
	l.files = append(l.files, path)
	tree, err := parseYAML(b)
	if err != nil {
		l.errorf("config file %s: %w", path, err)
		return
	}
	values := map[string]any{}
	l.flatten(tree, "", values, func(format string, args ...any) {
		l.errorf("config file %s: "+format, append([]any{path}, args...)...)
	})
	l.merge(values, func(string) string { return path })
}

// parseYAML parses a configuration file, which must be a mapping at its
// top level (or empty).
func parseYAML(b []byte) (tree map[string]any, err error) {
	defer func() {
		// The YAML parser reads outside input; a bug in it must not take
		// the whole program down.
		if r := recover(); r != nil {
			tree, err = nil, fmt.Errorf("parse yaml: %v", r)
		}
	}()
	tree, err = yaml.Parser().Unmarshal(b)
	var te *yamlv3.TypeError
	if errors.As(err, &te) {
		// Its text names Go types; the reader needs to know what to write.
		return nil, errors.New(`the top level must be keys such as "server:", not a list or a single value`)
	}
	return tree, err
}

// flatten checks the keys of a parsed YAML tree against the schema and
// puts its leaves into out under their dotted keys. report receives every
// problem.
func (l *loader) flatten(tree map[string]any, prefix string, out map[string]any, report func(format string, args ...any)) {
	for _, name := range slices.Sorted(maps.Keys(tree)) {
		value := tree[name]
		key := name
		if prefix != "" {
			key = prefix + "." + name
		}
		switch {
		case l.schema.sections[key]:
			sub, ok := asMap(value)
			switch {
			case value == nil:
				// An empty section, such as "sync:" with every key
				// commented out.
			case !ok:
				report("%q is a section: put its keys under it, like %s.%s", key, key, firstOf(l.schema.names(key)))
			default:
				l.flatten(sub, key, out, report)
			}
		case l.schema.settable(key) && l.schema.fields[key].typ.Kind() == reflect.Map:
			m, ok := asMap(value)
			switch {
			case value == nil:
			case !ok:
				report("key %q takes a mapping of names to values", key)
			default:
				if _, dup := out[key]; dup {
					report("key %q is set twice", key)
				}
				out[key] = m
			}
		case l.schema.settable(key):
			switch value.(type) {
			case nil:
				report("key %q has no value; write \"\" for an empty value, or remove the key", key)
			case map[string]any, map[any]any, []any:
				report("key %q takes a single value, not a list or mapping", key)
			default:
				if _, dup := out[key]; dup {
					report("key %q is set twice", key)
				}
				out[key] = value
			}
		case key == "profile":
			report("unknown key %q (choose the profile with %s or --profile, not in a file)", key, EnvProfile)
		default:
			hint := ""
			if s := suggest(name, l.schema.names(prefix)); s != "" {
				if prefix != "" {
					s = prefix + "." + s
				}
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			report("unknown key %q%s", key, hint)
		}
	}
}

// asMap returns v as a map with string keys, if it is a map.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any: // YAML gives this when some key is not a string
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[fmt.Sprint(k)] = v
		}
		return out, true
	}
	return nil, false
}

// firstOf returns the alphabetically first of names.
func firstOf(names []string) string {
	if len(names) == 0 {
		return "…"
	}
	return slices.Min(names)
}

// loadEnv merges the CREWPLAN_ variables of environ. A variable may also
// set one entry of a mapping (CREWPLAN_BACKUP__TARGETS__LOCAL sets the
// entry "local" of backup.targets), keeping the mapping's other entries.
func (l *loader) loadEnv(environ []string) {
	sources := map[string]string{}
	entries := map[string]map[string]any{} // mapping key → entry → value
	p := env.Provider("", env.Opt{
		Prefix:      EnvPrefix,
		EnvironFunc: func() []string { return environ },
		TransformFunc: func(name, value string) (string, any) {
			if name == EnvProfile || name == EnvConfigDir || name == EnvHome {
				return "", nil
			}
			for _, ignored := range ignoredEnvPrefixes() {
				if strings.HasPrefix(name, ignored) {
					return "", nil
				}
			}
			key := envKey(name)
			if parent, entry, ok := l.mapEntry(key); ok {
				if entries[parent] == nil {
					entries[parent] = map[string]any{}
				}
				entries[parent][entry] = value
				sources[parent] = "env " + name
				return "", nil
			}
			if !l.schema.settable(key) {
				l.errorf("env %s: not a crewplan setting%s", name, l.envHint(key))
				return "", nil
			}
			sources[key] = "env " + name
			return key, value
		},
	})
	values, err := p.Read()
	if err != nil {
		l.errorf("read environment: %w", err)
		return
	}
	for parent, set := range entries {
		m := map[string]any{}
		switch cur := l.k.Get(parent).(type) {
		case map[string]string: // as merge stored it
			for k, v := range cur {
				m[k] = v
			}
		default:
			if cur, ok := asMap(cur); ok {
				maps.Copy(m, cur)
			}
		}
		maps.Copy(m, set)
		values[parent] = m
	}
	l.merge(values, func(key string) string { return sources[key] })
}

// mapEntry reports whether key names an entry of a mapping setting
// (backup.targets.local), and which.
func (l *loader) mapEntry(key string) (parent, entry string, ok bool) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return "", "", false
	}
	f, ok := l.schema.fields[key[:i]]
	if !ok || !f.settable || f.typ.Kind() != reflect.Map || key[i+1:] == "" {
		return "", "", false
	}
	return key[:i], key[i+1:], true
}

// envKey returns the key an environment variable names:
// CREWPLAN_SERVER__PORT names server.port.
func envKey(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, EnvPrefix), "__", "."))
}

// EnvName returns the environment variable that sets key:
// server.port is set by CREWPLAN_SERVER__PORT.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "__"))
}

// envHint suggests the variable meant by one naming the unknown key.
func (l *loader) envHint(key string) string {
	var keys []string
	for k := range l.schema.fields {
		if !l.schema.settable(k) {
			continue
		}
		if strings.ReplaceAll(k, ".", "_") == strings.ReplaceAll(key, ".", "_") {
			return fmt.Sprintf(" (did you mean %s? use __ between a section and its key)", EnvName(k))
		}
		keys = append(keys, k)
	}
	if s := suggest(key, keys); s != "" {
		return fmt.Sprintf(" (did you mean %s?)", EnvName(s))
	}
	return fmt.Sprintf(" (prefixes %s are left for tests and plugins)", strings.Join(ignoredEnvPrefixes(), ", "))
}

// loadFlags merges the flags of fs that the user set and FlagKeys names.
func (l *loader) loadFlags(fs *pflag.FlagSet) {
	keys := FlagKeys()
	sources := map[string]string{}
	p := posflag.ProviderWithFlag(fs, ".", nil, func(f *pflag.Flag) (string, any) {
		key, ok := keys[f.Name]
		if !ok || !f.Changed {
			return "", nil
		}
		sources[key] = "flag --" + f.Name
		return key, posflag.FlagVal(fs, f)
	})
	tree, err := p.Read()
	if err != nil {
		l.errorf("read flags: %w", err)
		return
	}
	values := map[string]any{}
	l.flatten(tree, "", values, func(format string, args ...any) {
		l.errorf("flags: "+format, args...)
	})
	l.merge(values, func(key string) string { return sources[key] })
}

// merge converts a layer's values (leaf key → value) to their fields'
// types, records their source and merges them over the earlier layers.
func (l *loader) merge(values map[string]any, source func(key string) string) {
	typed := make(map[string]any, len(values))
	for _, key := range slices.Sorted(maps.Keys(values)) {
		f := l.schema.fields[key]
		v, problem := convert(f, values[key])
		if problem != "" {
			l.errs = append(l.errs, &Problem{Key: key, Source: source(key), Message: problem})
			continue
		}
		typed[key] = v
		l.sources[key] = source(key)
	}
	if err := l.k.Load(confmap.Provider(typed, "."), nil); err != nil {
		l.errorf("merge config: %w", err)
	}
}

// convert returns raw as a value of f's type. When it cannot, it returns a
// message saying why, which never shows a secret.
func convert(f field, raw any) (any, string) {
	rv := reflect.ValueOf(raw)
	durationType := reflect.TypeFor[time.Duration]()
	switch {
	case f.typ == durationType:
		switch {
		case rv.Type() == durationType:
			return raw, ""
		case rv.Kind() == reflect.String:
			d, err := time.ParseDuration(strings.TrimSpace(rv.String()))
			if err != nil {
				return nil, fmt.Sprintf("%q is not a duration (write it like 30s, 5m or 12h)", rv.String())
			}
			return d, ""
		case rv.CanInt() && rv.Int() == 0, rv.CanUint() && rv.Uint() == 0, rv.CanFloat() && rv.Float() == 0:
			return time.Duration(0), ""
		case rv.CanInt(), rv.CanUint(), rv.CanFloat():
			return nil, fmt.Sprintf("%v has no unit (write it like %vs, %vm or %vh)", raw, raw, raw, raw)
		}
		return nil, fmt.Sprintf("%s is not a duration (write it like 30s, 5m or 12h)", describe(f, raw))
	case f.typ.Kind() == reflect.String:
		if rv.Kind() == reflect.String {
			return rv.String(), ""
		}
		return nil, fmt.Sprintf("expects text but got %s; put the value in quotes", describe(f, raw))
	case f.typ.Kind() == reflect.Int:
		switch {
		case rv.CanInt():
			return int(rv.Int()), ""
		case rv.CanUint() && rv.Uint() <= math.MaxInt:
			return int(rv.Uint()), ""
		case rv.CanFloat() && rv.Float() == math.Trunc(rv.Float()) && math.Abs(rv.Float()) < 1<<53:
			return int(rv.Float()), ""
		case rv.Kind() == reflect.String:
			n, err := strconv.Atoi(strings.TrimSpace(rv.String()))
			if err == nil {
				return n, ""
			}
		}
		return nil, fmt.Sprintf("%s is not a whole number", describe(f, raw))
	case f.typ.Kind() == reflect.Float64:
		switch {
		case rv.CanFloat():
			return rv.Float(), ""
		case rv.CanInt():
			return float64(rv.Int()), ""
		case rv.CanUint():
			return float64(rv.Uint()), ""
		case rv.Kind() == reflect.String:
			v, err := strconv.ParseFloat(strings.TrimSpace(rv.String()), 64)
			if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				return v, ""
			}
		}
		return nil, fmt.Sprintf("%s is not a number", describe(f, raw))
	case f.typ == reflect.TypeFor[map[string]string]():
		if m, ok := raw.(map[string]string); ok { // a default
			return m, ""
		}
		m, ok := asMap(raw)
		if !ok {
			return nil, fmt.Sprintf("%s is not a mapping of names to values", describe(f, raw))
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Sprintf("the value of %q expects text; put it in quotes", k)
			}
			if strings.Contains(k, ".") {
				return nil, fmt.Sprintf("the name %q may not contain a dot", k)
			}
			out[k] = s
		}
		return out, ""
	case f.typ.Kind() == reflect.Bool:
		switch rv.Kind() {
		case reflect.Bool:
			return rv.Bool(), ""
		case reflect.String:
			b, err := strconv.ParseBool(strings.TrimSpace(rv.String()))
			if err == nil {
				return b, ""
			}
		}
		return nil, fmt.Sprintf("%s is not true or false", describe(f, raw))
	}
	// A field of a kind convert does not handle yet: a programmer's error
	// caught by the tests, which load every field.
	return nil, fmt.Sprintf("config has no conversion to %s", f.typ)
}

// describe returns raw for a message: quoted when it is text, and only its
// kind when f is secret.
func describe(f field, raw any) string {
	kind := "a number"
	switch raw.(type) {
	case string:
		kind = "text"
	case bool:
		kind = "a boolean"
	}
	if f.secret != "" {
		return kind
	}
	if s, ok := raw.(string); ok {
		return strconv.Quote(s)
	}
	if _, ok := raw.(bool); ok {
		return fmt.Sprintf("%s %v", kind, raw)
	}
	return fmt.Sprint(raw)
}
