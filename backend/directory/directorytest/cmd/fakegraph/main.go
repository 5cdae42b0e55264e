// Command fakegraph runs directorytest's fake Microsoft Graph tenant and a fake identity
// provider that issues its app-only tokens, on loopback, until interrupted (SIGINT,
// SIGTERM), for browser tests and demos of detecting and creating users. It prints one
// JSON line: {"graph": URL, "idp": URL, "clientId": ..., "clientSecret": ..., "domain": ...}.
// A request that breaks Graph's documented shape is logged on standard error.
//
//	fakegraph -domain acme.example
//
// Point a project at it with `cutover signin set --side dest --method microsoft-app
// --client-id ID --client-secret --idp-url IDP` and `cutover people directory set --side
// dest --from graph --url GRAPH`.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cutover/backend/auth/authtest"
	"cutover/backend/directory/directorytest"
)

// logT reports a fake's complaints on standard error; cleanups run at exit.
type logT struct{ cleanups []func() }

func (t *logT) Helper() {}
func (t *logT) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fakegraph: "+format+"\n", args...)
}
func (t *logT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func main() {
	domain := flag.String("domain", "example.test", "the tenant's verified domain")
	flag.Parse()
	const clientID, secret = "graph-app", "graph-app-secret"
	t := &logT{}
	idp := authtest.Start(authtest.Options{Errorf: t.Errorf})
	defer idp.Close()
	idp.AddApp(clientID, secret, *domain)
	g := directorytest.NewGraph(t)
	g.Domains = []string{*domain}
	g.Authorize = func(tok string) bool {
		return idp.Active(tok) && idp.Scope(tok) == "https://graph.microsoft.com/.default"
	}
	json.NewEncoder(os.Stdout).Encode(map[string]string{"graph": g.URL, "idp": idp.URL, "clientId": clientID, "clientSecret": secret, "domain": *domain})
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
