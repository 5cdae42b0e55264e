// Command dovecot-pair starts two Dovecot instances on loopback — a migration's source and
// destination — for benchmarks and manual tries, prints how to reach them, and stops them
// on SIGTERM or Ctrl-C. Nothing of the system's own Dovecot is used or touched.
//
//	go run ./backend/internal/testsrv/cmd/dovecot-pair [-users alice,bob] [-dest-users d1,d2] [-fill N] [-folders A,B] [-max-mail-size N] [-doveadm-key K] [-env]
//
// Default output is one JSON object {"source": {...}, "dest": {...}} on one line (hosts,
// ports, CA file, users with passwords, master user); -env prints shell variable lines
// instead (SRC_HOST, SRC_PORT, SRC_TLS_PORT, SRC_CA, SRC_USERS, SRC_PASSWORD_<USER>,
// SRC_MASTER_USER, SRC_MASTER_PASSWORD, and DST_... likewise). A line "ready" on standard
// error follows once both listen.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"cutover/backend/internal/testsrv"
)

func main() {
	users := flag.String("users", "alice", "comma-separated user names (same on both servers; password NAME-secret)")
	destUsers := flag.String("dest-users", "", "comma-separated extra users on the destination only (fresh, empty mailboxes; password NAME-secret)")
	maxSize := flag.Int64("max-mail-size", 0, "destination refuses APPENDs over this many bytes (0: no limit)")
	sep := flag.String("dest-separator", "/", "destination hierarchy delimiter (source uses \".\")")
	fsync := flag.Bool("fsync", false, "keep Dovecot's fsync calls (default: mail_fsync = never)")
	env := flag.Bool("env", false, "print shell variable lines instead of JSON")
	fill := flag.Int("fill", 0, "append this many sample messages to each source user (INBOX, Sent, Archive.2024)")
	folders := flag.String("folders", "", "comma-separated empty folders to create for each source user (UTF-8, \".\" between levels)")
	doveadmKey := flag.String("doveadm-key", "", "open the source's doveadm HTTP API with this API key (its port: source.doveadmPort)")
	flag.Parse()

	us := parseUsers(*users)
	src, err := testsrv.StartDovecot(testsrv.DovecotOptions{Name: "source", Users: us, Separator: ".", Fsync: *fsync, DoveadmAPIKey: *doveadmKey})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dovecot-pair:", err)
		os.Exit(1)
	}
	dst, err := testsrv.StartDovecot(testsrv.DovecotOptions{Name: "dest", Users: append(parseUsers(*users), parseUsers(*destUsers)...), Separator: *sep, MaxMailSize: *maxSize, Fsync: *fsync})
	if err != nil {
		src.Stop()
		fmt.Fprintln(os.Stderr, "dovecot-pair:", err)
		os.Exit(1)
	}
	defer src.Stop()
	defer dst.Stop()
	if *fill > 0 {
		for _, u := range us {
			if err := src.Fill(u.Name, *fill); err != nil {
				fmt.Fprintln(os.Stderr, "dovecot-pair:", err)
				src.Stop()
				dst.Stop()
				os.Exit(1)
			}
		}
	}

	if *folders != "" {
		for _, u := range us {
			if err := src.CreateFolders(u.Name, strings.Split(*folders, ",")...); err != nil {
				fmt.Fprintln(os.Stderr, "dovecot-pair:", err)
				src.Stop()
				dst.Stop()
				os.Exit(1)
			}
		}
	}

	if *env {
		printEnv("SRC", src)
		printEnv("DST", dst)
	} else {
		json.NewEncoder(os.Stdout).Encode(map[string]*testsrv.Dovecot{"source": src, "dest": dst})
	}
	fmt.Fprintln(os.Stderr, "ready")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	select {
	case s := <-sig:
		fmt.Fprintln(os.Stderr, "dovecot-pair: stopping on", s)
	case <-src.Done():
		fmt.Fprintln(os.Stderr, "dovecot-pair: source dovecot exited; see", src.LogFile())
	case <-dst.Done():
		fmt.Fprintln(os.Stderr, "dovecot-pair: destination dovecot exited; see", dst.LogFile())
	}
}

func parseUsers(list string) []testsrv.User {
	var us []testsrv.User
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			us = append(us, testsrv.User{Name: n, Password: n + "-secret"})
		}
	}
	return us
}

func printEnv(prefix string, d *testsrv.Dovecot) {
	names := make([]string, len(d.Users))
	for i, u := range d.Users {
		names[i] = u.Name
	}
	fmt.Printf("%s_HOST=%s\n%s_PORT=%d\n%s_TLS_PORT=%d\n%s_CA=%s\n%s_DIR=%s\n%s_PID=%d\n", prefix, d.Host, prefix, d.Port, prefix, d.TLSPort, prefix, d.CAFile, prefix, d.Dir, prefix, d.PID)
	fmt.Printf("%s_USERS=%s\n%s_MASTER_USER=%s\n%s_MASTER_PASSWORD=%s\n", prefix, strings.Join(names, ","), prefix, d.MasterUser, prefix, d.MasterPassword)
	if d.DoveadmPort != 0 {
		fmt.Printf("%s_DOVEADM_URL=%s\n", prefix, d.DoveadmURL())
	}
	for _, u := range d.Users {
		fmt.Printf("%s_PASSWORD_%s=%s\n", prefix, strings.ToUpper(strings.NewReplacer("-", "_", ".", "_", "@", "_").Replace(u.Name)), u.Password)
	}
}
