package cli

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"cutover/backend/api"
)

// dnsHostCommand: cutover dns host set|show.
func dnsHostCommand(env *Env, projectName *string) *cobra.Command {
	host := &cobra.Command{Use: "host", Short: "The customer's DNS host, where Cutover changes records (RFC 2136 with TSIG, or Cloudflare)"}
	var in api.DnsHostInput
	var askSecret bool
	var apiURL string
	set := &cobra.Command{
		Use:   "set --project P --kind rfc2136|cloudflare [--zone Z] [--server HOST[:PORT] --key-name K [--algorithm A]] [--zone-id ID] [--secret]",
		Short: "Store how to reach the DNS host",
		Long: "Store how Cutover reaches the project's zone at its DNS host.\n\n" +
			"rfc2136:    a primary server taking dynamic updates signed with a TSIG key (BIND, Knot,\n" +
			"            PowerDNS): --server, --key-name, --algorithm (default hmac-sha256).\n" +
			"cloudflare: --zone-id (the zone's Overview page) and an API token allowed Zone › DNS › Edit.\n\n" +
			"The secret (the TSIG key's secret in base64, or the API token) is read from CUTOVER_DNS_SECRET,\n" +
			"else with --secret from a prompt; it is sealed in the database and never printed. Without a new\n" +
			"one the stored secret is kept.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := requireProject(*projectName); err != nil {
				return err
			}
			s, err := password(env, "CUTOVER_DNS_SECRET", "TSIG secret or API token", askSecret)
			if err != nil {
				return err
			}
			in.Secret = s
			if c.Flags().Changed("api-url") {
				in.APIURL = &apiURL
			}
			a, err := env.API()
			if err != nil {
				return err
			}
			v, err := a.DnsHostSet(*projectName, in)
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) { printDNSHost(w, v) })
		},
	}
	set.Flags().StringVar(&in.Kind, "kind", "", "rfc2136 or cloudflare")
	set.Flags().StringVar(&in.Zone, "zone", "", "the zone (default: the project's domain)")
	set.Flags().StringVar(&in.Server, "server", "", "rfc2136: the primary server, HOST[:PORT]")
	set.Flags().StringVar(&in.KeyName, "key-name", "", "rfc2136: the TSIG key's name")
	set.Flags().StringVar(&in.Algorithm, "algorithm", "", "rfc2136: hmac-sha256 (default), hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1")
	set.Flags().StringVar(&in.ZoneID, "zone-id", "", "cloudflare: the zone's ID")
	set.Flags().BoolVar(&askSecret, "secret", false, "ask for the secret (else CUTOVER_DNS_SECRET, else the stored one)")
	set.Flags().StringVar(&apiURL, "api-url", "", "advanced: another address for Cloudflare's API (the tests' fake); empty removes it")
	set.Flags().MarkHidden("api-url")

	show := &cobra.Command{
		Use:   "show --project P",
		Short: "Show the DNS host (never its secret)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(*projectName)
			if err != nil {
				return err
			}
			v, err := a.DnsHost(*projectName)
			if err != nil {
				return err
			}
			return env.Print(v, func(w io.Writer) { printDNSHost(w, v) })
		},
	}
	host.AddCommand(set, show)
	return host
}

func printDNSHost(w io.Writer, v api.DnsHostView) {
	secret := "stored"
	if !v.HasSecret {
		secret = "none stored"
	}
	switch v.Kind {
	case api.DNSHostRFC2136:
		fmt.Fprintf(w, "zone %s at %s (RFC 2136), TSIG key %s (%s), secret %s\n", v.Zone, v.Server, v.KeyName, cmp.Or(v.Algorithm, "hmac-sha256"), secret)
	default:
		fmt.Fprintf(w, "zone %s at Cloudflare, zone ID %s, API token %s\n", v.Zone, v.ZoneID, secret)
	}
}

// dnsChangeCommands: cutover dns change lower|switch|rollback, and cutover dns changes.
func dnsChangeCommands(env *Env, projectName *string) []*cobra.Command {
	var yes, schedule bool
	var fingerprint, at string
	change := &cobra.Command{
		Use:   "change --project P lower|switch|rollback [--yes --fingerprint F | --schedule --fingerprint F [--at T]]",
		Short: "Change records at the DNS host, after showing the change and asking",
		Long: "Read the records at the DNS host and show the change, one line per record set:\n\n" +
			"lower:    lower the TTLs of the records that will change (MX, SPF, Autodiscover) to the TTL target\n" +
			"switch:   point MX, SPF and Autodiscover at the destination's records (other TXT records are kept)\n" +
			"rollback: put back the records the latest change not rolled back yet replaced\n\n" +
			"On a terminal it asks \"Apply these N changes? [y/N]\". Elsewhere it only shows the change and its\n" +
			"fingerprint; --yes --fingerprint F applies it if the change is still the one with that\n" +
			"fingerprint (else nothing is done: the records changed since, show it again).\n" +
			"--schedule --fingerprint F confirms the change now for Cutover to make at the timeline's time\n" +
			"(the TTL lowering's due time, the switch window's start; --at \"2027-05-14 18:00\" for another),\n" +
			"while the window or `cutover serve` is open, and only if it is still the same change then.\n" +
			"The records replaced are kept for `cutover dns change rollback`; `cutover dns check` follows\n" +
			"the propagation.",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"lower", "switch", "rollback"},
		RunE: func(c *cobra.Command, args []string) error {
			a, err := env.projectAPI(*projectName)
			if err != nil {
				return err
			}
			for flag, set := range map[string]bool{"--yes": yes, "--schedule": schedule} {
				if set && fingerprint == "" {
					return Usage(fmt.Errorf("%s needs --fingerprint F: the fingerprint of the change you checked, as `cutover dns change` shows it", flag))
				}
			}
			if schedule {
				d, err := a.DnsChangeSchedule(*projectName, api.DnsScheduleInput{Kind: args[0], Confirm: fingerprint, At: at})
				if err != nil {
					return err
				}
				return env.Print(d, func(w io.Writer) {
					fmt.Fprintf(w, "Scheduled #%d: %s at %s, if the records are still as shown (%s).\n", d.ID, d.Kind, d.At.Format("2006-01-02 15:04 MST"), d.Fingerprint)
				})
			}
			if yes {
				return applyDNSChange(env, a, *projectName, args[0], fingerprint)
			}
			plan, err := a.DnsChangePlan(*projectName, args[0])
			if err != nil {
				return err
			}
			if err := env.Print(plan, func(w io.Writer) { printDNSPlan(w, plan) }); err != nil || plan.Fingerprint == "" {
				return err
			}
			if env.JSON || !onTerminal(env) {
				if !env.JSON {
					fmt.Fprintf(env.Out(), "Nothing changed. To apply: cutover dns change --project %s %s --yes --fingerprint %s\n", *projectName, plan.Kind, plan.Fingerprint)
				}
				return nil
			}
			question := "Apply this change? [y/N] "
			if n := len(plan.Changes); n > 1 {
				question = fmt.Sprintf("Apply these %d changes? [y/N] ", n)
			}
			fmt.Fprint(env.Opts.Stderr, question)
			line, _ := bufio.NewReader(env.Opts.Stdin).ReadString('\n')
			if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
				fmt.Fprintln(env.Out(), "Nothing changed.")
				return nil
			}
			return applyDNSChange(env, a, *projectName, args[0], plan.Fingerprint)
		},
	}
	change.Flags().BoolVar(&yes, "yes", false, "apply without asking (needs --fingerprint)")
	change.Flags().StringVar(&fingerprint, "fingerprint", "", "the fingerprint of the change as shown")
	change.Flags().BoolVar(&schedule, "schedule", false, "make the change at the timeline's time instead of now (needs --fingerprint)")
	change.Flags().StringVar(&at, "at", "", `with --schedule: when, "2006-01-02 15:04" in the project's time zone`)

	var cancel int64
	scheduled := &cobra.Command{
		Use:   "scheduled --project P [--cancel ID]",
		Short: "List the DNS changes confirmed for later, and what became of them",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(*projectName)
			if err != nil {
				return err
			}
			if cancel != 0 {
				if err := a.DnsScheduleCancel(*projectName, cancel); err != nil {
					return err
				}
			}
			list, err := a.DnsScheduled(*projectName)
			if err != nil {
				return err
			}
			return env.Print(list, func(w io.Writer) {
				if len(list) == 0 {
					fmt.Fprintln(w, "no DNS change scheduled")
				}
				for _, d := range list {
					fmt.Fprintf(w, "#%d %s at %s: %s", d.ID, d.Kind, d.At.Format("2006-01-02 15:04 MST"), d.State)
					if d.Error != "" {
						fmt.Fprintf(w, " (%s)", d.Error)
					}
					fmt.Fprintln(w)
				}
			})
		},
	}
	scheduled.Flags().Int64Var(&cancel, "cancel", 0, "cancel the scheduled change with this ID")

	changes := &cobra.Command{
		Use:   "changes --project P",
		Short: "List the changes Cutover made at the DNS host",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			a, err := env.projectAPI(*projectName)
			if err != nil {
				return err
			}
			cs, err := a.DnsChanges(*projectName)
			if err != nil {
				return err
			}
			return env.Print(cs, func(w io.Writer) {
				if len(cs) == 0 {
					fmt.Fprintln(w, "no change made at the DNS host yet")
				}
				for _, c := range cs {
					undone := ""
					if c.UndoneBy != 0 {
						undone = fmt.Sprintf(", rolled back by #%d", c.UndoneBy)
					}
					fmt.Fprintf(w, "#%d %s %s %s (%s%s)\n", c.ID, c.At.Format("2006-01-02 15:04 MST"), c.Kind, c.State, c.Fingerprint, undone)
					for _, l := range strings.Split(strings.TrimSpace(c.Diff), "\n") {
						fmt.Fprintf(w, "    %s\n", l)
					}
					if c.Error != "" {
						fmt.Fprintf(w, "    error: %s\n", c.Error)
					}
				}
			})
		},
	}
	return []*cobra.Command{change, changes, scheduled}
}

func applyDNSChange(env *Env, a *api.API, projectName, kind, fingerprint string) error {
	res, err := a.DnsChangeApply(projectName, kind, fingerprint)
	if err != nil && res.ID == 0 {
		return err
	}
	perr := env.Print(res, func(w io.Writer) {
		if res.ID == 0 {
			fmt.Fprintln(w, "Nothing to change: the records are already as planned.")
			return
		}
		fmt.Fprintf(w, "Change #%d (%s) %s:\n", res.ID, res.Kind, res.State)
		for _, l := range res.Lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
		if res.State != "failed" && res.Kind != "rollback" {
			fmt.Fprintf(w, "The records replaced are kept: `cutover dns change --project %s rollback` puts them back.\n", projectName)
		}
	})
	return errors.Join(err, perr)
}

func printDNSPlan(w io.Writer, p api.DnsChangePlan) {
	if p.Fingerprint == "" {
		fmt.Fprintf(w, "Nothing to change in zone %s: the records are already as a %s would make them.\n", p.Zone, p.Kind)
		return
	}
	for _, t := range p.Timing {
		fmt.Fprintln(w, t)
	}
	fmt.Fprintf(w, "%s in zone %s, %s:\n", strings.ToUpper(p.Kind[:1])+p.Kind[1:], p.Zone, plural(len(p.Lines), "change"))
	for _, l := range p.Lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
	fmt.Fprintf(w, "Fingerprint: %s\n", p.Fingerprint)
}

// onTerminal reports whether standard input is a terminal, where a question can be asked.
func onTerminal(env *Env) bool {
	f, ok := env.Opts.Stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
