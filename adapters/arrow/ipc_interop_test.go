package arrow

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIPCInteropNode runs testdata/interop/check.mjs, which reads the golden
// files with apache-arrow for JavaScript and checks every piece of context
// it finds, then writes an IPC file that this test reads back. It needs
// node and `npm ci --prefix testdata/interop`; without them it skips, except
// under CI=true where it fails.
func TestIPCInteropNode(t *testing.T) {
	dir := "../../testdata/interop"
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "apache-arrow"))
	}
	if err != nil {
		msg := "interop check needs node and `npm ci --prefix testdata/interop`: " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	out := filepath.Join(t.TempDir(), ipcFromNodeFile)
	cmd := exec.CommandContext(t.Context(), node, "check.mjs", filepath.Join("..", "ipc"), out)
	cmd.Dir = dir
	output, err := cmd.CombinedOutput()
	t.Logf("node check.mjs:\n%s", output)
	require.NoError(t, err, "node check failed")
	ipcCheckFromNode(t, out)
	if *updateIPCGolden {
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(ipcGoldenDir, ipcFromNodeFile), data, 0o644))
	}
}
