package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cutover/backend/api"
	"cutover/backend/dnscheck"
)

// dnsCommands: cutover dns check|show|records|record set|record reset|set|evidence|mark|host set|host show|change|changes.
func dnsCommands(env *Env) []*cobra.Command {
	var projectName string
	root := &cobra.Command{Use: "dns", Short: "DNS checks: domain verification, lowered TTLs with a safe-switch time, propagation of the new records"}
	root.PersistentFlags().StringVar(&projectName, "project", "", "project name")

	var o api.DnsCheckOptions
	var reach bool
	check := &cobra.Command{
		Use:   "check --project P [--phase before|after] [--resolver ADDR[:PORT] ...] [--nameserver ADDR[:PORT] ...]",
		Short: "Check the project's DNS records now (exit 0: all pass, 3: some fail)",
		Long: "Check the project's DNS records now and store every answer.\n\n" +
			"before: the verification TXT is published, and the TTLs of the records that will change\n" +
			"        (MX, Autodiscover, SPF, the mail hosts) are at or below the target on the\n" +
			"        authoritative servers; says when it is safe to switch.\n" +
			"after:  the new records on every authoritative server, then on every resolver.\n\n" +
			"Authoritative servers are found through NS unless --nameserver is given; resolvers default to\n" +
			"the project's (cutover dns set), else the system resolver and a few public ones.\n" +
			"Exit 0 when every check passes, 3 when some fail, 2 for bad input.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			if c.Flags().Changed("reach") {
				o.Reach = &reach
			}
			r, err := a.DnsCheck(projectName, o)
			if err != nil {
				return err
			}
			if err := env.Print(r, func(w io.Writer) { printDNSCheck(w, r) }); err != nil {
				return err
			}
			if !r.Report.OK {
				return Partial(fmt.Errorf("DNS check: %d passed, %d failed", r.Report.Passed, r.Report.Failed))
			}
			return nil
		},
	}
	check.Flags().StringVar(&o.Phase, "phase", "", "before or after (default: before until the cutover time, after from it)")
	check.Flags().StringArrayVar(&o.Resolvers, "resolver", nil, "a resolver to ask, IP[:PORT] (repeat for more)")
	check.Flags().StringArrayVar(&o.Nameservers, "nameserver", nil, "an authoritative server to ask instead of the NS records', IP[:PORT] (repeat for more)")
	check.Flags().BoolVar(&reach, "reach", false, "also try the destination's IMAP and submission ports with TLS")

	var showPhase string
	show := &cobra.Command{
		Use:   "show --project P [--phase before|after]",
		Short: "Show the latest check",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			r, err := a.DnsLatest(projectName, showPhase)
			if err != nil {
				return err
			}
			if r == nil {
				return env.Print(nil, func(w io.Writer) { fmt.Fprintln(w, "no DNS check yet: run `cutover dns check`") })
			}
			return env.Print(r, func(w io.Writer) { printDNSCheck(w, *r) })
		},
	}
	show.Flags().StringVar(&showPhase, "phase", "", "before or after (default: the latest of either)")

	records := &cobra.Command{
		Use:   "records --project P",
		Short: "List the expected records (the provider's, with the project's edits) and the settings",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			s, err := a.DnsSetup(projectName)
			if err != nil {
				return err
			}
			return env.Print(s, func(w io.Writer) { printDNSSetup(w, s) })
		},
	}

	recordCmd := &cobra.Command{Use: "record", Short: "Edit the expected records"}
	var in dnscheck.RecordInput
	var changes bool
	recordSet := &cobra.Command{
		Use:   "set --project P --key K --name NAME --type TYPE --value VALUE [--domain D] [--ttl N] [--match spf] [--disabled]",
		Short: "Add an expected record, or change one of the provider's for this project (same key)",
		Long: "Add an expected record, or change one of the provider's for this project (same key: verify, mx, spf,\n" +
			"autodiscover, srv-imaps, srv-submission). NAME is \"@\", a label (autodiscover) or a name inside the domain.\n" +
			"VALUE is written as in a zone file: MX \"0 host\", SRV \"0 1 993 host\", CNAME \"host\", TXT the text;\n" +
			"with --match spf, the SPF mechanism that must be in the domain's one SPF record.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			if c.Flags().Changed("changes") {
				in.Changes = &changes
			}
			r, err := a.DnsSetRecord(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(r, func(w io.Writer) { printDNSRecords(w, []dnscheck.Record{r}) })
		},
	}
	recordSet.Flags().StringVar(&in.Domain, "domain", "", "the domain (default: the project's only domain)")
	recordSet.Flags().StringVar(&in.Key, "key", "", "the record's key")
	recordSet.Flags().StringVar(&in.Purpose, "purpose", "", "what it is for, in words")
	recordSet.Flags().StringVar(&in.Name, "name", "@", "owner name")
	recordSet.Flags().StringVar(&in.Type, "type", "", "MX, TXT, CNAME, SRV, A or AAAA")
	recordSet.Flags().StringVar(&in.Value, "value", "", "expected value")
	recordSet.Flags().StringVar(&in.Match, "match", "", "exact (default) or spf")
	recordSet.Flags().StringVar(&in.TTL, "ttl", "", "TTL to publish it with (default 300)")
	recordSet.Flags().BoolVar(&in.Disabled, "disabled", false, "do not check this record")
	recordSet.Flags().BoolVar(&changes, "changes", true, "its TTL must be lowered before the cutover")

	var resetDomain string
	recordReset := &cobra.Command{
		Use:   "reset --project P [--domain D] KEY",
		Short: "Drop the project's edit of a record: the provider's comes back, an added one goes",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			d := resetDomain
			if d == "" {
				p, err := a.Project(projectName)
				if err != nil {
					return err
				}
				if len(p.Domains) != 1 {
					return Usage(fmt.Errorf("--domain: the project has %d domains (%s): say which", len(p.Domains), strings.Join(p.Domains, ", ")))
				}
				d = p.Domains[0]
			}
			if err := a.DnsResetRecord(projectName, d, args[0]); err != nil {
				return err
			}
			return env.Print(map[string]string{"reset": args[0], "domain": d}, func(w io.Writer) { fmt.Fprintf(w, "%s of %s is back to the provider's\n", args[0], d) })
		},
	}
	recordReset.Flags().StringVar(&resetDomain, "domain", "", "the domain (default: the project's only domain)")
	recordCmd.AddCommand(recordSet, recordReset)

	var verification, resolvers, nameservers []string
	var ttlTarget string
	var setReach bool
	set := &cobra.Command{
		Use:   "set --project P [--verification [DOMAIN=]VALUE ...] [--resolver ADDR ...] [--nameserver ADDR ...] [--ttl-target N] [--reach]",
		Short: "Set the verification value, the resolvers, the authoritative servers, the TTL target",
		Long: "Set the project's DNS settings. --verification takes the TXT value the destination's console gives\n" +
			"(MS=ms12345678, google-site-verification=...), for the only domain or as DOMAIN=VALUE; an empty value\n" +
			"removes it. --resolver and --nameserver replace the lists (give \"\" to empty them).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			var in api.DnsSettingsInput
			if len(verification) > 0 {
				in.Verification = map[string]string{}
				for _, v := range verification {
					d, val := "", v
					// MS=ms… and google-site-verification=… have no dot before their "=": a domain does.
					if i := strings.Index(v, "="); i > 0 && strings.Contains(v[:i], ".") {
						d, val = v[:i], v[i+1:]
					}
					in.Verification[d] = val
				}
			}
			if c.Flags().Changed("resolver") {
				in.Resolvers = &resolvers
			}
			if c.Flags().Changed("nameserver") {
				in.Nameservers = &nameservers
			}
			if c.Flags().Changed("ttl-target") {
				in.TTLTarget = &ttlTarget
			}
			if c.Flags().Changed("reach") {
				in.Reach = &setReach
			}
			if in.Verification == nil && in.Resolvers == nil && in.Nameservers == nil && in.TTLTarget == nil && in.Reach == nil {
				return Usage(errors.New("nothing to set: give --verification, --resolver, --nameserver, --ttl-target or --reach"))
			}
			st, err := a.DnsSetSettings(projectName, in)
			if err != nil {
				return err
			}
			return env.Print(st, func(w io.Writer) { printDNSSettings(w, st) })
		},
	}
	set.Flags().StringArrayVar(&verification, "verification", nil, "verification TXT value, or DOMAIN=VALUE")
	set.Flags().StringArrayVar(&resolvers, "resolver", nil, "resolver IP[:PORT] (repeat)")
	set.Flags().StringArrayVar(&nameservers, "nameserver", nil, "authoritative server IP[:PORT] (repeat)")
	set.Flags().StringVar(&ttlTarget, "ttl-target", "", "TTL in seconds the changing records must be lowered to (default 300)")
	set.Flags().BoolVar(&setReach, "reach", false, "also try the destination's IMAP and submission ports on every check")

	evidence := &cobra.Command{
		Use:   "evidence --project P",
		Short: "What the latest checks prove for the timeline steps",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			ev, err := a.DnsEvidence(projectName)
			if err != nil {
				return err
			}
			return env.Print(ev, func(w io.Writer) { printEvidence(w, ev) })
		},
	}
	mark := &cobra.Command{
		Use:   "mark --project P STEP",
		Short: "Mark a timeline step done from a passing check (verify_domain, lower_ttl, dns_change, outlook)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := projectAPI(env, projectName)
			if err != nil {
				return err
			}
			st, err := a.DnsMarkStep(projectName, args[0])
			if err != nil {
				return err
			}
			return env.Print(st, func(w io.Writer) { fmt.Fprintf(w, "%s: done (%s)\n", st.Title, st.Note) })
		},
	}
	root.AddCommand(check, show, records, recordCmd, set, evidence, mark, dnsHostCommand(env, &projectName))
	root.AddCommand(dnsChangeCommands(env, &projectName)...)
	return []*cobra.Command{root}
}

func printDNSCheck(w io.Writer, r api.DnsCheckResult) {
	rep := r.Report
	fmt.Fprintf(w, "DNS check #%d (%s the cutover) of %s at %s: %d passed, %d failed\n", r.ID, rep.Phase, strings.Join(rep.Domains, ", "),
		rep.At.In(loadZone(r.Zone)).Format("2006-01-02 15:04 MST"), rep.Passed, rep.Failed)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "problem: %s\n", p)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tCHECK\tEXPECTED\tVERDICT\tSUMMARY")
	for _, res := range rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", res.Name, res.Type, res.Kind, res.Expected, strings.ToUpper(string(res.Verdict)), res.Summary)
	}
	tw.Flush()
	for _, res := range rep.Results {
		if res.Verdict.Passed() && len(res.Lingering) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s %s (%s): %s\n", res.Name, res.Type, res.Purpose, res.Verdict)
		for _, a := range res.Answers {
			ttl := ""
			if a.HasTTL {
				ttl = fmt.Sprintf(" TTL %d", a.TTL)
			}
			vals := strings.Join(a.Values, " | ")
			if len(a.Chain) > 0 {
				vals = strings.TrimSpace("CNAME " + strings.Join(a.Chain, " → ") + " → " + vals)
			}
			who := a.Label
			if a.Label != a.Server {
				who += " (" + a.Server + ")"
			}
			if a.Detail != "" {
				vals = strings.TrimSpace(vals + " — " + a.Detail)
			}
			fmt.Fprintf(w, "  %-13s %s: %s%s %s\n", a.Role, who, a.Rcode, ttl, vals)
		}
		for _, l := range res.Lingering {
			fmt.Fprintf(w, "  lingering: %s\n", l)
		}
		if res.Fix != "" {
			fmt.Fprintf(w, "  fix: %s\n", res.Fix)
		}
		if res.FixRecord != "" {
			for _, l := range strings.Split(res.FixRecord, "\n") {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
	}
	for _, re := range rep.Reachability {
		status := "ok"
		if !re.OK {
			status = "FAILED"
		}
		fmt.Fprintf(w, "reach %s %s: %s — %s\n", re.Service, re.Addr, status, re.Detail)
	}
	if rep.Safe != nil && rep.Phase == dnscheck.Before {
		fmt.Fprintf(w, "\n%s\n", rep.Safe.Sentence)
	}
	if len(r.Evidence) > 0 {
		fmt.Fprintln(w)
		printEvidence(w, r.Evidence)
	}
}

func printEvidence(w io.Writer, ev []api.StepEvidence) {
	if len(ev) == 0 {
		fmt.Fprintln(w, "no DNS check yet proves a timeline step")
		return
	}
	for _, e := range ev {
		mark := "not yet"
		if e.Passed {
			mark = "passes"
		}
		fmt.Fprintf(w, "step %s [%s]: %s — %s\n", e.Step, e.Status, mark, e.Summary)
	}
}

func printDNSSetup(w io.Writer, s api.DnsSetup) {
	printDNSRecords(w, s.Records)
	fmt.Fprintln(w)
	printDNSSettings(w, s.Settings)
	if len(s.Settings.Resolvers) == 0 {
		var ls []string
		for _, r := range s.DefaultResolvers {
			ls = append(ls, r.Label)
		}
		fmt.Fprintf(w, "default resolvers: %s\n", strings.Join(ls, ", "))
	}
}

func printDNSRecords(w io.Writer, rs []dnscheck.Record) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tKEY\tNAME\tTYPE\tVALUE\tTTL\tNOTE")
	for _, r := range rs {
		var note []string
		if r.Match == dnscheck.MatchSPF {
			note = append(note, "SPF mechanism")
		}
		if r.IfOffered {
			note = append(note, "checked if the host offers it")
		}
		if len(r.Accept) > 0 {
			note = append(note, "or "+strings.Join(r.Accept, ", "))
		}
		if r.Custom {
			note = append(note, "edited")
		}
		if r.Disabled {
			note = append(note, "disabled")
		}
		v := r.Value
		if v == "" {
			v = "(not set)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Domain, r.Key, r.Name, r.Type, v, r.TTL, strings.Join(note, ", "))
	}
	tw.Flush()
}

func printDNSSettings(w io.Writer, st dnscheck.Settings) {
	for d, v := range st.Verification {
		fmt.Fprintf(w, "verification %s: %s\n", d, v)
	}
	fmt.Fprintf(w, "resolvers: %s\n", orDefault(st.Resolvers, "(default)"))
	fmt.Fprintf(w, "nameservers: %s\n", orDefault(st.Nameservers, "(found through NS)"))
	fmt.Fprintf(w, "TTL target: %d s; reachability check: %s\n", st.TTLTarget, yesNo(st.Reach))
}

func orDefault(ss []string, def string) string {
	if len(ss) == 0 {
		return def
	}
	return strings.Join(ss, ", ")
}

func loadZone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}
