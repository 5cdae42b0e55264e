package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cutover/backend/api"
)

// signinCommands: signin (device code or browser), signin set/status/remove/script/check.
func signinCommands(env *Env) []*cobra.Command {
	return []*cobra.Command{signinCommand(env)}
}

func signinCommand(env *Env) *cobra.Command {
	var projectName, side, user string
	var device, browser, noOpen bool
	cmd := &cobra.Command{
		Use:   "signin --project P --side source|dest [--device|--browser] [--user MAILBOX]",
		Short: "Sign a mailbox's owner in to Microsoft 365 or Google Workspace (OAuth 2.0)",
		Long: "Sign a mailbox's owner in for a side whose method is microsoft-user or google-user\n" +
			"(set it with `cutover signin set`). --device (Microsoft's default) prints a code and a URL\n" +
			"and waits while the person signs in anywhere; --browser (Google's only way) opens the system\n" +
			"browser on a loopback redirect (--no-open prints the URL instead). The token is sealed in the\n" +
			"database and renewed by itself; it is never printed.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := requireProject(projectName); err != nil {
				return err
			}
			return runSignIn(env, device, browser, noOpen, func(a *api.API, mode string) (api.SignInTicket, error) {
				return a.SignInStart(projectName, api.SignInStartInput{Side: side, Mailbox: user, Mode: mode})
			})
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&side, "side", "dest", "source or dest")
	cmd.Flags().StringVar(&user, "user", "", "the batch mailbox signing in (default: the side's only mailbox)")
	cmd.Flags().BoolVar(&device, "device", false, "sign in with a code typed at a URL (Microsoft)")
	cmd.Flags().BoolVar(&browser, "browser", false, "sign in in the system browser (Microsoft, Google)")
	cmd.Flags().BoolVar(&noOpen, "no-open", false, "with --browser: print the URL instead of opening it")
	cmd.AddCommand(signinSetCommand(env), signinStatusCommand(env), signinRemoveCommand(env), signinScriptCommand(env), signinCheckCommand(env))
	return cmd
}

// runSignIn starts a sign-in in the mode --device or --browser chose, then waits for it
// (waitSignIn).
func runSignIn(env *Env, device, browser, noOpen bool, start func(a *api.API, mode string) (api.SignInTicket, error)) error {
	mode, err := signInMode(device, browser)
	if err != nil {
		return err
	}
	a, err := env.API()
	if err != nil {
		return err
	}
	t, err := start(a, mode)
	if err != nil {
		return err
	}
	return waitSignIn(env, a, t, noOpen)
}

// signInMode is the mode the flags --device and --browser choose ("" for the default).
func signInMode(device, browser bool) (string, error) {
	switch {
	case device && browser:
		return "", Usage(errors.New("--device and --browser: choose one"))
	case device:
		return "device", nil
	case browser:
		return "browser", nil
	}
	return "", nil
}

// waitSignIn shows a sign-in's code or URL (opening the browser unless noOpen), waits
// for its end and prints it. Tokens are never printed.
func waitSignIn(env *Env, a *api.API, t api.SignInTicket, noOpen bool) error {
	side := t.Side
	if t.AuthURL != "" && !noOpen {
		if err := openBrowser(t.AuthURL); err != nil {
			fmt.Fprintf(env.Opts.Stderr, "cutover: could not open the browser (%v): open the URL yourself\n", err)
		}
	}
	if env.JSON {
		if err := jsonLine(env, map[string]any{"event": "signin", "ticket": t}); err != nil {
			return err
		}
	} else if t.UserCode != "" {
		fmt.Fprintf(env.Opts.Stdout, "To sign in as %s, open %s and enter the code %s\n", t.Mailbox, t.VerificationURI, t.UserCode)
		fmt.Fprintf(env.Opts.Stdout, "Waiting for the sign-in (the code is valid until %s)…\n", t.Expiry.Local().Format("15:04"))
	} else {
		fmt.Fprintf(env.Opts.Stdout, "To sign in as %s, open this URL in a browser on this computer:\n%s\nWaiting for the sign-in…\n", t.Mailbox, t.AuthURL)
	}
	res, err := a.SignInWait(t.Handle)
	if err != nil {
		return err
	}
	if env.JSON {
		if err := printResultLine(env, res); err != nil {
			return err
		}
	} else if res.State == "signed-in" {
		fmt.Fprintf(env.Opts.Stdout, "Signed in as %s (%s)%s\n", res.Mailbox, side, renewWords(res.Refreshable))
	}
	switch res.State {
	case "signed-in":
		return nil
	case "cancelled":
		return env.Context().Err()
	}
	return errors.New(res.Error)
}

// jsonLine prints v as one line of JSON (--json output of a command that waits).
func jsonLine(env *Env, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(env.Opts.Stdout, string(b))
	return err
}

func renewWords(refreshable bool) string {
	if refreshable {
		return "; the token is renewed by itself"
	}
	return "; no refresh token: sign in again when it expires"
}

// openBrowser opens url in the system browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

func signinSetCommand(env *Env) *cobra.Command {
	var projectName, idpURL, certFile, keyFile string
	var askSecret bool
	in := api.SignInSettingInput{}
	cmd := &cobra.Command{
		Use:   "set --project P --side source|dest --method METHOD [--tenant T] [--client-id ID] [--client-secret] [--certificate F] [--service-account-key F]",
		Short: "Choose how a side signs in: password, microsoft-user, microsoft-app, google-user, google-service-account",
		Long: "Choose how a side signs in and store the customer's app registration (see the README's\n" +
			"\"Microsoft 365\" and \"Google Workspace\" sections). --client-secret reads the secret from\n" +
			"CUTOVER_CLIENT_SECRET or a prompt; the certificate (PEM with its key) and the service account's\n" +
			"JSON key are read from files. Secrets are sealed in the database and never printed.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := requireProject(projectName); err != nil {
				return err
			}
			if askSecret {
				s, err := password(env, "CUTOVER_CLIENT_SECRET", "client secret", true)
				if err != nil {
					return err
				}
				in.ClientSecret = s.Reveal()
			}
			for _, f := range []struct {
				flag, path string
				to         *string
			}{{"--certificate", certFile, &in.Certificate}, {"--service-account-key", keyFile, &in.ServiceAccountKey}} {
				if f.path == "" {
					continue
				}
				b, err := os.ReadFile(f.path)
				if err != nil {
					return Usage(fmt.Errorf("%s: %w", f.flag, err))
				}
				*f.to = string(b)
			}
			if c.Flags().Changed("idp-url") {
				in.IdPURL = &idpURL
			}
			a, err := env.API()
			if err != nil {
				return err
			}
			v, err := a.SignInSet(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) {
				fmt.Fprintf(w, "%s signs in with %s\n", v.Side, v.Method)
			})
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&in.Side, "side", "dest", "source or dest")
	cmd.Flags().StringVar(&in.Method, "method", "", "password, microsoft-user, microsoft-app, google-user or google-service-account")
	cmd.Flags().StringVar(&in.Tenant, "tenant", "", `Microsoft: "organizations" (default) or the tenant ID`)
	cmd.Flags().StringVar(&in.ClientID, "client-id", "", "the app registration's (client) ID / the Google OAuth client ID")
	cmd.Flags().BoolVar(&askSecret, "client-secret", false, "store a client secret (from CUTOVER_CLIENT_SECRET or a prompt)")
	cmd.Flags().StringVar(&certFile, "certificate", "", "Microsoft app-only: PEM file with the certificate and its private key")
	cmd.Flags().StringVar(&keyFile, "service-account-key", "", "Google: the service account's JSON key file")
	cmd.Flags().StringVar(&idpURL, "idp-url", "", "advanced: another identity provider (the demo's fake); empty removes it")
	cmd.Flags().MarkHidden("idp-url")
	return cmd
}

func signinStatusCommand(env *Env) *cobra.Command {
	var projectName string
	cmd := &cobra.Command{
		Use:   "status --project P",
		Short: "Who is signed in, per side and mailbox: until when, renewable, app-wide",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			st, err := a.SignInStatus(projectName)
			if err != nil {
				return err
			}
			return env.Print(st, func(w io.Writer) { printSignInStatus(w, st) })
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	return cmd
}

func printSignInStatus(w io.Writer, st []api.SignInSideStatus) {
	for _, s := range st {
		fmt.Fprintf(w, "%s: %s\n", s.Side, s.Method)
		if len(s.Mailboxes) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  MAILBOX\tSTATE\tEXPIRES\tREFRESH")
		for _, m := range s.Mailboxes {
			exp, ref := "-", "-"
			if !m.Expiry.IsZero() {
				exp = m.Expiry.Local().Format("2006-01-02 15:04")
			}
			if m.State == "signed-in" || m.State == "expired" {
				ref = map[bool]string{true: "yes", false: "no"}[m.Refreshable]
			}
			state := m.State
			if !m.InBatch {
				state += " (not in the batch)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.Mailbox, state, exp, ref)
		}
		tw.Flush()
	}
}

func signinRemoveCommand(env *Env) *cobra.Command {
	var projectName, side, user string
	cmd := &cobra.Command{
		Use:   "remove --project P --side source|dest --user MAILBOX",
		Short: "Forget a mailbox's sign-in (its sealed token)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			return a.SignInRemove(projectName, side, user)
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&side, "side", "dest", "source or dest")
	cmd.Flags().StringVar(&user, "user", "", "the mailbox")
	return cmd
}

func signinScriptCommand(env *Env) *cobra.Command {
	var projectName, side, out, objectID string
	cmd := &cobra.Command{
		Use:   "script --project P --side dest --out grant.ps1 [--object-id ID]",
		Short: "Write the Exchange Online PowerShell giving the app FullAccess to each mailbox of the batch",
		Long: "Write the PowerShell an Exchange administrator runs (after Connect-ExchangeOnline) so that\n" +
			"the app registration of a microsoft-app side may open every mailbox of the batch:\n" +
			"New-ServicePrincipal, then Add-MailboxPermission … -AccessRights FullAccess per mailbox.\n" +
			"--object-id is the app's Object ID under Entra admin center > Enterprise applications; without\n" +
			"it the script asks for it (-ObjectId).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			f, err := a.SignInScript(projectName, side, objectID)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = env.Opts.Stdout.Write(f.Data)
				return err
			}
			if err := os.WriteFile(out, f.Data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			fmt.Fprintf(env.Opts.Stderr, "wrote %s: run it in Exchange Online PowerShell, then `cutover signin check --project %s --side %s`\n", out, projectName, side)
			return nil
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&side, "side", "dest", "source or dest")
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	cmd.Flags().StringVar(&objectID, "object-id", "", "the enterprise application's Object ID")
	return cmd
}

func signinCheckCommand(env *Env) *cobra.Command {
	var projectName, side string
	cmd := &cobra.Command{
		Use:   "check --project P --side source|dest",
		Short: "Log in to each mailbox of the batch with the side's token and say, per mailbox, whether access works",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			res, err := a.SignInCheck(projectName, side)
			if err != nil {
				return err
			}
			if err := env.Print(res, func(w io.Writer) {
				for _, r := range res {
					if r.OK {
						fmt.Fprintf(w, "%s: ok\n", r.Mailbox)
					} else if r.Advice != "" {
						fmt.Fprintf(w, "%s: refused: %s\n", r.Mailbox, r.Advice)
					} else {
						fmt.Fprintf(w, "%s: %s\n", r.Mailbox, r.Error)
					}
				}
			}); err != nil {
				return err
			}
			var bad []string
			for _, r := range res {
				if !r.OK {
					bad = append(bad, r.Mailbox)
				}
			}
			switch {
			case len(bad) == 0:
				return nil
			case len(bad) == len(res):
				return fmt.Errorf("no mailbox could be opened (%s)", strings.Join(bad, ", "))
			}
			return Partial(fmt.Errorf("%d of %d mailboxes could not be opened: %s", len(bad), len(res), strings.Join(bad, ", ")))
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&side, "side", "dest", "source or dest")
	return cmd
}
