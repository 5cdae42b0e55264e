package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPassfiles(t *testing.T) {
	paths, cleanup, err := passfiles("s3cret -x", "pw2")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Dir(paths[0]) != filepath.Dir(paths[1]) {
		t.Fatalf("paths %q", paths)
	}
	dir := filepath.Dir(paths[0])
	if st, err := os.Stat(dir); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o700 {
		t.Errorf("directory %s has mode %v, want 0700", dir, st.Mode().Perm())
	}
	for i, want := range []string{"s3cret -x\n", "pw2\n"} {
		if st, err := os.Stat(paths[i]); err != nil {
			t.Error(err)
		} else if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", paths[i], st.Mode().Perm())
		}
		if b, _ := os.ReadFile(paths[i]); string(b) != want {
			t.Errorf("%s holds %q, want %q", paths[i], b, want)
		}
	}
	cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("after cleanup, %s: %v", dir, err)
	}
}
