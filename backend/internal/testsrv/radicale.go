package testsrv

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Radicale is a running Radicale (CalDAV RFC 4791, CardDAV RFC 6352) on loopback, with
// htpasswd users and owner-only rights, its collections in a temporary directory.
type Radicale struct {
	URL   string // http://127.0.0.1:PORT/
	Users []User
	Dir   string

	cmd  *exec.Cmd
	done chan struct{}
}

// Password returns the password of user name.
func (r *Radicale) Password(name string) string {
	for _, u := range r.Users {
		if u.Name == name {
			return u.Password
		}
	}
	return ""
}

// radicalePython is the interpreter Debian installs Radicale's module for (another
// python3 earlier on PATH may lack it).
const radicalePython = "/usr/bin/python3"

// NewRadicale starts Radicale for a test (users default to alice) and stops it when the
// test ends. Radicale missing, the test is skipped, or fails under CI (RequireBinary).
func NewRadicale(t testing.TB, users ...User) *Radicale {
	t.Helper()
	RequireBinary(t, "radicale", "radicale")
	if len(users) == 0 {
		users = []User{{Name: "alice", Password: "alice-secret"}}
	}
	var lastErr error
	for range 4 {
		r, err := startRadicale(t.TempDir(), users)
		if err == nil {
			t.Cleanup(r.Stop)
			return r
		}
		lastErr = err
	}
	t.Fatalf("start radicale: %v", lastErr)
	return nil
}

func startRadicale(dir string, users []User) (*Radicale, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	var htpasswd strings.Builder
	for _, u := range users {
		fmt.Fprintf(&htpasswd, "%s:%s\n", u.Name, u.Password)
	}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(htpasswd.String()), 0o600); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`[server]
hosts = 127.0.0.1:%d
max_content_length = 100000000
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = %s
[web]
type = none
[logging]
level = info
`, port, filepath.Join(dir, "users"), filepath.Join(dir, "collections"))
	confPath := filepath.Join(dir, "config")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "radicale.log"))
	if err != nil {
		return nil, err
	}
	r := &Radicale{URL: fmt.Sprintf("http://127.0.0.1:%d/", port), Users: users, Dir: dir, done: make(chan struct{})}
	r.cmd = exec.Command(radicalePython, "-m", "radicale", "--config", confPath)
	out, err := r.cmd.StderrPipe() // Radicale logs to standard error
	if err != nil {
		logf.Close()
		return nil, err
	}
	r.cmd.Stdout = logf
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("run radicale: %w", err)
	}
	// Ready once Radicale says so (it logs "Radicale server ready" after it listens);
	// every line also goes to radicale.log, read when something fails.
	ready := make(chan struct{})
	go func() {
		defer logf.Close()
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if !said && strings.Contains(sc.Text(), "Radicale server ready") {
				said = true
				close(ready)
			}
		}
		r.cmd.Wait()
		close(r.done)
	}()
	timer := time.NewTimer(20 * time.Second)
	defer timer.Stop()
	select {
	case <-ready:
		return r, nil
	case <-r.done:
		log, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("radicale exited at start: %s", lastLines(string(log), 5))
	case <-timer.C:
		r.Stop()
		return nil, fmt.Errorf("radicale did not say it was ready on %s within 20s", r.URL)
	}
}

// Stop ends the server.
func (r *Radicale) Stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	syscall.Kill(-r.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-r.done
	}
}
