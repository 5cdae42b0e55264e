// Command serve runs dnstest servers on loopback for the browser tests: one
// authoritative server and any number of resolvers, each from a zone file. It prints
// their addresses as one JSON line, then reads commands on standard input, one a line:
//
//	auth FILE        the authoritative server now serves FILE
//	resolver N FILE  resolver N (from 0) now answers from FILE
//
// and answers "ok" or "error: ..." to each. It stops when standard input closes.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"cutover/backend/dnscheck/dnstest"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	auth := flag.String("auth", "", "zone file the authoritative server serves")
	var resolvers list
	flag.Var(&resolvers, "resolver", "zone file a resolver answers from (repeat)")
	flag.Parse()
	if err := run(*auth, resolvers); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

func run(authFile string, resolverFiles []string) error {
	start := func(file string, resolver bool) (*dnstest.Server, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return dnstest.New(dnstest.Options{Zone: string(b), Resolver: resolver})
	}
	auth, err := start(authFile, false)
	if err != nil {
		return err
	}
	defer auth.Close()
	var res []*dnstest.Server
	out := struct {
		Auth      string   `json:"auth"`
		Resolvers []string `json:"resolvers"`
	}{Auth: auth.Addr, Resolvers: []string{}}
	for _, f := range resolverFiles {
		s, err := start(f, true)
		if err != nil {
			return err
		}
		defer s.Close()
		res = append(res, s)
		out.Resolvers = append(out.Resolvers, s.Addr)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		return err
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var target *dnstest.Server
		var file string
		switch {
		case len(f) == 2 && f[0] == "auth":
			target, file = auth, f[1]
		case len(f) == 3 && f[0] == "resolver":
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 0 || n >= len(res) {
				fmt.Println("error: no resolver", f[1])
				continue
			}
			target, file = res[n], f[2]
		default:
			fmt.Println("error: expected `auth FILE` or `resolver N FILE`")
			continue
		}
		b, err := os.ReadFile(file)
		if err == nil {
			err = target.SetZone(string(b))
		}
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println("ok")
	}
	return sc.Err()
}
