package cli

import "github.com/spf13/cobra"

// peopleCommands: template, import, batch and export commands (spreadsheets issue).
func peopleCommands(env *Env) []*cobra.Command { return nil }
