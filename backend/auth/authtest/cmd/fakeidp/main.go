// Command fakeidp runs authtest's fake identity provider on loopback until it is
// interrupted (SIGINT, SIGTERM), for browser tests and demos of the sign-in:
// it prints one JSON line with its URLs, and the device-code page (/device) lets a
// person (or a test in a second tab) approve a code for any account. The authorization
// endpoint (/authorize, code flow with PKCE S256 only, as Google's browser sign-in) signs
// in -browser-user unless the request names a login_hint, and redirects back at once.
//
//	fakeidp -client public-app -interval 1s -browser-user zoe@migrate.example
//	{"url":"http://127.0.0.1:40123","device":"http://127.0.0.1:40123/device", ...}
//
// Point a project side at it with `cutover signin set ... --idp-url <url>`.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"cutover/backend/auth/authtest"
)

func main() {
	clients := flag.String("client", "public-app", "comma-separated public client IDs for the user flows")
	users := flag.String("users", "", "comma-separated known users (a service account may act as these only)")
	app := flag.String("app", "", "an app-only client as id:secret:domain (client credentials)")
	interval := flag.Duration("interval", time.Second, "device-code polling interval the provider announces")
	lifetime := flag.Duration("lifetime", time.Hour, "access token lifetime")
	browserUser := flag.String("browser-user", "", "who signs in at the authorization endpoint (browser sign-in)")
	flag.Parse()

	idp := authtest.Start(authtest.Options{Interval: *interval, Lifetime: *lifetime,
		Errorf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, "fakeidp: "+format+"\n", args...) }})
	defer idp.Close()
	for _, c := range strings.Split(*clients, ",") {
		if c = strings.TrimSpace(c); c != "" {
			idp.AddClient(c, "")
		}
	}
	for _, u := range strings.Split(*users, ",") {
		if u = strings.TrimSpace(u); u != "" {
			idp.AddUser(u)
		}
	}
	if *browserUser != "" {
		idp.SetBrowserUser(*browserUser)
	}
	if *app != "" {
		parts := strings.SplitN(*app, ":", 3)
		if len(parts) != 3 {
			fmt.Fprintln(os.Stderr, "fakeidp: -app: want id:secret:domain")
			os.Exit(2)
		}
		idp.AddApp(parts[0], parts[1], parts[2])
	}
	json.NewEncoder(os.Stdout).Encode(map[string]string{"url": idp.URL, "device": idp.URL + "/device",
		"authorize": idp.URL + "/authorize", "token": idp.URL + "/token", "introspection": idp.IntrospectionURL()})

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
