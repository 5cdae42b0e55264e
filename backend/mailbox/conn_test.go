package mailbox_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"cutover/backend/internal/testsrv"
	"cutover/backend/mailbox"
	"cutover/backend/secrets"
)

func TestConnectionsVerifyCertificatesAndLogIn(t *testing.T) {
	d := testsrv.NewDovecot(t, testsrv.DovecotOptions{Users: []testsrv.User{{Name: "alice", Password: "alice-secret"}}})
	user := mailbox.Credentials{User: "alice", Password: secrets.New("alice-secret")}
	tlsSrv := mailbox.Server{Host: "127.0.0.1", Port: d.TLSPort, TLS: mailbox.TLSImplicit}
	starttls := mailbox.Server{Host: "localhost", Port: d.Port, TLS: mailbox.TLSStartTLS}

	for _, tc := range []struct {
		name    string
		server  mailbox.Server
		creds   mailbox.Credentials
		wantErr string
	}{
		{"implicit TLS with the server's CA file", withCA(tlsSrv, d.CAFile), user, ""},
		{"STARTTLS with the server's CA file", withCA(starttls, d.CAFile), user, ""},
		{"implicit TLS without the CA names host and reason", tlsSrv, user, "certificate of 127.0.0.1 failed verification: signed by an unknown authority"},
		{"STARTTLS without the CA names host and reason", starttls, user, "certificate of localhost failed verification: signed by an unknown authority"},
		{"explicit opt-out of verification", mailbox.Server{Host: "127.0.0.1", Port: d.TLSPort, TLS: mailbox.TLSImplicit, SkipVerify: true}, user, ""},
		{"wrong password is refused by name", withCA(tlsSrv, d.CAFile), mailbox.Credentials{User: "alice", Password: secrets.New("nope")}, `login to 127.0.0.1:` + itoa(d.TLSPort) + ` as "alice" refused`},
		{"admin with PLAIN authorization identity", withCA(tlsSrv, d.CAFile), mailbox.Credentials{User: "alice", Admin: "admin", AdminPassword: secrets.New("admin-secret"), AdminMode: mailbox.AdminPlainAuthz}, ""},
		{"admin with Dovecot's user*master login", withCA(tlsSrv, d.CAFile), mailbox.Credentials{User: "alice", Admin: "admin", AdminPassword: secrets.New("admin-secret"), AdminMode: mailbox.AdminDovecotMaster}, ""},
		{"plain text to a non-loopback host is refused", mailbox.Server{Host: "192.0.2.1", Port: 143, TLS: mailbox.TLSPlain}, user, "plain text IMAP is allowed on loopback only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mailbox.Dial(context.Background(), tc.server, tc.creds)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v; want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "nope") {
					t.Fatalf("the password appears in the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// Logged in as alice, whoever authenticated: her INBOX is the one selected.
			if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
	var ce *mailbox.CertError
	_, err := mailbox.Dial(context.Background(), tlsSrv, user)
	if !errors.As(err, &ce) || ce.Host != "127.0.0.1" {
		t.Fatalf("certificate failure is %T %v; want a *CertError for 127.0.0.1", err, err)
	}
}

func withCA(s mailbox.Server, ca string) mailbox.Server { s.CAFile = ca; return s }

func itoa(n int) string { return strconv.Itoa(n) }

func TestAdminAccessCopiesWithoutUserPasswords(t *testing.T) {
	src, dst := pair(t, testsrv.DovecotOptions{})
	seed(t, src, "alice", awkward()[:3])
	c := copier(openStore(t), src, dst, "alice")
	c.SourceCreds = mailbox.Credentials{User: "alice", Admin: src.MasterUser, AdminPassword: secrets.New(src.MasterPassword), AdminMode: mailbox.AdminPlainAuthz}
	c.DestCreds = mailbox.Credentials{User: "alice", Admin: dst.MasterUser, AdminPassword: secrets.New(dst.MasterPassword), AdminMode: mailbox.AdminDovecotMaster}
	res, err := c.Run(context.Background(), mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 3 {
		t.Fatalf("copied %d, want 3", res.Copied)
	}
	sameMultiset(t, "INBOX", snapshot(t, src, "alice")["INBOX"], snapshot(t, dst, "alice")["INBOX"])
}
