package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"cutover/backend/secrets"
)

// password reads a password from the environment variable envVar, else, when ask is set,
// from a prompt on the terminal (no echo) or one line of standard input. Passwords never
// come from the command line itself, where other users and shell histories can see them.
func password(env *Env, envVar, prompt string, ask bool) (secrets.Secret, error) {
	if v, ok := os.LookupEnv(envVar); ok && v != "" {
		return secrets.New(v), nil
	}
	if !ask {
		return secrets.Secret{}, nil
	}
	if f, ok := env.Opts.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(env.Opts.Stderr, "%s: ", prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Opts.Stderr)
		if err != nil {
			return secrets.Secret{}, fmt.Errorf("read %s: %w", prompt, err)
		}
		return secrets.New(string(b)), nil
	}
	line, err := bufio.NewReader(env.Opts.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return secrets.Secret{}, Usage(fmt.Errorf("%s: set %s or type it on standard input", prompt, envVar))
	}
	return secrets.New(strings.TrimRight(line, "\r\n")), nil
}
