package testsrv

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
level = warning
`, port, filepath.Join(dir, "users"), filepath.Join(dir, "collections"))
	confPath := filepath.Join(dir, "config")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "radicale.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	r := &Radicale{URL: fmt.Sprintf("http://127.0.0.1:%d/", port), Users: users, Dir: dir, done: make(chan struct{})}
	r.cmd = exec.Command(radicalePython, "-m", "radicale", "--config", confPath)
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("run radicale: %w", err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			out, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("radicale exited at start: %s", lastLines(string(out), 5))
		default:
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			c.Close()
			if resp, err := http.Get(r.URL + ".well-known/caldav"); err == nil {
				resp.Body.Close()
				return r, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.Stop()
	return nil, fmt.Errorf("radicale did not listen on %s within 20s", r.URL)
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
