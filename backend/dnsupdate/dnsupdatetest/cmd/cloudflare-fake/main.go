// Command cloudflare-fake serves dnsupdatetest's Cloudflare API fake on loopback for the
// browser tests: zone acme.example with the records given as arguments ("TYPE name ttl
// content [priority]"). It prints {"url": ...} as one line, then serves until standard
// input closes; a request that breaks the documented shapes is printed to standard error
// as "shape error: ...".
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"cutover/backend/dnsupdate/dnsupdatetest"
)

func main() {
	token := flag.String("token", "cf-token", "the API token the fake accepts")
	zoneID := flag.String("zone-id", "023e105f4ecef8ad9ca31a8372d0c353", "the zone's ID")
	flag.Parse()
	f := dnsupdatetest.NewCloudflare(func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "shape error: "+format+"\n", args...)
	}, *token, *zoneID, 2, flag.Args()...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	f.URL = "http://" + ln.Addr().String() + "/client/v4"
	json.NewEncoder(os.Stdout).Encode(map[string]string{"url": f.URL})
	go http.Serve(ln, f)
	io.Copy(io.Discard, os.Stdin)
}
