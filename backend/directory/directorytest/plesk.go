package directorytest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Plesk is a fake Plesk XML API (POST /enterprise/control/agent.php) of a server with
// one site, answering site/get and mail/get_info as Plesk 18 does.
type Plesk struct {
	*httptest.Server
	recorder
	Key       string
	Domain    string
	Mailnames []PleskMailname
	t         T
}

// PleskMailname is a mail name of the fake's site.
type PleskMailname struct {
	Name     string
	Mailbox  bool
	Aliases  []string
	Forwards []string
}

// NewPlesk starts a fake server with the site example.test: alice (a mailbox with an
// alias), bob (a mailbox), sales (forwarding to alice, bob and an outside address) and
// an empty mail name. It is served over TLS, as Plesk is on port 8443.
func NewPlesk(t T) *Plesk {
	p := &Plesk{Key: "7f1c1a5e-2b6c-4a8e-9f0e-3c2d1b0a9e8f", Domain: "example.test", t: t, Mailnames: []PleskMailname{
		{Name: "alice", Mailbox: true, Aliases: []string{"a.martin"}},
		{Name: "bob", Mailbox: true},
		{Name: "sales", Forwards: []string{"alice@example.test", "bob@example.test", "jane@partner.example"}},
		{Name: "old"},
	}}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Server.Close)
	return p
}

// The operations the fake knows, as Plesk reads them.
type pleskPacket struct {
	XMLName xml.Name `xml:"packet"`
	Site    *struct {
		Get *struct {
			Filter  *struct{} `xml:"filter"`
			Dataset *struct {
				GenInfo *struct{} `xml:"gen_info"`
			} `xml:"dataset"`
		} `xml:"get"`
	} `xml:"site"`
	Mail *struct {
		GetInfo *struct {
			Filter *struct {
				SiteID []int `xml:"site-id"`
			} `xml:"filter"`
			Mailbox    *struct{} `xml:"mailbox"`
			Aliases    *struct{} `xml:"aliases"`
			Forwarding *struct{} `xml:"forwarding"`
		} `xml:"get_info"`
	} `xml:"mail"`
}

func (p *Plesk) serve(w http.ResponseWriter, r *http.Request) {
	p.record(r)
	w.Header().Set("Content-Type", "text/xml")
	if r.Method != http.MethodPost || r.URL.Path != "/enterprise/control/agent.php" {
		p.t.Errorf("Plesk fake: %s %s is not a request Cutover should make", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		p.t.Errorf("Plesk fake: Content-Type %q, want text/xml", ct)
	}
	if r.Header.Get("KEY") != p.Key {
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><packet version="1.6.9.1"><system><status>error</status><errcode>1001</errcode><errtext>Authentication failed - wrong secret key or the key is not allowed from this IP address.</errtext></system></packet>`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var pk pleskPacket
	if err := xml.Unmarshal(body, &pk); err != nil {
		p.t.Errorf("Plesk fake: the packet is not XML: %v\n%s", err, body)
		fmt.Fprint(w, `<packet><system><status>error</status><errcode>1014</errcode><errtext>Parser error: Request is invalid.</errtext></system></packet>`)
		return
	}
	switch {
	case pk.Site != nil && pk.Site.Get != nil:
		if pk.Site.Get.Filter == nil || pk.Site.Get.Dataset == nil || pk.Site.Get.Dataset.GenInfo == nil {
			p.t.Errorf("Plesk fake: site/get needs <filter/> and <dataset><gen_info/></dataset>: %s", body)
		}
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><packet version="1.6.9.1"><site><get><result><status>ok</status><filter-id>1</filter-id><id>1</id><data><gen_info><cr_date>2019-03-04</cr_date><name>%s</name><ascii-name>%s</ascii-name><status>0</status><real_size>0</real_size><dns_ip_address>203.0.113.10</dns_ip_address><htype>vrt_hst</htype><guid>1f2e3d4c-0000-4000-8000-000000000001</guid><webspace-guid>1f2e3d4c-0000-4000-8000-000000000001</webspace-guid><webspace-id>1</webspace-id></gen_info></data></result></get></site></packet>`, p.Domain, p.Domain)
	case pk.Mail != nil && pk.Mail.GetInfo != nil:
		gi := pk.Mail.GetInfo
		if gi.Filter == nil || len(gi.Filter.SiteID) != 1 || gi.Mailbox == nil || gi.Aliases == nil || gi.Forwarding == nil {
			p.t.Errorf("Plesk fake: mail/get_info needs a site-id filter and the mailbox, aliases and forwarding datasets: %s", body)
		}
		if gi.Filter != nil && len(gi.Filter.SiteID) == 1 && gi.Filter.SiteID[0] != 1 {
			fmt.Fprintf(w, `<packet version="1.6.9.1"><mail><get_info><result><status>error</status><errcode>1013</errcode><errtext>Site does not exist</errtext><site-id>%d</site-id></result></get_info></mail></packet>`, gi.Filter.SiteID[0])
			return
		}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><packet version="1.6.9.1"><mail><get_info>`)
		for i, m := range p.Mailnames {
			fmt.Fprintf(&b, `<result><status>ok</status><mailname><id>%d</id><name>%s</name>`, i+3, m.Name)
			fmt.Fprintf(&b, `<mailbox><enabled>%t</enabled><quota>-1</quota></mailbox>`, m.Mailbox)
			for _, a := range m.Aliases {
				fmt.Fprintf(&b, `<alias>%s</alias>`, a)
			}
			fmt.Fprintf(&b, `<forwarding><enabled>%t</enabled>`, len(m.Forwards) > 0)
			for _, f := range m.Forwards {
				fmt.Fprintf(&b, `<address>%s</address>`, f)
			}
			b.WriteString(`</forwarding></mailname></result>`)
		}
		b.WriteString(`</get_info></mail></packet>`)
		fmt.Fprint(w, b.String())
	default:
		p.t.Errorf("Plesk fake: an operation the fake does not know: %s", body)
		fmt.Fprint(w, `<packet><system><status>error</status><errcode>1014</errcode><errtext>Parser error: Request is invalid.</errtext></system></packet>`)
	}
}
