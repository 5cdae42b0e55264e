// Command ceiling measures what the destination IMAP server can take at all: it APPENDs
// (RFC 3501 section 6.3.11, with LITERAL+ from RFC 7888 so commands pipeline without
// waiting for continuation requests) the benchmark corpus to one mailbox as fast as the
// server accepts it, over several connections, and prints one JSON line:
//
//	{"messages":10000,"bytes":...,"seconds":...}
//
// Where the server offers MULTIAPPEND (RFC 3502), up to -group messages go in one APPEND
// command, which the server saves as one transaction: Dovecot takes a corpus about three
// times as fast that way, so a loader without it would be no ceiling.
//
// The corpus is generated in memory first (not timed); the time runs from the first
// connection to the last tagged OK, folder creation included.
//
//	go run ./bench/cmd/ceiling -addr 127.0.0.1:PORT -user USER [-messages N] [-seed S] [-conns 3] [-window 16] [-group 100]
//
// The password comes from CEILING_PASSWORD.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
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
	conns := flag.Int("conns", 3, "connections, each appending whole folders")
	window := flag.Int("window", 16, "APPEND commands in flight per connection")
	group := flag.Int("group", 100, "messages per APPEND command when the server offers MULTIAPPEND")
	flag.Parse()
	if *addr == "" || *user == "" || *conns < 1 || *window < 1 || *group < 1 {
		fmt.Fprintln(os.Stderr, "ceiling: -addr and -user are required; -conns, -window and -group must be at least 1")
		os.Exit(2)
	}
	res, err := run(*addr, *user, os.Getenv("CEILING_PASSWORD"), corpus.Options{Messages: *n, Seed: *seed}, *conns, *window, *group)
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

func run(addr, user, password string, opts corpus.Options, conns, window, group int) (result, error) {
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

	// Each connection takes the next whole folder: a server opens the mailbox once for
	// consecutive APPENDs to it, as a copying tool does.
	jobs := make(chan []*corpus.Message, len(corpus.Folders))
	for _, c := range runs(msgs) {
		jobs <- c
	}
	close(jobs)
	var wg sync.WaitGroup
	errs := make([]error, conns)
	for k := 0; k < conns; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = load(addr, user, password, jobs, names, window, group)
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	return res, errors.Join(errs...)
}

// createFolders creates the corpus's folders (parents first) in the server's hierarchy
// delimiter and returns each folder's name there, as sent on the wire (modified UTF-7).
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
		wire := make([]string, len(f.Path))
		for j, part := range f.Path {
			wire[j] = corpus.EncodeMailboxName(part)
		}
		names[i] = strings.Join(wire, sep)
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

// load APPENDs the runs of messages it takes from jobs on its own connection, keeping up
// to window commands in flight. It speaks the wire protocol itself: go-imap v2's client
// (beta.8) sends literals over 4 KB as synchronizing literals even when the server
// offers LITERAL+, so each such APPEND waits a round trip for "+" with the connection
// locked, which would make this loader no ceiling at all.
func load(addr, user, password string, jobs <-chan []*corpus.Message, names []string, window, group int) error {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	defer nc.Close()
	r := bufio.NewReaderSize(nc, 64*1024)
	w := bufio.NewWriterSize(nc, 256*1024)
	if _, err := r.ReadString('\n'); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	fmt.Fprintf(w, "l LOGIN %s %s\r\n", quote(user), quote(password))
	w.Flush()
	if _, err := readTagged(r, "l"); err != nil {
		return fmt.Errorf("log in as %s: %w", user, err)
	}
	fmt.Fprintf(w, "c CAPABILITY\r\n")
	w.Flush()
	caps, err := readTagged(r, "c")
	if err != nil {
		return err
	}
	caps = strings.ToUpper(caps) + " "
	if !strings.Contains(caps, " LITERAL+ ") {
		return fmt.Errorf("%s does not offer LITERAL+: the loader cannot pipeline APPENDs", addr)
	}
	if !strings.Contains(caps, " MULTIAPPEND ") {
		group = 1
	}

	// The reader counts tagged completions; the writer waits for room in the window.
	slots := make(chan struct{}, window)
	readErr := make(chan error, 1)
	sent := make(chan struct{}, 1<<20) // one per APPEND written; closed when all are
	go func() {
		for range sent {
			line, err := readLine(r)
			for err == nil && strings.HasPrefix(line, "* ") {
				line, err = readLine(r)
			}
			if err != nil {
				readErr <- fmt.Errorf("read APPEND result: %w", err)
				return
			}
			if _, rest, _ := strings.Cut(line, " "); !strings.HasPrefix(rest, "OK") {
				readErr <- fmt.Errorf("command refused: %s", strings.TrimSpace(line))
				return
			}
			<-slots
		}
		readErr <- nil
	}()
	var once sync.Once
	closeSent := func() { once.Do(func() { close(sent) }) }
	defer closeSent()
	for job := range jobs {
		// Appending to the selected mailbox spares the server opening it for every
		// message, as a copying tool that SELECTs its destination folder does.
		if err := queue(w, slots, readErr, sent, func() {
			fmt.Fprintf(w, "s%d SELECT %s\r\n", job[0].Index, quote(names[job[0].Folder]))
		}); err != nil {
			return err
		}
		for len(job) > 0 {
			part := job[:min(len(job), group)]
			job = job[len(part):]
			if err := queue(w, slots, readErr, sent, func() {
				fmt.Fprintf(w, "a%d APPEND %s", part[0].Index, quote(names[part[0].Folder]))
				for _, m := range part {
					fmt.Fprintf(w, " (%s) \"%s\" {%d+}\r\n", strings.Join(m.Flags, " "), m.Date.Format("02-Jan-2006 15:04:05 -0700"), len(m.Body))
					w.Write(m.Body)
				}
				w.WriteString("\r\n")
			}); err != nil {
				return err
			}
		}
	}
	closeSent()
	if err := w.Flush(); err != nil {
		return err
	}
	if err := <-readErr; err != nil {
		return err
	}
	fmt.Fprintf(w, "z LOGOUT\r\n")
	w.Flush()
	return nil
}

// queue writes one command once the window has room (flushing what is queued when it
// has none).
func queue(w *bufio.Writer, slots chan struct{}, readErr chan error, sent chan struct{}, write func()) error {
	{
		select {
		case slots <- struct{}{}:
		default:
			if err := w.Flush(); err != nil { // let the server see what is queued
				return err
			}
			select {
			case slots <- struct{}{}:
			case err := <-readErr:
				if err == nil {
					err = fmt.Errorf("connection ended early")
				}
				return err
			}
		}
		write()
		sent <- struct{}{}
	}
	return nil
}

// runs cuts the corpus into one run per folder, the largest first: a connection appends a
// whole folder, so no two connections contend for one folder's index (two appending to the
// same folder were slower than one, on Dovecot), and the biggest folder, the long pole,
// starts at once — the strategy that loads a server best of those measured (2 connections
// over interleaved runs of 250 messages reached 0.8× of what Cutover's 3 folders at once did).
func runs(msgs []*corpus.Message) [][]*corpus.Message {
	byFolder := make([][]*corpus.Message, len(corpus.Folders))
	size := make([]int, len(corpus.Folders))
	for _, m := range msgs {
		byFolder[m.Folder] = append(byFolder[m.Folder], m)
		size[m.Folder] += len(m.Body)
	}
	order := make([]int, len(byFolder))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	var out [][]*corpus.Message
	for _, f := range order {
		if len(byFolder[f]) > 0 {
			out = append(out, byFolder[f])
		}
	}
	return out
}

// readLine reads one response line, skipping over any literal it announces.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return line, err
	}
	for {
		t := strings.TrimRight(line, "\r\n")
		if !strings.HasSuffix(t, "}") {
			return line, nil
		}
		open := strings.LastIndexByte(t, '{')
		n, err := strconv.Atoi(strings.TrimSuffix(t[open+1:len(t)-1], "+"))
		if open < 0 || err != nil {
			return line, nil
		}
		if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
			return line, err
		}
		more, err := r.ReadString('\n')
		if err != nil {
			return line, err
		}
		line = t + " " + more
	}
}

// readTagged reads responses until the one tagged tag; everything read comes back.
func readTagged(r *bufio.Reader, tag string) (string, error) {
	var all strings.Builder
	for {
		line, err := readLine(r)
		all.WriteString(line)
		if err != nil {
			return all.String(), err
		}
		if strings.HasPrefix(line, tag+" ") {
			if strings.HasPrefix(line[len(tag)+1:], "OK") {
				return all.String(), nil
			}
			return all.String(), fmt.Errorf("%s", strings.TrimSpace(line))
		}
	}
}

// quote writes an IMAP quoted string (RFC 3501 section 4.3).
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
