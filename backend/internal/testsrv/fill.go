package testsrv

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"
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
	go func() {
		for i := 0; i < n; i++ {
			folder := folders[0]
			if i%5 == 3 {
				folder = folders[1]
			} else if i%7 == 5 {
				folder = folders[2]
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
			fmt.Fprintf(w, "a%d APPEND %q (%s) %q {%d+}\r\n%s\r\n", i, folder, strings.TrimSpace(flags), date.Format("02-Jan-2006 15:04:05 -0700"), len(body), body)
		}
		w.Flush()
	}()
	for i := 0; i < n; i++ {
		if err := expect(fmt.Sprintf("a%d", i)); err != nil {
			return fmt.Errorf("fill %s: message %d: %w", user, i, err)
		}
	}
	return nil
}
