// Command smtp-submission runs smtptest's SMTP submission server for the browser tests:
// STARTTLS with its own CA (written to -ca), AUTH PLAIN for -user/-password, the
// recipients of -refuse answered 550; with -introspection (a fake identity provider's RFC
// 7662 endpoint, fakeidp's /introspect) XOAUTH2 too, for tokens of -scope. It prints {"port":N,"caFile":"..."} on standard
// output, then each message it takes as a JSON line ({"from","to","data"}), and "ready"
// on standard error; it stops on SIGTERM.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"cutover/backend/messages/smtptest"
)

func main() {
	ca := flag.String("ca", "", "file to write the CA certificate to (PEM)")
	user := flag.String("user", "specialist@example.test", "the user AUTH PLAIN accepts")
	pass := flag.String("password", "secret", "its password")
	refuse := flag.String("refuse", "", "comma-separated recipients answered 550")
	introspection := flag.String("introspection", "", "offer XOAUTH2, checking tokens at this introspection URL")
	scope := flag.String("scope", "https://outlook.office.com/SMTP.Send", "with -introspection: the scope a token needs")
	flag.Parse()
	var refused []string
	if *refuse != "" {
		refused = strings.Split(*refuse, ",")
	}
	out := json.NewEncoder(os.Stdout)
	var mu sync.Mutex
	s, err := smtptest.New(smtptest.Options{Users: map[string]string{*user: *pass}, Refuse: refused, Introspection: *introspection, Scope: *scope, Received: func(m smtptest.Message) {
		mu.Lock()
		defer mu.Unlock()
		_ = out.Encode(map[string]any{"from": m.From, "to": m.To, "data": string(m.Data)})
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer s.Close()
	if err := os.WriteFile(*ca, s.CAPEM, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mu.Lock()
	_ = out.Encode(map[string]any{"port": s.Port, "caFile": *ca})
	mu.Unlock()
	fmt.Fprintln(os.Stderr, "ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
}
