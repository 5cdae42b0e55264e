package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/docs"
	"cutover/backend/messages"
)

// customerCommands are the customer pack: documents, messages, the specialist's profile,
// the project's pack settings and closing the case.
func customerCommands(env *Env) []*cobra.Command {
	return []*cobra.Command{docCommand(env), messageCommand(env), specialistCommand(env), customerCommand(env), caseCommand(env)}
}

func docCommand(env *Env) *cobra.Command {
	doc := &cobra.Command{Use: "doc", Short: "Write a document of the customer pack (PDF, print-ready HTML or xlsx) from the project"}
	var projectName, out, format string
	doc.PersistentFlags().StringVar(&projectName, "project", "", "project name")
	doc.PersistentFlags().StringVar(&out, "out", "", "file to write: its extension (.pdf, .html, .xlsx) is the format; - for standard output")
	doc.PersistentFlags().StringVar(&format, "format", "", "pdf, html or xlsx (default: from --out)")
	short := map[docs.Kind]string{
		docs.Tasks:          "Preparation tasks for the customer: access, verification TXT, TTLs, spreadsheets, the cutover window",
		docs.Limitations:    "Migration Tool Limitations: what moves, what does not, size limits, folders left out, refused messages",
		docs.Guide:          "User guide: webmail on the day, Outlook version and profile, phones, what users move by hand",
		docs.ReportProgress: "Progress report: per mailbox, done of total and refused",
		docs.ReportVerify:   "Verification report: source against destination, folder by folder",
		docs.ReportClose:    "Closing report: every step with its date and evidence, contacts, DNS, verification, open items",
	}
	for _, k := range docs.Kinds {
		doc.AddCommand(&cobra.Command{
			Use:   string(k) + " --project P --out F.pdf|F.html|F.xlsx",
			Short: short[k],
			Args:  cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				f := format
				if f == "" {
					f = out
				}
				if f == "" || f == "-" {
					return Usage(errors.New("--out: a file ending in .pdf, .html or .xlsx is required (or --format with --out -)"))
				}
				a, err := env.projectAPI(projectName)
				if err != nil {
					return err
				}
				file, err := a.CustomerDocument(projectName, string(k), f)
				if err != nil {
					return err
				}
				return writeFile(env, out, file)
			},
		})
	}
	return doc
}

func messageCommand(env *Env) *cobra.Command {
	msg := &cobra.Command{Use: "message", Short: "The customer pack's messages: draft, edit, save as .eml, send, log"}
	var projectName, step string
	msg.PersistentFlags().StringVar(&projectName, "project", "", "project name")
	msg.PersistentFlags().StringVar(&step, "step", "", "the message: "+messageKeys())
	open := func() (*api.API, error) {
		if step == "" {
			return nil, Usage(errors.New("--step: the message is required: " + messageKeys()))
		}
		return env.projectAPI(projectName)
	}
	// showDraft and showSent print what a message command did.
	showDraft := func(d messages.Draft, err error) error {
		if err != nil {
			return err
		}
		return env.Print(d, func(w io.Writer) { printDraft(w, d) })
	}
	showSent := func(r api.SendResult, err error) error {
		if err != nil {
			return err
		}
		return env.Print(r, func(w io.Writer) { printSent(w, r) })
	}
	var out string
	var over api.SendInput
	draft := &cobra.Command{
		Use:   "draft --project P --step S [--to A]... [--out F.eml]",
		Short: "Show a message's draft with the project's values, or save it as .eml for your own mail client",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			if out != "" {
				f, err := a.MessageEML(projectName, step, over)
				if err != nil {
					return err
				}
				return writeFile(env, out, f)
			}
			d, err := a.MessageDraft(projectName, step)
			if len(over.To) > 0 {
				d.To = over.To
			}
			if len(over.Cc) > 0 {
				d.Cc = over.Cc
			}
			return showDraft(d, err)
		},
	}
	draft.Flags().StringVar(&out, "out", "", "write the message as an .eml file (- for standard output)")
	draft.Flags().StringArrayVar(&over.To, "to", nil, "recipient instead of the draft's (repeat, or comma-separated)")
	draft.Flags().StringArrayVar(&over.Cc, "cc", nil, "copy to instead of the draft's")

	var in api.DraftInput
	var bodyFile string
	save := &cobra.Command{
		Use:   "edit --project P --step S [--subject S] [--body-file F] [--to A]...",
		Short: "Keep your edit of a message for this project (what you do not give stays as drafted)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			d, err := a.MessageDraft(projectName, step)
			if err != nil {
				return err
			}
			edit := api.DraftInput{To: d.To, Cc: d.Cc, Subject: d.Subject, Body: d.Body}
			if c.Flags().Changed("to") {
				edit.To = in.To
			}
			if c.Flags().Changed("cc") {
				edit.Cc = in.Cc
			}
			if c.Flags().Changed("subject") {
				edit.Subject = in.Subject
			}
			if bodyFile != "" {
				b, err := readInput(env, bodyFile)
				if err != nil {
					return err
				}
				edit.Body = string(b)
			}
			return showDraft(a.SaveMessageDraft(projectName, step, edit))
		},
	}
	save.Flags().StringArrayVar(&in.To, "to", nil, "recipient (repeat, or comma-separated)")
	save.Flags().StringArrayVar(&in.Cc, "cc", nil, "copy to (repeat, or comma-separated)")
	save.Flags().StringVar(&in.Subject, "subject", "", "the subject")
	save.Flags().StringVar(&bodyFile, "body-file", "", "file with the body (- for standard input)")

	reset := &cobra.Command{
		Use:   "reset --project P --step S",
		Short: "Drop your edit: the message is written from the project's values again",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			return showDraft(a.ResetMessageDraft(projectName, step))
		},
	}

	var send api.SendInput
	sendCmd := &cobra.Command{
		Use:   "send --project P --step S [--to A]...",
		Short: "Send a message through your SMTP server (cutover specialist set), log it and mark its contact step",
		Long:  "Sends the message, records it in the contact log against its step and marks a contact step done.\nA recipient the server refuses is named and the command exits 3; when all are refused nothing is sent.",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			res, err := a.MessageSend(projectName, step, send)
			if err := showSent(res, err); err != nil {
				return err
			}
			if len(res.Refused) > 0 {
				return Partial(fmt.Errorf("%d recipients refused", len(res.Refused)))
			}
			return nil
		},
	}
	sendCmd.Flags().StringArrayVar(&send.To, "to", nil, "recipient instead of the draft's (repeat, or comma-separated)")
	sendCmd.Flags().StringArrayVar(&send.Cc, "cc", nil, "copy to instead of the draft's")

	var note string
	logCmd := &cobra.Command{
		Use:   "log --project P --step S [--note TEXT]",
		Short: "Record that you sent a message from your own mail client (.eml): contact log and step",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := open()
			if err != nil {
				return err
			}
			return showSent(a.MessageLogged(projectName, step, note))
		},
	}
	logCmd.Flags().StringVar(&note, "note", "", "what to add to the contact log")
	msg.AddCommand(draft, save, reset, sendCmd, logCmd)
	return msg
}

func messageKeys() string {
	keys := make([]string, len(messages.Kinds))
	for i, k := range messages.Kinds {
		keys[i] = k.Key
	}
	return strings.Join(keys, ", ")
}

func printDraft(w io.Writer, d messages.Draft) {
	edited := ""
	if d.Edited {
		edited = " (edited for this project)"
	}
	fmt.Fprintf(w, "From: %s\nTo: %s\n", d.From, strings.Join(d.To, ", "))
	if len(d.Cc) > 0 {
		fmt.Fprintf(w, "Cc: %s\n", strings.Join(d.Cc, ", "))
	}
	fmt.Fprintf(w, "Subject: %s%s\n\n%s\n", d.Subject, edited, d.Body)
}

func printSent(w io.Writer, r api.SendResult) {
	fmt.Fprintf(w, "Sent to %s.\n", strings.Join(r.Accepted, ", "))
	for _, x := range r.Refused {
		fmt.Fprintf(w, "Refused: %s\n", x)
	}
	fmt.Fprintf(w, "Logged: %s\n", r.Contact.Summary)
	if r.Step != nil {
		fmt.Fprintf(w, "Step %s: %s\n", r.Step.Title, r.Step.Status)
	}
}

func specialistCommand(env *Env) *cobra.Command {
	sp := &cobra.Command{Use: "specialist", Short: "Your profile: the name, company, phone and signature of your messages, and your SMTP server"}
	show := &cobra.Command{
		Use:   "show",
		Short: "Show your profile (never the SMTP password)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			v, err := a.Specialist()
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) { printSpecialist(w, v) })
		},
	}
	var in api.SpecialistInput
	var security, signatureFile string
	var askPassword, askClientSecret bool
	set := &cobra.Command{
		Use: "set [--name N] [--company C] [--email E] [--phone P] [--signature-file F] [--smtp-host H --smtp-port 587 --smtp-security starttls|tls --smtp-user U --smtp-password]\n" +
			"  [--smtp-auth password|microsoft|google --smtp-tenant T --smtp-client-id ID --smtp-client-secret]",
		Short: "Change your profile; --smtp-password reads CUTOVER_SMTP_PASSWORD or prompts, and seals it",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.API()
			if err != nil {
				return err
			}
			cur, err := a.Specialist()
			if err != nil {
				return err
			}
			p := cur.SpecialistProfile
			for _, f := range []struct {
				flag string
				from *string
				to   *string
			}{{"name", &in.Name, &p.Name}, {"company", &in.Company, &p.Company}, {"email", &in.Email, &p.Email}, {"phone", &in.Phone, &p.Phone},
				{"smtp-host", &in.SMTPHost, &p.SMTPHost}, {"smtp-user", &in.SMTPUser, &p.SMTPUser}, {"smtp-ca-file", &in.SMTPCAFile, &p.SMTPCAFile},
				{"smtp-auth", &in.SMTPAuth, &p.SMTPAuth}, {"smtp-tenant", &in.SMTPTenant, &p.SMTPTenant}, {"smtp-client-id", &in.SMTPClientID, &p.SMTPClientID},
				{"smtp-idp-url", &in.SMTPIdPURL, &p.SMTPIdPURL}} {
				if c.Flags().Changed(f.flag) {
					*f.to = *f.from
				}
			}
			if c.Flags().Changed("smtp-port") {
				p.SMTPPort = in.SMTPPort
			}
			if security != "" {
				p.SMTPSecurity = messages.Security(security)
			}
			if signatureFile != "" {
				b, err := readInput(env, signatureFile)
				if err != nil {
					return err
				}
				p.Signature = strings.TrimSpace(string(b))
			}
			next := api.SpecialistInput{SpecialistProfile: p}
			if askPassword {
				if next.SMTPPassword, err = password(env, "CUTOVER_SMTP_PASSWORD", "SMTP password", true); err != nil {
					return err
				}
			}
			if askClientSecret {
				if next.SMTPClientSecret, err = password(env, "CUTOVER_SMTP_CLIENT_SECRET", "OAuth client secret", true); err != nil {
					return err
				}
			}
			v, err := a.SetSpecialist(next)
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) { printSpecialist(w, v) })
		},
	}
	set.Flags().StringVar(&in.Name, "name", "", "your name")
	set.Flags().StringVar(&in.Company, "company", "", "your company")
	set.Flags().StringVar(&in.Email, "email", "", "your address: the From of every message")
	set.Flags().StringVar(&in.Phone, "phone", "", "your phone number")
	set.Flags().StringVar(&signatureFile, "signature-file", "", "your signature (replaces the built-in one; - for standard input)")
	set.Flags().StringVar(&in.SMTPHost, "smtp-host", "", "SMTP submission server, e.g. smtp.office365.com")
	set.Flags().IntVar(&in.SMTPPort, "smtp-port", 587, "587 (STARTTLS) or 465 (TLS)")
	set.Flags().StringVar(&security, "smtp-security", "", "starttls (587) or tls (465)")
	set.Flags().StringVar(&in.SMTPUser, "smtp-user", "", "SMTP user name")
	set.Flags().StringVar(&in.SMTPCAFile, "smtp-ca-file", "", "PEM file of a private CA the server's certificate comes from")
	set.Flags().BoolVar(&askPassword, "smtp-password", false, "store the SMTP password (from CUTOVER_SMTP_PASSWORD or a prompt)")
	set.Flags().StringVar(&in.SMTPAuth, "smtp-auth", "", "how the SMTP user signs in: password, microsoft (Microsoft 365, device code) or google (browser); then `cutover specialist signin --smtp`")
	set.Flags().StringVar(&in.SMTPTenant, "smtp-tenant", "", "Microsoft: the tenant ID or domain (default: organizations)")
	set.Flags().StringVar(&in.SMTPClientID, "smtp-client-id", "", "the client ID of the app registration (Microsoft) or OAuth client (Google) you sign in with")
	set.Flags().BoolVar(&askClientSecret, "smtp-client-secret", false, "store the OAuth client's secret (from CUTOVER_SMTP_CLIENT_SECRET or a prompt; Google's Desktop clients have one)")
	set.Flags().StringVar(&in.SMTPIdPURL, "smtp-idp-url", "", "replace the provider's sign-in endpoints (a test identity provider)")
	var smtp, device, browser, noOpen bool
	signin := &cobra.Command{
		Use:   "signin --smtp [--device|--browser] [--no-open]",
		Short: "Sign the SMTP user in with OAuth 2.0 (--smtp-auth microsoft or google); the token is sealed, never printed",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !smtp {
				return Usage(errors.New("--smtp: the SMTP submission server is the only thing the specialist signs in to"))
			}
			return runSignIn(env, device, browser, noOpen, func(a *api.API, mode string) (api.SignInTicket, error) {
				return a.SpecialistSignInStart(api.SpecialistSignInInput{Mode: mode})
			})
		},
	}
	signin.Flags().BoolVar(&smtp, "smtp", false, "sign in to the SMTP submission server of your profile")
	signin.Flags().BoolVar(&device, "device", false, "sign in with a code typed at a URL (Microsoft's default)")
	signin.Flags().BoolVar(&browser, "browser", false, "sign in in the system browser (Google's only way)")
	signin.Flags().BoolVar(&noOpen, "no-open", false, "with --browser: print the URL instead of opening it")
	signout := &cobra.Command{
		Use:   "signout --smtp",
		Short: "Forget the SMTP user's OAuth token (sign in again to send)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !smtp {
				return Usage(errors.New("--smtp: the SMTP submission server is the only thing the specialist signs in to"))
			}
			a, err := env.API()
			if err != nil {
				return err
			}
			if err := a.SpecialistSignOut(); err != nil {
				return err
			}
			fmt.Fprintln(env.Opts.Stdout, "Signed out of the SMTP server: its token is deleted")
			return nil
		},
	}
	signout.Flags().BoolVar(&smtp, "smtp", false, "forget the token of the SMTP submission server")
	sp.AddCommand(show, set, signin, signout)
	return sp
}

func printSpecialist(w io.Writer, v api.SpecialistView) {
	pw := "no password stored"
	if v.HasSMTPPassword {
		pw = "password stored"
	}
	fmt.Fprintf(w, "%s, %s — %s — %s\n", v.Name, v.Company, v.Email, v.Phone)
	switch {
	case v.SMTPAuth == api.SMTPAuthMicrosoft || v.SMTPAuth == api.SMTPAuthGoogle:
		pw = "not signed in (cutover specialist signin --smtp)"
		if v.SMTPSignedIn {
			pw = "signed in" + renewWords(v.SMTPRefreshable)
		}
		pw = v.SMTPAuth + " sign-in, " + pw
	}
	if v.SMTPHost != "" {
		fmt.Fprintf(w, "SMTP: %s:%d (%s) as %s, %s\n", v.SMTPHost, v.SMTPPort, v.SMTPSecurity, v.SMTPUser, pw)
	} else {
		fmt.Fprintln(w, "SMTP: not set (messages are saved as .eml only)")
	}
}

func customerCommand(env *Env) *cobra.Command {
	var projectName string
	var in api.CustomerSettingsInput
	var language, webmail, name, email string
	cmd := &cobra.Command{
		Use:   "customer --project P [--language en|fr] [--webmail URL] [--contact-name N] [--contact-email E]",
		Short: "The project's customer-pack settings: language, webmail URL of the day, the customer's contact",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			for flag, v := range map[string]struct {
				from *string
				to   **string
			}{"language": {&language, &in.Language}, "webmail": {&webmail, &in.Webmail}, "contact-name": {&name, &in.ContactName}, "contact-email": {&email, &in.ContactEmail}} {
				if c.Flags().Changed(flag) {
					*v.to = v.from
				}
			}
			v, err := a.SetCustomerSettings(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) {
				fmt.Fprintf(w, "Language %s; webmail %s; contact %s <%s>\n", v.Language, v.Webmail, v.ContactName, v.ContactEmail)
			})
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&language, "language", "", "en or fr: the language of the documents and messages")
	cmd.Flags().StringVar(&webmail, "webmail", "", "the webmail URL users use on the day (empty: the provider's)")
	cmd.Flags().StringVar(&name, "contact-name", "", "the customer's contact person")
	cmd.Flags().StringVar(&email, "contact-email", "", "where messages go by default")
	return cmd
}

func caseCommand(env *Env) *cobra.Command {
	cs := &cobra.Command{Use: "case", Short: "The migration case"}
	var projectName, reason, out string
	var force bool
	closeCmd := &cobra.Command{
		Use:   "close --project P [--force --reason TEXT] [--out report.pdf]",
		Short: "Close the case and write the closing report; refused while the follow-up or the verification is open",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(projectName)
			if err != nil {
				return err
			}
			res, err := a.CloseCase(projectName, force, reason)
			if err != nil {
				return err
			}
			if out != "" {
				return writeFile(env, out, res.Report)
			}
			return env.Print(res.Step, func(w io.Writer) {
				fmt.Fprintf(w, "%s: %s — %s\n", res.Step.Title, res.Step.Status, res.Step.Note)
			})
		},
	}
	closeCmd.Flags().StringVar(&projectName, "project", "", "project name")
	closeCmd.Flags().BoolVar(&force, "force", false, "close with open items (needs --reason)")
	closeCmd.Flags().StringVar(&reason, "reason", "", "why the case closes with open items")
	closeCmd.Flags().StringVar(&out, "out", "", "write the closing report (PDF) to this file")
	cs.AddCommand(closeCmd)
	return cs
}
