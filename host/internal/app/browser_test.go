package app_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crewplan/crewplan/host/internal/app"
	"github.com/crewplan/crewplan/host/internal/demo"
)

// chromium returns the browser for the browser tests: $CREWPLAN_CHROMIUM,
// else chromium on the PATH. CI installs it (.ci/run); where it is missing
// the browser tests say so and skip.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CREWPLAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on this machine: install it (apt-get install chromium) to run the browser tests; CI does")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// TestBrowserSignInAndDashboard drives a real browser through the pages a
// coordinator sees first: the sign-in form (a wrong password, then the
// right one) and the dashboard of the demo store, on a production and on a
// test instance (which must show its banner). With CREWPLAN_SCREENSHOT set
// it saves the production dashboard there (go tool task screenshot).
func TestBrowserSignInAndDashboard(t *testing.T) {
	for _, profile := range []string{"production", "test"} {
		t.Run(profile, func(t *testing.T) { testSignInAndDashboard(t, profile) })
	}
}

func testSignInAndDashboard(t *testing.T, profile string) {
	dir := t.TempDir()
	cfg := loadConfig(t, profile, dir, "CREWPLAN_DEMO__LOAD_WHEN_EMPTY=true")
	a, err := app.New(context.Background(), cfg, app.Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	base := start(t, a)
	ctx := browser(t) // after start: the browser closes before the server shuts down

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, demo.Username),
		chromedp.SendKeys(`input[name=password]`, "not the password"),
		chromedp.Submit(`form[action="/login"]`),
		chromedp.WaitVisible(`[role=alert]`),
	)
	if err != nil {
		t.Fatalf("browser: wrong password: %v", err)
	}
	alert, err := chromedp.Run(ctx, chromedp.Text(`[role=alert]`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(`input[name=username]`, demo.Username),
		chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Submit(`form[action="/login"]`),
		chromedp.WaitVisible(`section.days`),
	)
	if err != nil {
		t.Fatalf("browser: sign in: %v", err)
	}
	banner, err := chromedp.Run(ctx, chromedp.Text(`body`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	if alert == "" {
		t.Error("a wrong password showed no message")
	}
	if got := strings.Contains(banner, "TEST INSTANCE"); got != (profile == "test") {
		t.Errorf("%s instance: test banner shown = %v", profile, got)
	}
	if !strings.Contains(body, "V2-CORE") {
		t.Errorf("the dashboard lists no core event; page:\n%s", body)
	}
	if path := os.Getenv("CREWPLAN_SCREENSHOT"); path != "" && profile == "production" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
