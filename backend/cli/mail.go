package cli

import "github.com/spf13/cobra"

// mailCommands are the commands of this capability (filled in by its issue).
func mailCommands(env *Env) []*cobra.Command { return nil }
