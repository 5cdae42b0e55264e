package cli

import "runtime"

func isWindowsOrMac() bool { return runtime.GOOS == "windows" || runtime.GOOS == "darwin" }
