package testsrv

// A server process a test starts (nsd, knotd): its output to a log file, its readiness
// polled a bounded number of times, stopped with SIGTERM.

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// daemon is a server process running in the foreground.
type daemon struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // how it exited, set before done is closed
}

// startDaemon starts bin with args, standard output and error to logPath.
func startDaemon(bin string, args []string, logPath string) (*daemon, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	d := &daemon{cmd: cmd, done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		logf.Close()
		close(d.done)
	}()
	return d, nil
}

// await calls ready up to tries times, every apart, until it succeeds; it gives up at
// once when the process exits.
func (d *daemon) await(tries int, every time.Duration, ready func() error) error {
	err := fmt.Errorf("not ready after %d tries", tries)
	for range tries {
		select {
		case <-d.done:
			return fmt.Errorf("exited: %v", d.err)
		default:
		}
		if err = ready(); err == nil {
			return nil
		}
		time.Sleep(every)
	}
	return err
}

// signal sends sig to the process.
func (d *daemon) signal(sig os.Signal) { _ = d.cmd.Process.Signal(sig) }

// stop ends the process (SIGTERM, then SIGKILL after 10 s) and waits for it.
func (d *daemon) stop() {
	if d == nil {
		return
	}
	select {
	case <-d.done:
		return
	default:
	}
	d.signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// soaSerial asks the server at addr for origin's SOA serial.
func soaSerial(addr, origin string) (uint32, error) {
	m := new(dns.Msg)
	m.SetQuestion(origin, dns.TypeSOA)
	c := &dns.Client{Timeout: time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		return 0, err
	}
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.Serial, nil
		}
	}
	return 0, fmt.Errorf("no SOA for %s: %s", origin, dns.RcodeToString[r.Rcode])
}

// onFreePort calls start with a loopback port free for UDP and TCP until it succeeds,
// five times at most: another process may take a port between its test and its use.
func onFreePort(start func(port int) error) error {
	var lastErr error
	for range 5 {
		port, err := nsdFreePort()
		if err != nil {
			return err
		}
		if lastErr = start(port); lastErr == nil {
			return nil
		}
	}
	return lastErr
}
