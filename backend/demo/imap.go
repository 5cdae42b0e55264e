package demo

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"cutover/backend/api"
	"cutover/backend/mailbox"
	"cutover/backend/messages/smtptest"
	"cutover/backend/pim/pimtest"
	"cutover/backend/project"
	"cutover/backend/secrets"
)

// IMAPServer is an in-memory IMAP server (go-imap's imapmemserver) on loopback, for the
// demo: plain text, loopback only.
type IMAPServer struct {
	Addr  string
	srv   *imapserver.Server
	ln    net.Listener
	mem   *imapmemserver.Server
	users map[string]string
	// accounts and tokens: see AcceptTokens (signin.go).
	accounts map[string]*imapmemserver.User
	tokens   atomic.Pointer[string]
}

// Close stops the server.
func (s *IMAPServer) Close() error { return s.srv.Close() }

// URL is the server as the project stores it.
func (s *IMAPServer) URL() string { return "imap+plain://" + s.Addr }

// StartIMAP starts an in-memory IMAP server on 127.0.0.1 with the given users (login →
// password).
func StartIMAP(users map[string]string) (*IMAPServer, error) {
	mem := imapmemserver.New()
	s := &IMAPServer{mem: mem, users: users, accounts: map[string]*imapmemserver.User{}}
	for u, p := range users {
		s.accounts[u] = imapmemserver.NewUser(u, p)
		mem.AddUser(s.accounts[u])
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.newSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapLiteralPlus: {}, imap.CapSpecialUse: {}},
		InsecureAuth: true,
		Logger:       quietLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo IMAP server: %w", err)
	}
	go srv.Serve(ln)
	s.Addr, s.srv, s.ln = ln.Addr().String(), srv, ln
	return s, nil
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// demoUsers are the demo customer's mailboxes: source login → (destination login, name).
var demoUsers = []struct{ src, dst, name string }{
	{"dana", "dana@acme.example", "Dana Whitfield"},
	{"lee", "lee@acme.example", "Lee Okafor"},
	{"sam", "sam@acme.example", "Sam Tremblay"},
}

// MailServers are the demo's two servers, the old one filled with sample mail.
type MailServers struct {
	Source, Dest *IMAPServer
	// DAVSource and DAVDest keep the users' contacts, calendars and tasks.
	DAVSource, DAVDest *pimtest.Server
	// SMTP is the specialist's submission server; SMTPCAFile its CA, which the demo trusts.
	SMTP       *smtptest.Server
	SMTPCAFile string
}

// Close stops both.
func (m *MailServers) Close() {
	m.Source.Close()
	m.Dest.Close()
	if m.DAVSource != nil {
		m.DAVSource.Close()
		m.DAVDest.Close()
	}
	if m.SMTP != nil {
		m.SMTP.Close()
		os.RemoveAll(filepath.Dir(m.SMTPCAFile))
	}
}

// StartMail starts the demo's source and destination IMAP servers and fills the source
// with sample mailboxes: several folders, old and recent mail, messages without a
// Message-ID, a duplicate, international folder names.
func StartMail(ctx context.Context, now time.Time) (*MailServers, error) {
	srcUsers, dstUsers := map[string]string{}, map[string]string{}
	for _, u := range demoUsers {
		srcUsers[u.src] = "old-" + u.src
		dstUsers[u.dst] = "new-" + u.src
	}
	src, err := StartIMAP(srcUsers)
	if err != nil {
		return nil, err
	}
	dst, err := StartIMAP(dstUsers)
	if err != nil {
		src.Close()
		return nil, err
	}
	m := &MailServers{Source: src, Dest: dst}
	if m.DAVSource, m.DAVDest, err = startDAV(now); err != nil {
		m.Close()
		return nil, err
	}
	if m.SMTP, m.SMTPCAFile, err = startSMTP(); err != nil {
		m.Close()
		return nil, err
	}
	for i, u := range demoUsers {
		if err := fill(ctx, src, u.src, srcUsers[u.src], now, i); err != nil {
			m.Close()
			return nil, err
		}
		// Every destination mailbox starts with the folders a hosted provider creates.
		if err := createFolders(ctx, dst, u.dst, dstUsers[u.dst]); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

func demoServer(s *IMAPServer) mailbox.Server {
	host, port, _ := net.SplitHostPort(s.Addr)
	var p int
	fmt.Sscan(port, &p)
	return mailbox.Server{Host: host, Port: p, TLS: mailbox.TLSPlain}
}

func createFolders(ctx context.Context, s *IMAPServer, user, pw string) error {
	c, err := mailbox.Dial(ctx, demoServer(s), mailbox.Credentials{User: user, Password: secrets.New(pw)})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Create("INBOX", nil).Wait(); err != nil {
		return fmt.Errorf("demo INBOX: %w", err)
	}
	for _, f := range []struct {
		name string
		use  imap.MailboxAttr
	}{{"Sent Items", imap.MailboxAttrSent}, {"Deleted Items", imap.MailboxAttrTrash}, {"Drafts", imap.MailboxAttrDrafts}, {"Junk Email", imap.MailboxAttrJunk}, {"Archive", imap.MailboxAttrArchive}} {
		if err := c.Create(f.name, &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{f.use}}).Wait(); err != nil {
			return fmt.Errorf("demo folder %q: %w", f.name, err)
		}
	}
	return nil
}

func fill(ctx context.Context, s *IMAPServer, user, pw string, now time.Time, seed int) error {
	c, err := mailbox.Dial(ctx, demoServer(s), mailbox.Credentials{User: user, Password: secrets.New(pw)})
	if err != nil {
		return err
	}
	defer c.Close()
	folders := []string{"INBOX", "Sent", "Trash", "Archive", "Archive/2024", "Clients", "Clients/Dupont & Fils", "Réunions"}
	uses := map[string]imap.MailboxAttr{"Sent": imap.MailboxAttrSent, "Trash": imap.MailboxAttrTrash}
	for _, f := range folders {
		var opts *imap.CreateOptions
		if u, ok := uses[f]; ok {
			opts = &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{u}}
		}
		if err := c.Create(f, opts).Wait(); err != nil {
			return fmt.Errorf("demo folder %q: %w", f, err)
		}
	}
	subjects := []string{"Quote for the Dupont renovation", "Invoice 2291", "Re: site visit on Tuesday", "Parts order confirmation",
		"Holiday schedule", "Fwd: insurance renewal", "Photos from the job site", "Meeting notes", "Réunion d'équipe lundi", "New supplier prices"}
	n := 0
	for fi, f := range folders {
		count := []int{60, 25, 8, 12, 40, 6, 15, 5}[fi] + seed*3
		for i := 0; i < count; i++ {
			n++
			age := time.Duration((i*37+fi*11+seed*5)%700) * 24 * time.Hour
			if i%5 == 0 {
				age = time.Duration(i%20) * 24 * time.Hour // some recent mail
			}
			date := now.Add(-age).Add(-time.Duration(i) * time.Minute)
			subj := subjects[(i+fi+seed)%len(subjects)]
			var b strings.Builder
			fmt.Fprintf(&b, "From: %s <%s@old-acme.example>\r\nTo: office@acme.example\r\nDate: %s\r\n", strings.ToUpper(user[:1])+user[1:], user, date.Format(time.RFC1123Z))
			if i%9 != 4 { // a few old messages have no Message-ID
				fmt.Fprintf(&b, "Message-ID: <demo-%s-%d@old-acme.example>\r\n", user, n)
			}
			fmt.Fprintf(&b, "Subject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", subj)
			lines := 5 + (i*13)%40
			if i%17 == 3 {
				lines = 4000 // an attachment-sized message
			}
			for l := 0; l < lines; l++ {
				fmt.Fprintf(&b, "Line %d of the message about %q.\r\n", l+1, subj)
			}
			var flags []imap.Flag
			if age > 3*24*time.Hour || f == "Sent" {
				flags = append(flags, imap.FlagSeen)
			}
			if i%11 == 0 {
				flags = append(flags, imap.FlagFlagged)
			}
			if i%7 == 0 && f == "INBOX" {
				flags = append(flags, imap.FlagAnswered, "$Label1")
			}
			body := b.String()
			cmd := c.Append(f, int64(len(body)), &imap.AppendOptions{Flags: flags, Time: date})
			if _, err := cmd.Write([]byte(body)); err != nil {
				return err
			}
			if err := cmd.Close(); err != nil {
				return err
			}
			if _, err := cmd.Wait(); err != nil {
				return fmt.Errorf("demo message in %q: %w", f, err)
			}
		}
	}
	return nil
}

// SeedMail points the demo project at the demo servers and fills its batch.
func SeedMail(a *api.API, m *MailServers) error {
	for _, u := range demoUsers {
		if _, err := a.BatchSet(ProjectName, api.BatchInput{SourceLogin: u.src, DestLogin: u.dst, Name: u.name,
			SourcePassword: "old-" + u.src, DestPassword: "new-" + u.src}); err != nil {
			return fmt.Errorf("demo batch: %w", err)
		}
	}
	if err := seedSMTP(a, m); err != nil {
		return err
	}
	return seedDAV(a, m)
}

// PointAt moves a kept demo project to this start's servers.
func PointAt(a *api.API, m *MailServers) error {
	src, dst := m.Source.URL(), m.Dest.URL()
	if _, err := a.EditProject(ProjectName, project.Input{Source: &src, Dest: &dst}); err != nil {
		return fmt.Errorf("demo servers: %w", err)
	}
	if err := seedSMTP(a, m); err != nil {
		return err
	}
	return seedDAV(a, m)
}
