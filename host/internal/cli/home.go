package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/crewplan/crewplan/host/internal/config"
)

// layout is where an install keeps its configuration and its data.
type layout struct {
	configDir string // base.yaml and the profile files
	home      string // the working folder: data/, logs/
}

// installed returns the layout a packaged install uses: /etc/crewplan and
// /var/lib/crewplan (the package's and the install script's), or on
// Windows, configs\ next to crewplan.exe and that folder.
func installed() layout {
	if runtime.GOOS == "windows" {
		exe, err := os.Executable()
		if err != nil {
			return layout{}
		}
		dir := filepath.Dir(exe)
		return layout{configDir: filepath.Join(dir, "configs"), home: dir}
	}
	return layout{configDir: "/etc/crewplan", home: "/var/lib/crewplan"}
}

// chooseHome decides, before any command runs, the folder crewplan works
// in ("" means stay) and the config folder ("" means Load's default):
//
//  1. --home or $CREWPLAN_HOME, when set;
//  2. otherwise, when no config folder is named (--config-dir,
//     $CREWPLAN_CONFIG_DIR) and the working folder has no
//     configs/base.yaml, the installed layout when it has one: so that
//     `crewplan doctor` works from anywhere on an installed machine;
//  3. otherwise the working folder.
func (e *env) chooseHome(inst layout) (home, configDir string) {
	if e.home != "" {
		return e.home, e.configDir
	}
	if v, ok := config.LookupEnv(e.environ, config.EnvHome); ok && v != "" {
		return v, e.configDir
	}
	if e.configDir != "" {
		return "", e.configDir
	}
	if v, ok := config.LookupEnv(e.environ, config.EnvConfigDir); ok && v != "" {
		return "", ""
	}
	if exists(filepath.Join(config.DefaultDir, "base.yaml")) || inst.configDir == "" ||
		!exists(filepath.Join(inst.configDir, "base.yaml")) {
		return "", ""
	}
	return inst.home, inst.configDir
}

// enterHome changes into the folder chooseHome picked.
func (e *env) enterHome() error {
	home, dir := e.chooseHome(installed())
	e.configDir = dir
	if home == "" {
		return nil
	}
	if err := os.Chdir(home); err != nil {
		return invalid(fmt.Errorf("home folder (--home, %s): %w", config.EnvHome, err))
	}
	return nil
}

// exists reports whether a file or folder exists at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
