package cli

import "github.com/spf13/cobra"

// dnsCommands are the commands of this capability (filled in by its issue).
func dnsCommands(env *Env) []*cobra.Command { return nil }
