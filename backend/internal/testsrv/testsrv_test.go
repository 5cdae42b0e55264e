package testsrv

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"cutover/backend/auth/authtest"
)

// imapLine sends one tagged command and returns the lines up to its tagged answer.
func imapLine(t *testing.T, c net.Conn, r *bufio.Reader, cmd string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c, "a %s\r\n", cmd); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: %v (read %q)", cmd, err, out.String())
		}
		out.WriteString(line)
		if strings.HasPrefix(line, "a ") {
			return out.String()
		}
	}
}

func TestDovecotLogsInUsersAndMasterOverPlainAndTLS(t *testing.T) {
	d := NewDovecot(t, DovecotOptions{Users: []User{{"alice", "a-pw"}, {"bob", "b-pw"}}, Separator: "/"})

	c, err := net.Dial("tcp", d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if greet, _ := r.ReadString('\n'); !strings.HasPrefix(greet, "* OK") {
		t.Fatalf("greeting %q", greet)
	}
	if got := imapLine(t, c, r, `LOGIN alice wrong`); !strings.Contains(got, "a NO") {
		t.Fatalf("wrong password accepted: %q", got)
	}
	if got := imapLine(t, c, r, `LOGIN "bob*admin" admin-secret`); !strings.Contains(got, "a OK") {
		t.Fatalf("master login refused: %q", got)
	}
	if got := imapLine(t, c, r, `LIST "" "*"`); !strings.Contains(got, `(\HasNoChildren \Sent) "/" Sent`) {
		t.Fatalf("special-use folders missing: %q", got)
	}

	pool := x509.NewCertPool()
	pem, err := os.ReadFile(d.CAFile)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("CA file %s: %v", d.CAFile, err)
	}
	tc, err := tls.Dial("tcp", d.TLSAddr(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("implicit TLS with the server's own CA: %v", err)
	}
	defer tc.Close()
	tr := bufio.NewReader(tc)
	tr.ReadString('\n')
	if got := imapLine(t, tc, tr, `LOGIN alice a-pw`); !strings.Contains(got, "a OK") {
		t.Fatalf("TLS login: %q", got)
	}
}

func TestDovecotRefusesAppendOverSizeLimit(t *testing.T) {
	d := NewDovecot(t, DovecotOptions{MaxMailSize: 1000})
	c, err := net.Dial("tcp", d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	r.ReadString('\n')
	imapLine(t, c, r, `LOGIN alice alice-secret`)
	body := "Subject: big\r\n\r\n" + strings.Repeat("x", 2000) + "\r\n"
	got := imapLine(t, c, r, fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(body), body))
	if !strings.Contains(got, "a NO [LIMIT]") {
		t.Fatalf("APPEND of %d bytes over a 1000-byte limit: %q", len(body), got)
	}
}

func TestStopEndsTheProcess(t *testing.T) {
	RequireBinary(t, "dovecot", "dovecot-imapd")
	d, err := StartDovecot(DovecotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if ready(d.Addr()) {
		t.Fatalf("still listening on %s after Stop", d.Addr())
	}
	if _, err := os.Stat(d.Dir); !os.IsNotExist(err) {
		t.Fatalf("directory %s left behind: %v", d.Dir, err)
	}
}

func TestFillAppendsTheSampleMessages(t *testing.T) {
	d := NewDovecot(t, DovecotOptions{})
	if err := d.Fill("alice", 100); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	r.ReadString('\n')
	imapLine(t, c, r, `LOGIN alice alice-secret`)
	total := 0
	for _, f := range []string{"INBOX", "Sent", "Archive.2024"} {
		got := imapLine(t, c, r, `STATUS "`+f+`" (MESSAGES)`)
		var n int
		if i := strings.Index(got, "(MESSAGES "); i >= 0 {
			fmt.Sscan(got[i+len("(MESSAGES "):], &n)
		}
		total += n
	}
	if total != 100 {
		t.Fatalf("%d messages across INBOX, Sent and Archive.2024, want 100", total)
	}
}

func TestDovecotOAuth2AcceptsProviderTokensAndStillPasswords(t *testing.T) {
	idp := authtest.New(t, authtest.Options{})
	idp.AddApp("app-1", "app-secret", "example.test")
	d := NewDovecot(t, DovecotOptions{
		Users:  []User{{"alice@example.test", "a-pw"}, {"bob@example.test", "b-pw"}},
		OAuth2: &OAuth2Options{IntrospectionURL: idp.IntrospectionURL(), AppTokens: true},
	})
	alice, app := idp.UserToken("alice@example.test"), idp.AppToken("app-1")
	revoked := idp.UserToken("bob@example.test")
	idp.Revoke(revoked)
	xoauth2 := func(user, tok string) string {
		return "AUTHENTICATE XOAUTH2 " + base64.StdEncoding.EncodeToString([]byte("user="+user+"\x01auth=Bearer "+tok+"\x01\x01"))
	}
	oauthbearer := func(user, tok string) string {
		return "AUTHENTICATE OAUTHBEARER " + base64.StdEncoding.EncodeToString([]byte("n,a="+user+",\x01auth=Bearer "+tok+"\x01\x01"))
	}
	for _, tc := range []struct {
		name, cmd string
		ok        bool
	}{
		{"password", `LOGIN alice@example.test a-pw`, true},
		{"a user's token as the user (XOAUTH2)", xoauth2("alice@example.test", alice), true},
		{"a user's token as the user (OAUTHBEARER)", oauthbearer("alice@example.test", alice), true},
		{"a user's token as another user", xoauth2("bob@example.test", alice), false},
		{"the app's token as one mailbox", xoauth2("alice@example.test", app), true},
		{"the app's token as another mailbox", xoauth2("bob@example.test", app), true},
		{"the app's token for another domain", xoauth2("carol@other.test", app), false},
		{"a revoked token", xoauth2("bob@example.test", revoked), false},
		{"a token as password", `LOGIN alice@example.test ` + alice, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", d.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			r.ReadString('\n')
			// A refused token gets a JSON challenge first ("+ eyJ..."); the client answers
			// with an empty response and the server says NO.
			c.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(c, "a %s\r\n", tc.cmd)
			var got string
			for !strings.HasPrefix(got[strings.LastIndex(strings.TrimSuffix(got, "\n"), "\n")+1:], "a ") {
				line, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("%v (read %q)", err, got)
				}
				got += line
				if strings.HasPrefix(line, "+ ") {
					fmt.Fprintf(c, "\r\n")
				}
			}
			if ok := strings.Contains(got, "a OK"); ok != tc.ok {
				t.Fatalf("%s: want accepted=%v, got %q", tc.cmd[:20], tc.ok, got)
			}
		})
	}
}
