package cli

import "github.com/spf13/cobra"

func serveCommand(env *Env) *cobra.Command       { return &cobra.Command{Use: "serve"} }
func demoCommand(env *Env) *cobra.Command        { return &cobra.Command{Use: "demo"} }
func desktopCommand(env *Env) *cobra.Command     { return &cobra.Command{Use: "window"} }
func projectCommands(env *Env) []*cobra.Command  { return nil }
func timelineCommands(env *Env) []*cobra.Command { return nil }
