// Command ceiling measures what the destination IMAP server can take at all: it APPENDs
// (RFC 3501 section 6.3.11, with LITERAL+ from RFC 7888 so commands pipeline without
// waiting for continuation requests) the benchmark corpus to one mailbox as fast as the
// server accepts it, over several connections, and prints one JSON line:
//
//	{"messages":10000,"bytes":...,"seconds":...}
//
// The corpus is generated in memory first (not timed); the time runs from the first
// connection to the last tagged OK, folder creation included.
//
//	go run ./bench/cmd/ceiling -addr 127.0.0.1:PORT -user USER [-messages N] [-seed S] [-conns 4] [-window 16]
//
// The password comes from CEILING_PASSWORD.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cutover/bench/internal/corpus"
)

func main() {
	addr := flag.String("addr", "", "destination IMAP server host:port (plain IMAP, loopback)")
	user := flag.String("user", "", "destination user (password from CEILING_PASSWORD)")
	n := flag.Int("messages", 10000, "corpus size")
	seed := flag.Uint64("seed", 1, "corpus seed")
	conns := flag.Int("conns", 4, "connections")
	window := flag.Int("window", 16, "APPENDs in flight per connection")
	flag.Parse()
	if *addr == "" || *user == "" || *conns < 1 || *window < 1 {
		fmt.Fprintln(os.Stderr, "ceiling: -addr and -user are required; -conns and -window must be at least 1")
		os.Exit(2)
	}
	res, err := run(*addr, *user, os.Getenv("CEILING_PASSWORD"), corpus.Options{Messages: *n, Seed: *seed}, *conns, *window)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

type result struct {
	Messages int     `json:"messages"`
	Bytes    int64   `json:"bytes"`
	Seconds  float64 `json:"seconds"`
}

func login(addr, user, password string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in to %s as %s: %w", addr, user, err)
	}
	return c, nil
}

func run(addr, user, password string, opts corpus.Options, conns, window int) (result, error) {
	var msgs []*corpus.Message
	var res result
	if err := corpus.Generate(opts, func(m *corpus.Message) error {
		msgs = append(msgs, m)
		res.Bytes += int64(len(m.Body))
		return nil
	}); err != nil {
		return res, err
	}
	res.Messages = len(msgs)

	start := time.Now()
	c, err := login(addr, user, password)
	if err != nil {
		return res, err
	}
	names, err := createFolders(c)
	c.Logout().Wait()
	c.Close()
	if err != nil {
		return res, err
	}

	var wg sync.WaitGroup
	errs := make([]error, conns)
	for k := 0; k < conns; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = load(addr, user, password, msgs, names, k, conns, window)
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	return res, errors.Join(errs...)
}

// createFolders creates the corpus's folders (parents first) in the server's hierarchy
// delimiter and returns each folder's name there.
func createFolders(c *imapclient.Client) ([]string, error) {
	l, err := c.List("", "", nil).Collect()
	if err != nil || len(l) == 0 {
		return nil, fmt.Errorf("ask the hierarchy delimiter: %v", err)
	}
	sep := "/"
	if l[0].Delim != 0 {
		sep = string(l[0].Delim)
	}
	names := make([]string, len(corpus.Folders))
	for i, f := range corpus.Folders {
		names[i] = f.Name(sep)
		for depth := 1; depth <= len(f.Path); depth++ {
			name := strings.Join(f.Path[:depth], sep)
			if strings.EqualFold(name, "INBOX") {
				continue
			}
			if err := c.Create(name, nil).Wait(); err != nil && !alreadyExists(err) {
				return nil, fmt.Errorf("create %q: %w", name, err)
			}
		}
	}
	return names, nil
}

func alreadyExists(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists
}

// load APPENDs messages k, k+conns, k+2·conns... keeping up to window commands in flight.
func load(addr, user, password string, msgs []*corpus.Message, names []string, k, conns, window int) error {
	c, err := login(addr, user, password)
	if err != nil {
		return err
	}
	defer c.Close()
	var inflight []*imapclient.AppendCommand
	wait := func(cmd *imapclient.AppendCommand) error {
		if _, err := cmd.Wait(); err != nil {
			return fmt.Errorf("append: %w", err)
		}
		return nil
	}
	for i := k; i < len(msgs); i += conns {
		m := msgs[i]
		flags := make([]imap.Flag, len(m.Flags))
		for j, f := range m.Flags {
			flags[j] = imap.Flag(f)
		}
		cmd := c.Append(names[m.Folder], int64(len(m.Body)), &imap.AppendOptions{Flags: flags, Time: m.Date})
		if _, err := cmd.Write(m.Body); err != nil {
			return fmt.Errorf("append message %d: %w", m.Index, err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("append message %d: %w", m.Index, err)
		}
		inflight = append(inflight, cmd)
		if len(inflight) >= window {
			if err := wait(inflight[0]); err != nil {
				return err
			}
			inflight = inflight[1:]
		}
	}
	for _, cmd := range inflight {
		if err := wait(cmd); err != nil {
			return err
		}
	}
	return c.Logout().Wait()
}
