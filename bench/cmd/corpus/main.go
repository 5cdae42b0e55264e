// Command corpus writes the benchmark's reproducible corpus (bench/internal/corpus: RFC 5322
// messages, MIME attachments, a non-ASCII folder) into a user's Maildir++ before the mail
// server first opens it, or just prints its statistics.
//
//	go run ./bench/cmd/corpus [-messages N] [-seed S] -maildir /path/to/user/Maildir
//	go run ./bench/cmd/corpus [-messages N] [-seed S]            # statistics only
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"cutover/bench/internal/corpus"
)

func main() {
	n := flag.Int("messages", 10000, "corpus size")
	seed := flag.Uint64("seed", 1, "corpus seed")
	dir := flag.String("maildir", "", "write the messages into this Maildir (default: statistics only)")
	flag.Parse()
	var w *corpus.MaildirWriter
	if *dir != "" {
		var err error
		if w, err = corpus.NewMaildirWriter(*dir); err != nil {
			fmt.Fprintln(os.Stderr, "corpus:", err)
			os.Exit(1)
		}
	}
	type folderStats struct {
		Messages int   `json:"messages"`
		Bytes    int64 `json:"bytes"`
	}
	stats := struct {
		Messages    int                     `json:"messages"`
		Bytes       int64                   `json:"bytes"`
		Attachments int                     `json:"over200KB"`
		Folders     map[string]*folderStats `json:"folders"`
		Seconds     float64                 `json:"seconds"`
	}{Folders: map[string]*folderStats{}}
	start := time.Now()
	err := corpus.Generate(corpus.Options{Messages: *n, Seed: *seed}, func(m *corpus.Message) error {
		name := corpus.Folders[m.Folder].Name("/")
		if stats.Folders[name] == nil {
			stats.Folders[name] = &folderStats{}
		}
		stats.Folders[name].Messages++
		stats.Folders[name].Bytes += int64(len(m.Body))
		stats.Messages++
		stats.Bytes += int64(len(m.Body))
		if len(m.Body) > 200*1024 {
			stats.Attachments++
		}
		if w != nil {
			return w.Write(m)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
	stats.Seconds = time.Since(start).Seconds()
	json.NewEncoder(os.Stdout).Encode(stats)
}
