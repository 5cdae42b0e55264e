package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/docs"
	"cutover/backend/mailbox"
	"cutover/backend/pim"
)

// mailCommands: analyze, folders, migrate, copy, verify and mail-admin — the mailbox copy.
func mailCommands(env *Env) []*cobra.Command {
	return []*cobra.Command{analyzeCommand(env), foldersCommand(env), migrateCommand(env), copyCommand(env), verifyCommand(env), mailAdminCommand(env)}
}

func analyzeCommand(env *Env) *cobra.Command {
	var projectName, olderThan string
	var users, only []string
	cmd := &cobra.Command{
		Use:   "analyze --project P [--user U ...] [--older-than 30d] [--only mail,contacts,calendars,tasks]",
		Short: "Analyse the source mailboxes: folders, counts, sizes, dates, what each pass would copy",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			mail, classes, err := a.MigrateParts(projectName, only)
			if err != nil {
				return err
			}
			var res []api.MailboxAnalysis
			var pres []api.PIMAnalysis
			if mail {
				if res, err = a.MailAnalyze(projectName, users, olderThan); err != nil {
					return err
				}
			}
			if len(classes) > 0 {
				if pres, err = a.PIMAnalyze(projectName, users, olderThan); err != nil {
					return err
				}
			}
			if err := env.Print(bothOrOne(mail, len(classes) > 0, res, pres), func(w io.Writer) {
				printAnalysis(w, res)
				printPIMAnalysis(w, pres)
			}); err != nil {
				return err
			}
			for _, m := range res {
				if m.Error != "" {
					return Partial(fmt.Errorf("some mailboxes could not be analysed"))
				}
			}
			for _, m := range pres {
				if m.Error != "" {
					return Partial(fmt.Errorf("some mailboxes could not be analysed"))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringSliceVar(&users, "user", nil, "source login (repeat; default: the whole batch)")
	cmd.Flags().StringVar(&olderThan, "older-than", "30d", "cutoff of the pre-migration pass")
	cmd.Flags().StringSliceVar(&only, "only", nil, "what to analyse: mail, contacts, calendars, tasks (default: all the project's servers offer)")
	return cmd
}

func printAnalysis(w io.Writer, res []api.MailboxAnalysis) {
	for _, m := range res {
		fmt.Fprintf(w, "%s\n", m.SourceLogin)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  folder\tdelim\tuse\tmessages\tsize\toldest\tnewest\tpre copies\tfinal copies\t→ destination\t")
		var tm, tp, tf int
		var tb int64
		var tooLarge []string
		for _, f := range m.Folders {
			dest := f.Dest
			if f.Excluded {
				dest = "(excluded)"
			}
			name := f.Folder
			if f.Label != "" {
				name += " label " + f.Label
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t\n", name, f.Delim, f.SpecialUse, f.Messages, humanBytes(f.Bytes),
				day(f.Oldest), day(f.Newest), f.PreMessages, f.TodoMessages, dest)
			if !f.Excluded {
				tm, tp, tf, tb = tm+f.Messages, tp+f.PreMessages, tf+f.TodoMessages, tb+f.Bytes
			}
			for _, t := range f.TooLarge {
				tooLarge = append(tooLarge, fmt.Sprintf("  %s, UID %d, %q, %s (limit %s)", name, t.UID, t.Subject, humanBytes(t.Size), humanBytes(t.Limit)))
			}
		}
		fmt.Fprintf(tw, "  total copied\t\t\t%d\t%s\t\t\t%d\t%d\t\t\n", tm, humanBytes(tb), tp, tf)
		tw.Flush()
		if len(tooLarge) > 0 {
			fmt.Fprintf(w, "  %d too large for the destination (reported by the passes, not sent):\n", len(tooLarge))
			for _, l := range tooLarge {
				fmt.Fprintln(w, l)
			}
		}
		fmt.Fprintf(w, "  pre pass: %d messages, %s; %s\n", m.Estimate.Messages, humanBytes(m.Estimate.Bytes), estimateText(m.Estimate))
	}
}

// estimateText says how long the pre pass takes at least, and what sets it.
func estimateText(e api.PrePassEstimate) string {
	if e.Seconds == 0 {
		return "no provider limit holds it back (the network sets the pace)"
	}
	d := time.Duration(e.Seconds * float64(time.Second)).Round(time.Minute)
	days := d / (24 * time.Hour)
	rest := d - days*24*time.Hour
	text := fmt.Sprintf("%dh%02dm", int(rest.Hours()), int(rest.Minutes())%60)
	if days > 0 {
		text = fmt.Sprintf("%d days %s", days, text)
	}
	return fmt.Sprintf("at least %s under %s", text, e.Why)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}

// humanBytes is a byte count as the documents write it too.
func humanBytes(n int64) string { return docs.Size(n) }

func foldersCommand(env *Env) *cobra.Command {
	var projectName, user string
	cmd := &cobra.Command{
		Use:   "folders --project P --user U",
		Short: "Show where each folder of a mailbox will go (special use, well-known names, your rules)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			if user == "" {
				return Usage(errors.New("--user: the source login of the mailbox is required"))
			}
			plan, err := a.MailPlan(projectName, user)
			if err != nil {
				return err
			}
			return env.Print(plan, func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "source folder\t→ destination\twhy\t")
				for _, m := range plan.Mapping {
					dest := m.Dest
					if m.Excluded {
						dest = "(not copied)"
					} else if !m.Exists {
						dest += " (new)"
					}
					if len(m.MergedWith) > 0 { // only a rule merges; the reason names it
						dest += " (merged)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t\n", m.Source, dest, m.Reason)
				}
				tw.Flush()
			})
		},
	}
	cmd.PersistentFlags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&user, "user", "", "source login of the mailbox")

	var in api.MailRuleInput
	add := &cobra.Command{
		Use:   "rule-add --project P --pattern GLOB --action exclude|rename [--target NAME] [--user U]",
		Short: "Add a folder rule: exclude folders, or rename them (\"Archive/*\" → \"Old/…\")",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			r, err := a.MailRuleAdd(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(r, func(w io.Writer) { fmt.Fprintf(w, "rule %d: %s %s %s\n", r.ID, r.Action, r.Pattern, r.Target) })
		},
	}
	add.Flags().StringVar(&in.Pattern, "pattern", "", "folder name or glob, \"/\" between levels")
	add.Flags().StringVar(&in.Action, "action", "", "exclude or rename")
	add.Flags().StringVar(&in.Target, "target", "", "new name (rename)")
	add.Flags().StringVar(&in.SourceLogin, "user", "", "only for this mailbox (default: every mailbox)")
	list := &cobra.Command{
		Use:   "rules --project P",
		Short: "List the folder rules",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			rs, err := a.MailRules(projectName)
			if err != nil {
				return err
			}
			return env.Print(rs, func(w io.Writer) {
				for _, r := range rs {
					scope := r.SourceLogin
					if scope == "" {
						scope = "every mailbox"
					}
					fmt.Fprintf(w, "%d\t%s\t%s\t%s\t(%s)\n", r.ID, r.Action, r.Pattern, r.Target, scope)
				}
			})
		},
	}
	var id int64
	remove := &cobra.Command{
		Use:   "rule-remove --project P --id N",
		Short: "Remove a folder rule",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			return a.MailRuleRemove(projectName, id)
		},
	}
	remove.Flags().Int64Var(&id, "id", 0, "rule number (cutover folders rules)")
	cmd.AddCommand(add, list, remove)
	return cmd
}

// progressView renders "copy:progress" events: one bar on the terminal, or JSON lines.
// The pass's totals come with each event, computed by the API.
type progressView struct {
	env     *Env
	mu      sync.Mutex
	shown   time.Time
	wrote   bool
	stop    func()
	done    chan struct{}
	flushed chan struct{} // the view has shown every event published before close
}

// flushMark is published by close behind the pass's events: the bus keeps their order,
// so once the view reads it, it has shown the last progress of every mailbox.
type flushMark struct{ v *progressView }

func watchProgress(env *Env) *progressView {
	v := &progressView{env: env, done: make(chan struct{}), flushed: make(chan struct{})}
	ch, stop := env.bus.Subscribe()
	v.stop = stop
	go func() {
		defer close(v.done)
		for ev := range ch {
			switch p := ev.Data.(type) {
			case api.CopyProgress:
				v.show(p)
			case api.PIMProgress:
				v.showPIM(p)
			case flushMark:
				if p.v == v {
					close(v.flushed)
				}
			}
		}
	}()
	return v
}

func (v *progressView) show(p api.CopyProgress) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.env.JSON {
		b, _ := json.Marshal(struct {
			Event string `json:"event"`
			api.CopyProgress
		}{"progress", p})
		fmt.Fprintln(v.env.Opts.Stdout, string(b))
		return
	}
	if time.Since(v.shown) < 200*time.Millisecond && !p.State.Over() {
		return
	}
	v.shown = time.Now()
	t := p.Totals
	frac := 0.0
	if t.BytesTotal > 0 {
		frac = float64(t.BytesDone) / float64(t.BytesTotal)
	} else if t.MessagesTotal > 0 {
		frac = float64(t.MessagesDone) / float64(t.MessagesTotal)
	}
	const width = 28
	n := min(int(frac*width), width)
	eta := "-"
	if t.ETASeconds >= 0 {
		eta = time.Duration(t.ETASeconds * float64(time.Second)).Round(time.Second).String()
	}
	line := fmt.Sprintf("\r[%s%s] %d/%d msgs  %s/%s  %.0f msg/s  %s/s  ETA %s  %d running", strings.Repeat("=", n), strings.Repeat(" ", width-n),
		t.MessagesDone, t.MessagesTotal, humanBytes(t.BytesDone), humanBytes(t.BytesTotal), t.Rate, humanBytes(int64(t.ByteRate)), eta, t.Running)
	if t.Failed > 0 {
		line += fmt.Sprintf("  %d refused", t.Failed)
	}
	fmt.Fprint(v.env.Opts.Stderr, line+"\033[K")
	v.wrote = true
}

// showPIM shows a mailbox's contacts/calendars/tasks pass: done of total per class and
// the collection being copied. Collections are read one after the other, so until the
// last one is read the totals are marked "so far". A mailbox's finished line stays.
func (v *progressView) showPIM(p api.PIMProgress) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.env.JSON {
		b, _ := json.Marshal(struct {
			Event string `json:"event"`
			api.PIMProgress
		}{"pim-progress", p})
		fmt.Fprintln(v.env.Opts.Stdout, string(b))
		return
	}
	over := pimOver(p.Progress)
	if time.Since(v.shown) < 200*time.Millisecond && !over {
		return
	}
	v.shown = time.Now()
	end := "\033[K"
	if over {
		end += "\n"
	}
	fmt.Fprint(v.env.Opts.Stderr, "\r"+pimLine(p)+end)
	v.wrote = !over
}

// pimOver: every collection read and every item in scope done.
func pimOver(p pim.Progress) bool {
	if !p.Counted {
		return false
	}
	for _, c := range p.Classes {
		if c.Done < c.Total {
			return false
		}
	}
	return true
}

// pimLine is a mailbox's progress in one line, e.g.
// `alice: contacts 2/2  calendars 1/3 so far  (collection 2 of 3 "Work")  1 refused`.
func pimLine(p api.PIMProgress) string {
	var parts []string
	failed := 0
	for _, c := range p.Classes {
		parts = append(parts, fmt.Sprintf("%s %d/%d", c.Class, c.Done, c.Total))
		failed += c.Failed
	}
	line := p.SourceLogin + ": " + strings.Join(parts, "  ")
	switch {
	case len(parts) == 0 && p.Counted:
		line += "nothing to copy"
	case len(parts) == 0:
		line += "reading"
	case !p.Counted:
		line += " so far"
	}
	if p.Reached > 0 {
		name := p.Name
		if name == "" {
			name = p.Collection
		}
		line += fmt.Sprintf("  (collection %d of %d %q)", p.Reached, p.Collections, name)
	}
	if failed > 0 {
		line += fmt.Sprintf("  %d refused", failed)
	}
	return line
}

func (v *progressView) close() {
	v.env.bus.Publish("cli:flush", "", flushMark{v})
	select {
	case <-v.flushed:
	case <-v.done: // the subscription ended early (too far behind)
	}
	v.stop()
	<-v.done
	if v.wrote {
		fmt.Fprintln(v.env.Opts.Stderr)
	}
}

// printResultLine ends a --json run with the result as one JSON line.
func printResultLine(env *Env, v any) error {
	b, err := json.Marshal(struct {
		Event  string `json:"event"`
		Result any    `json:"result"`
	}{"result", v})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(env.Opts.Stdout, string(b))
	return err
}

func printFailures(w io.Writer, fs []mailbox.Failure) {
	for _, f := range fs {
		fmt.Fprintf(w, "  refused: folder %q UID %d %q (%s): %s\n", f.Folder, f.UID, f.Subject, humanBytes(f.Size), f.Reason)
	}
}

func migrateCommand(env *Env) *cobra.Command {
	var projectName string
	var in api.MailPassInput
	var only []string
	cmd := &cobra.Command{
		Use:   "migrate --project P --pass pre|final [--older-than 30d] [--user U ...] [--concurrency N] [--only mail,contacts,calendars,tasks]",
		Short: "Copy the batch's mailboxes: pre (mail older than the cutoff) or final (everything left, and flag changes)",
		Long: "Copy the batch's mailboxes from the source server to the destination.\n" +
			"The source is only read (EXAMINE, BODY.PEEK). Every copied message is recorded, so a run\n" +
			"stopped with Ctrl-C, killed or cut off resumes where it was when run again, without duplicates.\n" +
			"Exit 0 when everything was copied, 3 when some messages were refused (listed), 1 on failure.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			if in.Pass == "" {
				return Usage(errors.New("--pass: pre or final is required"))
			}
			if !c.Flags().Changed("older-than") && in.Pass == "final" {
				in.OlderThan = ""
			}
			mail, classes, err := a.MigrateParts(projectName, only)
			if err != nil {
				return err
			}
			var res api.MailPassResult
			if mail {
				view := watchProgress(env)
				res, err = a.MailMigrate(projectName, in)
				view.close()
				if err != nil && len(res.Mailboxes) == 0 {
					return err
				}
				if env.JSON {
					if perr := printResultLine(env, res); perr != nil {
						return perr
					}
				} else {
					printPass(env.Opts.Stdout, res)
				}
				if err != nil {
					return err
				}
			}
			var pres api.PIMPassResult
			if len(classes) > 0 {
				view := watchProgress(env)
				pres, err = a.PIMMigrate(projectName, api.PIMPassInput{Pass: in.Pass, OlderThan: in.OlderThan, Users: in.Users, Only: classes})
				view.close()
				if err != nil && len(pres.Mailboxes) == 0 {
					return err
				}
				if env.JSON {
					if perr := printResultLine(env, pres); perr != nil {
						return perr
					}
				} else {
					printPIMPass(env.Opts.Stdout, pres)
				}
				if err != nil {
					return err
				}
			}
			errs, failed, n := res.Errors+pres.Errors, res.Failed+pres.Failed, len(res.Mailboxes)+len(pres.Mailboxes)
			switch {
			case errs == n && errs > 0:
				return fmt.Errorf("no mailbox could be copied")
			case errs > 0 || failed > 0:
				return Partial(fmt.Errorf("%d mailboxes failed, %d messages or items refused", errs, failed))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&in.Pass, "pass", "", "pre or final")
	cmd.Flags().StringVar(&in.OlderThan, "older-than", "30d", "pre pass: copy mail older than this (INTERNALDATE)")
	cmd.Flags().StringSliceVar(&in.Users, "user", nil, "source login (repeat; default: the whole enabled batch)")
	cmd.Flags().StringSliceVar(&only, "only", nil, "what to copy: mail, contacts, calendars, tasks (default: all the project's servers offer)")
	cmd.Flags().IntVar(&in.Concurrency, "concurrency", 4, "mailboxes copied at the same time")
	cmd.Flags().IntVar(&in.FolderConcurrency, "folder-concurrency", mailbox.DefaultPipelines, "folders of one mailbox copied at the same time (each costs one source and two destination connections)")
	return cmd
}

func printPass(w io.Writer, res api.MailPassResult) {
	for _, m := range res.Mailboxes {
		r := m.Result
		fmt.Fprintf(w, "%s: %s — %d copied (%s), %d already there, %d refused", m.SourceLogin, m.State, r.Copied, humanBytes(r.Bytes), r.Matched, r.Failed)
		if r.Retries > 0 {
			fmt.Fprintf(w, ", %d reconnects", r.Retries)
		}
		fmt.Fprintln(w)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
		}
		printFailures(w, r.Failures)
	}
	fmt.Fprintf(w, "%s pass: %d messages (%s) copied in %d mailboxes\n", res.Pass, res.Copied, humanBytes(res.Bytes), len(res.Mailboxes))
}

func copyCommand(env *Env) *cobra.Command {
	var in api.CopyInput
	cmd := &cobra.Command{
		Use:   "copy --from imaps://USER@HOST:PORT --to imaps://USER@HOST:PORT [--older-than D]",
		Short: "Copy one mailbox between two IMAP servers, no project needed (resumable, no duplicates)",
		Long: "Copy one mailbox between two IMAP servers with the same engine and ledger as `migrate`.\n" +
			"Passwords come from CUTOVER_FROM_PASSWORD and CUTOVER_TO_PASSWORD, or a prompt;\n" +
			"--from-token-file / --to-token-file log in with an OAuth 2.0 token instead (Microsoft 365, Google).\n" +
			"imaps:// is implicit TLS, imap:// STARTTLS, imap+plain:// no TLS (loopback only).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if in.From == "" || in.To == "" {
				return Usage(errors.New("--from and --to: both mailboxes are required, like imaps://alice@mail.old.example"))
			}
			if _, _, err := api.ParseMailboxURL("from", in.From, in.AllowPlainFrom); err != nil {
				return err
			}
			if _, _, err := api.ParseMailboxURL("to", in.To, in.AllowPlainTo); err != nil {
				return err
			}
			var err error
			if in.FromPassword, err = password(env, "CUTOVER_FROM_PASSWORD", "password of "+in.From, in.FromTokenFile == ""); err != nil {
				return err
			}
			if in.ToPassword, err = password(env, "CUTOVER_TO_PASSWORD", "password of "+in.To, in.ToTokenFile == ""); err != nil {
				return err
			}
			a, err := env.API()
			if err != nil {
				return err
			}
			view := watchProgress(env)
			res, err := a.MailCopy(in)
			view.close()
			if env.JSON {
				if perr := printResultLine(env, res); perr != nil {
					return perr
				}
			} else {
				fmt.Fprintf(env.Opts.Stdout, "%d copied (%s), %d already there, %d refused", res.Copied, humanBytes(res.Bytes), res.Matched, res.Failed)
				if res.Retries > 0 {
					fmt.Fprintf(env.Opts.Stdout, ", %d reconnects", res.Retries)
				}
				fmt.Fprintln(env.Opts.Stdout)
				printFailures(env.Opts.Stdout, res.Failures)
			}
			if err != nil {
				return err
			}
			if res.Failed > 0 {
				return Partial(fmt.Errorf("%d messages refused by the destination", res.Failed))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&in.From, "from", "", "source mailbox, imaps://USER@HOST[:PORT]")
	cmd.Flags().StringVar(&in.To, "to", "", "destination mailbox, imaps://USER@HOST[:PORT]")
	cmd.Flags().StringVar(&in.OlderThan, "older-than", "", "copy only mail older than this (e.g. 30d); default everything")
	cmd.Flags().StringVar(&in.FromTokenFile, "from-token-file", "", `log in to the source with an OAuth 2.0 token: a JSON file {"access_token", "expiry", and to renew it "refresh_token", "client_id", "token_url"}`)
	cmd.Flags().StringVar(&in.ToTokenFile, "to-token-file", "", "log in to the destination with an OAuth 2.0 token (same JSON as --from-token-file)")
	cmd.Flags().IntVar(&in.FolderConcurrency, "folder-concurrency", mailbox.DefaultPipelines, "folders copied at the same time (each costs one source and two destination connections)")
	cmd.Flags().StringVar(&in.FromCAFile, "from-ca", "", "PEM file of extra CA roots for the source")
	cmd.Flags().StringVar(&in.ToCAFile, "to-ca", "", "PEM file of extra CA roots for the destination")
	cmd.Flags().BoolVar(&in.Insecure, "insecure-skip-verify", false, "do not verify certificates (only for servers you know)")
	cmd.Flags().BoolVar(&in.AllowPlainFrom, "allow-plain-from", false, "allow imap+plain:// (no TLS) to a source host that is not loopback")
	cmd.Flags().BoolVar(&in.AllowPlainTo, "allow-plain-to", false, "allow imap+plain:// (no TLS) to a destination host that is not loopback")
	return cmd
}

func verifyCommand(env *Env) *cobra.Command {
	var projectName string
	var users, only []string
	cmd := &cobra.Command{
		Use:   "verify --project P [--user U ...] [--only mail,contacts,calendars,tasks]",
		Short: "Compare source and destination folder by folder (and address book, calendar, task list); exit 0 only when nothing is missing",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			mail, classes, err := a.MigrateParts(projectName, only)
			if err != nil {
				return err
			}
			var res []api.MailboxCheck
			var pres []api.PIMCheck
			if mail {
				if res, err = a.MailVerify(projectName, users); err != nil {
					return err
				}
			}
			if len(classes) > 0 {
				if pres, err = a.PIMVerify(projectName, users); err != nil {
					return err
				}
			}
			if err := env.Print(bothOrOne(mail, len(classes) > 0, res, pres), func(w io.Writer) {
				printVerify(w, res)
				printPIMVerify(w, pres)
			}); err != nil {
				return err
			}
			missing, failed := 0, 0
			for _, m := range res {
				missing += m.Missing
				if m.Error != "" {
					failed++
				}
			}
			for _, m := range pres {
				missing += m.Missing
				if m.Error != "" {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d mailboxes could not be verified", failed)
			}
			if missing > 0 {
				return Partial(fmt.Errorf("%d messages or items missing at the destination", missing))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringSliceVar(&users, "user", nil, "source login (repeat; default: the whole batch)")
	cmd.Flags().StringSliceVar(&only, "only", nil, "what to compare: mail, contacts, calendars, tasks (default: all the project's servers offer)")
	return cmd
}

// bothOrOne is the JSON of a command covering mail and contacts/calendars/tasks: the
// mail part alone (as before), the other alone, or both as {"mail":…,"pim":…}.
func bothOrOne(mail, other bool, m, o any) any {
	switch {
	case mail && other:
		return struct {
			Mail any `json:"mail"`
			PIM  any `json:"pim"`
		}{m, o}
	case other:
		return o
	}
	return m
}

func printVerify(w io.Writer, res []api.MailboxCheck) {
	for _, m := range res {
		state := "complete"
		if !m.Complete {
			state = fmt.Sprintf("INCOMPLETE (%d missing)", m.Missing)
		}
		fmt.Fprintf(w, "%s: %s\n", m.SourceLogin, state)
		if m.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", m.Error)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  source folder\tmessages\t→ destination\tmessages\tmissing\t")
		for _, f := range m.Folders {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%d\t%d\t\n", f.Source, f.SourceMessages, f.Dest, f.DestMessages, len(f.Missing))
		}
		tw.Flush()
		for _, f := range m.Folders {
			for _, x := range f.Missing {
				fmt.Fprintf(w, "  missing: %q UID %d %q %s %s\n", f.Source, x.UID, x.Subject, day(x.Date), humanBytes(x.Size))
			}
		}
	}
}

func mailAdminCommand(env *Env) *cobra.Command {
	var projectName string
	var in api.MailAdminInput
	cmd := &cobra.Command{
		Use:   "mail-admin --project P --side source|dest --login ADMIN [--mode plain-authzid|dovecot-master]",
		Short: "Administrator access to a server: open mailboxes without the users' passwords",
		Long: "Store administrator access to the project's source or destination server. Mailboxes of the\n" +
			"batch without their own password are then opened as the administrator on the user's behalf:\n" +
			"AUTHENTICATE PLAIN with an authorization identity (plain-authzid), or Dovecot's user*admin\n" +
			"login (dovecot-master). The password comes from CUTOVER_ADMIN_PASSWORD or a prompt and is sealed.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			pw, err := password(env, "CUTOVER_ADMIN_PASSWORD", "password of administrator "+in.Login, true)
			if err != nil {
				return err
			}
			in.Password = pw
			if err := a.MailAdminSet(projectName, in); err != nil {
				return err
			}
			admins, err := a.MailAdmins(projectName)
			if err != nil {
				return err
			}
			return env.Print(admins, func(w io.Writer) {
				for _, ad := range admins {
					fmt.Fprintf(w, "%s: %s (%s)\n", ad.Side, ad.Login, ad.Mode)
				}
			})
		},
	}
	cmd.Flags().StringVar(&projectName, "project", "", "project name")
	cmd.Flags().StringVar(&in.Side, "side", "", "source or dest")
	cmd.Flags().StringVar(&in.Login, "login", "", "administrator login")
	cmd.Flags().StringVar(&in.Mode, "mode", "plain-authzid", "plain-authzid or dovecot-master")
	return cmd
}
