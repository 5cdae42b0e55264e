// Package testsrv starts real Debian servers on loopback for tests and benchmarks: Dovecot
// (dovecot-imapd) speaking IMAP4rev1 (RFC 3501) with UIDPLUS (RFC 4315), SPECIAL-USE
// (RFC 6154) and a message size limit ([LIMIT] response code, RFC 5530), each instance with
// its own configuration, users and mail directories under a temporary directory, on random
// ports, stopped by PID when the test ends — optionally accepting OAuth 2.0 bearer tokens
// (XOAUTH2, OAUTHBEARER RFC 7628) checked with an identity provider's token introspection
// (RFC 7662) by Dovecot's oauth2 passdb (DovecotOptions.OAuth2); NSD, an authoritative DNS server (RFC 1035),
// in nsd.go; and Knot DNS taking TSIG-signed dynamic updates (RFC 2136, RFC 8945), in knot.go.
//
// Tests that need a server call RequireBinary: when the server is not installed the test
// is skipped on a developer's machine but FAILS under CI=true, so CI never passes by
// silently skipping the tests that matter.
package testsrv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RequireBinary finds a server binary (absolute path or in PATH). Missing, it fails the
// test under CI=true and skips it otherwise, naming the Debian package to install.
func RequireBinary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	if p, err := lookBinary(name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found: install the Debian package %s (scripts/test.sh does)", name, debianPackage)
	// scripts/test.sh installs the servers and sets CUTOVER_REQUIRE_SERVERS: there, and in
	// CI, a missing server fails the test instead of skipping it.
	if os.Getenv("CI") == "true" || os.Getenv("CUTOVER_REQUIRE_SERVERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func lookBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	// /usr/sbin is not in every user's PATH.
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found", name)
}

// User is a mailbox on a test server.
type User struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// DovecotOptions shape one Dovecot instance. The zero value is one user "alice".
type DovecotOptions struct {
	// Users of the server; default one user "alice" with password "alice-secret".
	Users []User
	// MasterUser logs in as any user with "user*master" or AUTHENTICATE PLAIN with an
	// authorization identity; default "admin" with password "admin-secret".
	MasterUser, MasterPassword string
	// MaxMailSize refuses APPENDs larger than this many bytes with NO [LIMIT]
	// (quota_max_mail_size); 0 means no limit.
	MaxMailSize int64
	// Separator is the hierarchy delimiter; default ".". ("/" makes a server like most
	// hosted providers.)
	Separator string
	// Fsync keeps Dovecot's default fsync behaviour; by default tests run with
	// mail_fsync = never, which is faster and loses nothing unless the machine crashes.
	Fsync bool
	// NoSpecialFolders leaves out the folders every user gets (Drafts, Sent, Trash, Junk,
	// Archive, with their special-use attributes), for servers shaped like old ones.
	NoSpecialFolders bool
	// Name labels the instance in logs and the directory name ("source", "dest").
	Name string
	// OAuth2 adds sign-in with bearer tokens (XOAUTH2, OAUTHBEARER) checked by Dovecot's
	// oauth2 passdb against a provider's introspection endpoint; passwords keep working.
	OAuth2 *OAuth2Options
	// DoveadmAPIKey, when set, opens Dovecot's doveadm HTTP API (POST /doveadm/v1, JSON
	// commands) on a loopback port of its own (Dovecot.DoveadmPort), accepting
	// "Authorization: X-Dovecot-API <base64 of the key>".
	DoveadmAPIKey string
}

// OAuth2Options point Dovecot's oauth2 passdb at an identity provider (authtest's fake).
type OAuth2Options struct {
	// IntrospectionURL receives POST token=<bearer> (RFC 7662) and answers
	// {"active":true,"email":"<user>"} for a user's token.
	IntrospectionURL string
	// AppTokens also accepts application tokens, admin-wide: a token the provider
	// answers with "app":"yes" opens any mailbox of the domain of its "email", the way
	// Exchange Online lets an app with FullAccess open every mailbox with
	// XOAUTH2 user=<mailbox>. Users then need names with a domain (bob@example.test).
	AppTokens bool
}

// Dovecot is a running Dovecot instance.
type Dovecot struct {
	Name           string `json:"name"`
	Host           string `json:"host"`
	Port           int    `json:"port"`    // plain IMAP (STARTTLS offered)
	TLSPort        int    `json:"tlsPort"` // implicit TLS
	CAFile         string `json:"caFile"`  // PEM of the self-signed certificate, for verification
	Users          []User `json:"users"`
	MasterUser     string `json:"masterUser"`
	MasterPassword string `json:"masterPassword"`
	Separator      string `json:"separator"`
	Dir            string `json:"dir"`
	PID            int    `json:"pid"`
	MaxMailSize    int64  `json:"maxMailSize,omitempty"`
	// DoveadmPort is the doveadm HTTP API's port (DovecotOptions.DoveadmAPIKey); 0: none.
	DoveadmPort int `json:"doveadmPort,omitempty"`

	cmd      *exec.Cmd
	done     chan struct{}
	stopOnce sync.Once
	ownsDir  bool
}

// Addr is host:port of the plain IMAP listener.
func (d *Dovecot) Addr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

// TLSAddr is host:port of the implicit TLS listener.
func (d *Dovecot) TLSAddr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.TLSPort)) }

// Password returns the password of user name ("" when there is no such user).
func (d *Dovecot) Password(name string) string {
	for _, u := range d.Users {
		if u.Name == name {
			return u.Password
		}
	}
	return ""
}

// LogFile is where the instance logs.
func (d *Dovecot) LogFile() string { return filepath.Join(d.Dir, "log", "dovecot.log") }

// NewDovecot starts a Dovecot instance for a test and stops it when the test ends.
func NewDovecot(t testing.TB, opts DovecotOptions) *Dovecot {
	t.Helper()
	RequireBinary(t, "dovecot", "dovecot-imapd")
	d, err := StartDovecot(opts)
	if err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("stop dovecot: %v", err)
		}
	})
	return d
}

// StartDovecot starts a Dovecot instance in a new temporary directory; Stop ends it and
// removes the directory. Used by NewDovecot and by commands (cmd/dovecot-pair).
func StartDovecot(opts DovecotOptions) (*Dovecot, error) {
	bin, err := lookBinary("dovecot")
	if err != nil {
		return nil, fmt.Errorf("dovecot not found: install the Debian package dovecot-imapd: %w", err)
	}
	if len(opts.Users) == 0 {
		opts.Users = []User{{Name: "alice", Password: "alice-secret"}}
	}
	if opts.MasterUser == "" {
		opts.MasterUser, opts.MasterPassword = "admin", "admin-secret"
	}
	if opts.Separator == "" {
		opts.Separator = "."
	}
	if opts.Name == "" {
		opts.Name = "dovecot"
	}
	var lastErr error
	for attempt := 0; attempt < 4; attempt++ {
		d, err := startOnce(bin, opts)
		if err == nil {
			return d, nil
		}
		lastErr = err
		// A port taken between FreePort and Dovecot's bind: try other ports.
		if !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	return nil, lastErr
}

func startOnce(bin string, opts DovecotOptions) (*Dovecot, error) {
	dir, err := os.MkdirTemp("", "cutover-"+opts.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("dovecot directory: %w", err)
	}
	d := &Dovecot{Name: opts.Name, Host: "127.0.0.1", Users: opts.Users, MasterUser: opts.MasterUser,
		MasterPassword: opts.MasterPassword, Separator: opts.Separator, Dir: dir, MaxMailSize: opts.MaxMailSize,
		done: make(chan struct{}), ownsDir: true}
	fail := func(err error) (*Dovecot, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if d.Port, err = FreePort(); err != nil {
		return fail(err)
	}
	if d.TLSPort, err = FreePort(); err != nil {
		return fail(err)
	}
	if opts.DoveadmAPIKey != "" {
		if d.DoveadmPort, err = FreePort(); err != nil {
			return fail(err)
		}
	}
	conf, err := d.writeFiles(opts)
	if err != nil {
		return fail(err)
	}
	// -F: stay in the foreground, so the master is our child and its PID is known.
	d.cmd = exec.Command(bin, "-F", "-c", conf)
	// A file, not a pipe: Wait then returns when the master exits, not when the last of
	// its children closes an inherited pipe.
	out, err := os.Create(filepath.Join(d.Dir, "log", "stderr.log"))
	if err != nil {
		return fail(err)
	}
	defer out.Close()
	d.cmd.Stdout, d.cmd.Stderr = out, out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return fail(fmt.Errorf("run %s: %w", bin, err))
	}
	d.PID = d.cmd.Process.Pid
	go func() { d.cmd.Wait(); close(d.done) }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		if ready(d.Addr()) && ready(d.TLSAddr()) && (d.DoveadmPort == 0 || listening(d.DoveadmURL())) {
			return d, nil
		}
		select {
		case <-d.done:
			log, _ := os.ReadFile(d.LogFile())
			stderr, _ := os.ReadFile(out.Name())
			return fail(fmt.Errorf("dovecot exited at start: %s %s", strings.TrimSpace(string(stderr)), lastLines(string(log), 5)))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("dovecot did not listen on %s within 15s", d.Addr())
		}
	}
}

// ready reports whether an IMAP greeting arrives on addr (on the implicit TLS port the
// connection merely has to stay open for a handshake).
func ready(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 4)
	n, err := io.ReadFull(c, buf)
	if n == 4 {
		return string(buf) == "* OK"
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() // TLS port: waiting for our ClientHello
}

// DoveadmURL is the base URL of the doveadm HTTP API ("" when not enabled).
func (d *Dovecot) DoveadmURL() string {
	if d.DoveadmPort == 0 {
		return ""
	}
	return "http://" + net.JoinHostPort(d.Host, strconv.Itoa(d.DoveadmPort))
}

// listening reports whether something accepts connections at an http:// URL's address.
func listening(url string) bool {
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Stop ends the instance (SIGTERM to its process group, SIGKILL after half a second) and
// removes its directory.
func (d *Dovecot) Stop() error {
	var err error
	d.stopOnce.Do(func() {
		if d.cmd != nil && d.cmd.Process != nil {
			// The whole process group. Dovecot's master sometimes waits 6 s for children
			// that are already gone; a test server's maildirs survive a SIGKILL, and the
			// directory is removed anyway, so it gets half a second.
			syscall.Kill(-d.PID, syscall.SIGTERM)
			select {
			case <-d.done:
			case <-time.After(500 * time.Millisecond):
				syscall.Kill(-d.PID, syscall.SIGKILL)
				<-d.done
			}
			syscall.Kill(-d.PID, syscall.SIGKILL) // children left behind by the master
		}
		if d.ownsDir {
			if rmErr := os.RemoveAll(d.Dir); rmErr != nil && err == nil {
				err = rmErr
			}
		}
	})
	return err
}

// mailOwner is who owns the mail files: the running user, or when running as root (which
// Dovecot refuses for mail access and login processes) Debian's "dovecot" system user.
type mailOwner struct {
	user, group      string // for mail_uid / mail_gid
	internal, login  string // default_internal_user, default_login_user
	uid, gid         int
	root             bool
	internalGroupSet string
}

func owner() (mailOwner, error) {
	cur, err := user.Current()
	if err != nil {
		return mailOwner{}, fmt.Errorf("current user: %w", err)
	}
	if os.Geteuid() != 0 {
		g, err := user.LookupGroupId(cur.Gid)
		group := cur.Gid
		if err == nil {
			group = g.Name
		}
		uid, _ := strconv.Atoi(cur.Uid)
		gid, _ := strconv.Atoi(cur.Gid)
		return mailOwner{user: cur.Username, group: group, internal: cur.Username, login: cur.Username,
			uid: uid, gid: gid, internalGroupSet: group}, nil
	}
	du, err := user.Lookup("dovecot")
	if err != nil {
		return mailOwner{}, fmt.Errorf("running as root needs Debian's dovecot system user (package dovecot-core): %w", err)
	}
	login := "dovenull"
	if _, err := user.Lookup(login); err != nil {
		login = "nobody"
	}
	uid, _ := strconv.Atoi(du.Uid)
	gid, _ := strconv.Atoi(du.Gid)
	return mailOwner{user: "dovecot", group: "dovecot", internal: "dovecot", login: login, uid: uid, gid: gid,
		root: true, internalGroupSet: "dovecot"}, nil
}

func (d *Dovecot) writeFiles(opts DovecotOptions) (string, error) {
	o, err := owner()
	if err != nil {
		return "", err
	}
	for _, sub := range []string{"run", "log", "mail", "run/state"} {
		if err := os.MkdirAll(filepath.Join(d.Dir, sub), 0o755); err != nil {
			return "", fmt.Errorf("dovecot directory: %w", err)
		}
	}
	if o.root {
		// Dovecot's unprivileged processes must reach the config, certificate and mail.
		if err := os.Chmod(d.Dir, 0o755); err != nil {
			return "", err
		}
		if err := os.Chown(filepath.Join(d.Dir, "mail"), o.uid, o.gid); err != nil {
			return "", fmt.Errorf("give the mail directory to the dovecot user: %w", err)
		}
	}
	certFile, keyFile := filepath.Join(d.Dir, "cert.pem"), filepath.Join(d.Dir, "key.pem")
	if err := writeCert(certFile, keyFile); err != nil {
		return "", err
	}
	d.CAFile = certFile

	var users strings.Builder
	for _, u := range opts.Users {
		if strings.ContainsAny(u.Name+u.Password, ":\n") {
			return "", fmt.Errorf("test user %q: name and password cannot hold ':' or newlines", u.Name)
		}
		home := filepath.Join(d.Dir, "mail", u.Name)
		fmt.Fprintf(&users, "%s:{PLAIN}%s::::%s::\n", u.Name, u.Password, home)
	}
	if err := os.WriteFile(filepath.Join(d.Dir, "users"), []byte(users.String()), 0o644); err != nil {
		return "", err
	}
	masters := fmt.Sprintf("%s:{PLAIN}%s\n", opts.MasterUser, opts.MasterPassword)
	if err := os.WriteFile(filepath.Join(d.Dir, "masters"), []byte(masters), 0o644); err != nil {
		return "", err
	}

	var c strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&c, format+"\n", args...) }
	p("# Written by cutover's testsrv for one test: nothing here is shared with the system's Dovecot.")
	p("base_dir = %s", filepath.Join(d.Dir, "run"))
	p("state_dir = %s", filepath.Join(d.Dir, "run", "state"))
	p("instance_name = cutover-%s-%d", opts.Name, d.Port)
	p("protocols = imap")
	p("listen = 127.0.0.1")
	p("log_path = %s", d.LogFile())
	p("default_internal_user = %s", o.internal)
	p("default_internal_group = %s", o.internalGroupSet)
	p("default_login_user = %s", o.login)
	p("mail_uid = %s", o.user)
	p("mail_gid = %s", o.group)
	p("first_valid_uid = 1")
	p("first_valid_gid = 1")
	p("mail_location = maildir:~/Maildir")
	p("mail_max_userip_connections = 200")
	if !opts.Fsync {
		p("mail_fsync = never")
	}
	p("ssl = yes")
	p("ssl_cert = <%s", certFile)
	p("ssl_key = <%s", keyFile)
	p("disable_plaintext_auth = no")
	p("auth_master_user_separator = *")
	p("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN %s\n  master = yes\n}", filepath.Join(d.Dir, "masters"))
	if opts.OAuth2 == nil {
		p("auth_mechanisms = plain login")
		p("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN %s\n}", filepath.Join(d.Dir, "users"))
	} else if err := d.writeOAuth2(p, *opts.OAuth2); err != nil {
		return "", err
	}
	p("userdb {\n  driver = passwd-file\n  args = %s\n}", filepath.Join(d.Dir, "users"))
	p("namespace inbox {\n  inbox = yes\n  separator = %s", opts.Separator)
	for _, m := range [][2]string{{"Drafts", `\Drafts`}, {"Sent", `\Sent`}, {"Trash", `\Trash`}, {"Junk", `\Junk`}, {"Archive", `\Archive`}} {
		if !opts.NoSpecialFolders {
			p("  mailbox %s {\n    special_use = %s\n    auto = subscribe\n  }", m[0], m[1])
		}
	}
	p("}")
	// Without root, processes cannot chroot: turn it off.
	chroot := ""
	if !o.root {
		chroot = "  chroot =\n"
	}
	anvil := chroot
	if opts.OAuth2 != nil {
		// Tests of refused tokens fail on purpose: no auth penalty (the next login from the
		// same address waiting up to 15 s) without anvil's penalty socket.
		anvil += "  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n"
	}
	if anvil != "" {
		p("service anvil {\n%s}", anvil)
	}
	p("service imap-login {\n%s  inet_listener imap {\n    address = 127.0.0.1\n    port = %d\n  }\n  inet_listener imaps {\n    address = 127.0.0.1\n    port = %d\n    ssl = yes\n  }\n}", chroot, d.Port, d.TLSPort)
	p("service imap {\n  process_limit = 256\n}")
	if opts.DoveadmAPIKey != "" {
		if strings.ContainsAny(opts.DoveadmAPIKey, "\n\"") {
			return "", errors.New("doveadm API key: no newline or quote")
		}
		// The doveadm HTTP API (Dovecot 2.3's doveadm-server): plain HTTP, loopback only.
		p("doveadm_api_key = %s", opts.DoveadmAPIKey)
		p("service doveadm {\n%s  inet_listener http {\n    address = 127.0.0.1\n    port = %d\n  }\n}", chroot, d.DoveadmPort)
	}
	// No statistics: login processes otherwise wait 5 s for the stats process at shutdown.
	p("stats_writer_socket_path =")
	if opts.MaxMailSize > 0 {
		p("mail_plugins = quota")
		p("plugin {\n  quota = maildir:User quota\n  quota_max_mail_size = %d\n}", opts.MaxMailSize)
	}
	conf := filepath.Join(d.Dir, "dovecot.conf")
	if err := os.WriteFile(conf, []byte(c.String()), 0o644); err != nil {
		return "", err
	}
	return conf, nil
}

// writeOAuth2 configures the passdbs of token sign-in. The oauth2 passdb asks the
// provider about every token (no auth cache) and compares the login name (XOAUTH2's
// user=, OAUTHBEARER's a=) with the answer's "email" through username_format: the whole
// name for a user's token; only the domain (%d) for an app token, which is what makes one
// token open every mailbox. The active attribute tells the two apart, so a user's token
// never opens another user's mailbox. The introspection URL is used verbatim (Dovecot
// 2.3 expands no variables in it and sends no user name), so the provider cannot answer
// per mailbox: per-mailbox refusals are modelled by the provider refusing the token.
func (d *Dovecot) writeOAuth2(p func(string, ...any), o OAuth2Options) error {
	if o.IntrospectionURL == "" {
		return errors.New("dovecot oauth2: no introspection URL")
	}
	common := "introspection_mode = post\nintrospection_url = " + o.IntrospectionURL + "\nusername_attribute = email\n"
	userConf := filepath.Join(d.Dir, "oauth2-user.conf")
	if err := os.WriteFile(userConf, []byte(common+"active_attribute = active\nactive_value = true\n"), 0o644); err != nil {
		return err
	}
	p("auth_mechanisms = plain login xoauth2 oauthbearer")
	// A refused token answers at once (default: 2 s later), so tests of refusals are quick.
	p("auth_failure_delay = 0")
	p("passdb {\n  driver = passwd-file\n  mechanisms = plain login\n  args = scheme=PLAIN %s\n}", filepath.Join(d.Dir, "users"))
	p("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}", userConf)
	if o.AppTokens {
		appConf := filepath.Join(d.Dir, "oauth2-app.conf")
		if err := os.WriteFile(appConf, []byte(common+"username_format = %d\nactive_attribute = app\nactive_value = yes\n"), 0o644); err != nil {
			return err
		}
		p("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}", appConf)
	}
	return nil
}

// writeCert writes a self-signed certificate for localhost and 127.0.0.1.
func writeCert(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"cutover test server"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("create certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	// Readable by Dovecot's config process, which runs as root or as the running user.
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
}

// Done is closed when the Dovecot master process has exited.
func (d *Dovecot) Done() <-chan struct{} { return d.done }
