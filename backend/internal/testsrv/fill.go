package testsrv

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// Fill appends n sample messages to user's mailbox over IMAP with pipelined LITERAL+
// APPENDs: spread over INBOX, Sent and Archive<sep>2024, dated over the past two years
// (INTERNALDATE), sizes from 1 to about 60 kB, one in nine without a Message-ID, some
// seen and flagged. The same n and user give the same messages.
func (d *Dovecot) Fill(user string, n int) error {
	c, err := net.DialTimeout("tcp", d.Addr(), 10*time.Second)
	if err != nil {
		return fmt.Errorf("fill %s: %w", user, err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriterSize(c, 256<<10)
	expect := func(tag string) error {
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if strings.HasPrefix(l, tag+" ") {
				if !strings.HasPrefix(l, tag+" OK") {
					return fmt.Errorf("%s", strings.TrimSpace(l))
				}
				return nil
			}
		}
	}
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	fmt.Fprintf(w, "l LOGIN %q %q\r\n", user, d.Password(user))
	w.Flush()
	if err := expect("l"); err != nil {
		return fmt.Errorf("fill %s: login: %w", user, err)
	}
	folders := []string{"INBOX", "Sent", "Archive" + d.Separator + "2024"}
	fmt.Fprintf(w, "c CREATE %q\r\n", folders[2])
	w.Flush()
	expect("c") // it may exist already
	now := time.Now()
	folderOf := func(i int) int {
		switch {
		case i%5 == 3:
			return 1
		case i%7 == 5:
			return 2
		}
		return 0
	}
	// Folder by folder, each selected first, 100 messages per APPEND (MULTIAPPEND, which
	// Dovecot offers): one APPEND per message, interleaved across folders, took half a
	// minute for 6,000 messages. The messages of a folder keep their order, so their UIDs
	// are as before.
	var order []int
	for f := range folders {
		for i := 0; i < n; i++ {
			if folderOf(i) == f {
				order = append(order, i)
			}
		}
	}
	var tags []string
	for k, i := range order {
		if k == 0 || folderOf(i) != folderOf(order[k-1]) || len(tags) > 0 && k%100 == 0 {
			tags = append(tags, fmt.Sprintf("a%d", i))
		}
	}
	go func() {
		selected := -1
		for k, i := range order {
			first := k == 0 || folderOf(i) != folderOf(order[k-1]) || k%100 == 0
			if first && k > 0 {
				w.WriteString("\r\n") // ends the previous APPEND
			}
			if f := folderOf(i); f != selected {
				fmt.Fprintf(w, "s%d SELECT %q\r\n", i, folders[f])
				selected = f
			}
			if first {
				fmt.Fprintf(w, "a%d APPEND %q", i, folders[folderOf(i)])
			}
			date := now.Add(-time.Duration((i*7919)%(730*24)) * time.Hour)
			var b strings.Builder
			fmt.Fprintf(&b, "From: Sender %d <s%d@old.example>\r\nTo: %s@old.example\r\nDate: %s\r\n", i%37, i%37, user, date.Format(time.RFC1123Z))
			if i%9 != 4 {
				fmt.Fprintf(&b, "Message-ID: <fill-%d-%s@old.example>\r\n", i, user)
			}
			fmt.Fprintf(&b, "Subject: Sample message %d\r\n\r\n", i)
			lines := 10 + (i*131)%800
			for l := 0; l < lines; l++ {
				fmt.Fprintf(&b, "Line %d of sample message %d, some text to make it longer.\r\n", l, i)
			}
			flags := ""
			if i%3 != 0 {
				flags = `\Seen`
			}
			if i%13 == 0 {
				flags += ` \Flagged`
			}
			body := b.String()
			fmt.Fprintf(w, " (%s) %q {%d+}\r\n%s", strings.TrimSpace(flags), date.Format("02-Jan-2006 15:04:05 -0700"), len(body), body)
		}
		if len(order) > 0 {
			w.WriteString("\r\n")
		}
		w.Flush()
	}()
	for _, tag := range tags {
		if err := expect(tag); err != nil {
			return fmt.Errorf("fill %s: APPEND %s: %w", user, tag, err)
		}
	}
	return nil
}

// CreateFolders creates empty folders in user's mailbox, names in UTF-8 with the server's
// separator ("Entwürfe", "Work.Projects"); a folder that exists already is fine.
func (d *Dovecot) CreateFolders(user string, names ...string) error {
	c, err := imapclient.DialInsecure(d.Addr(), nil)
	if err != nil {
		return fmt.Errorf("create folders of %s: %w", user, err)
	}
	defer c.Close()
	if err := c.Login(user, d.Password(user)).Wait(); err != nil {
		return fmt.Errorf("create folders of %s: login: %w", user, err)
	}
	for _, n := range names {
		if err := c.Create(n, nil).Wait(); err != nil && !strings.Contains(err.Error(), "exists") {
			return fmt.Errorf("create folder %q of %s: %w", n, user, err)
		}
	}
	return c.Logout().Wait()
}
