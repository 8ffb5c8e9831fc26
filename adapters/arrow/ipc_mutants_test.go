package arrow

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/internal/gotaconv"
	"github.com/ctxframe/ctxframe/contextstore"
)

// Memory ceiling of the mutant reader: its address space is capped at
// mutantAddressSpace (not under -race, whose shadow memory needs far more),
// its heap target set at mutantHeapLimit, and its peak RSS, measured by the
// parent, must stay below mutantPeakRSS (mutantPeakRSSRace under -race,
// whose shadow memory counts as resident).
const (
	mutantAddressSpace = 4 << 30
	mutantHeapLimit    = 128 << 20
	mutantPeakRSS      = 320 << 20
	mutantPeakRSSRace  = 768 << 20
)

// TestIPCMutants reads random mutants of the golden stream and file in a
// child process under a memory ceiling, so that a crash (an out-of-memory
// kill no recover can catch, an allocation over the ceiling) fails this
// test instead of killing the test binary: every mutant must be read or
// refused with a typed error, and what is read must convert to gota
// without a panic.
func TestIPCMutants(t *testing.T) {
	if !inMutantChild(t, "TestIPCMutants", "CTXFRAME_IPC_MUTANTS") {
		return
	}
	n, _ := strconv.Atoi(os.Getenv("CTXFRAME_IPC_MUTANTS"))
	ctx := context.Background()
	stream, file := guardGolden(t)
	seed, _ := strconv.ParseUint(os.Getenv("CTXFRAME_IPC_SEED"), 10, 64) // 0 unless set: the committed run
	rng := rand.New(rand.NewPCG(7+seed, 11))
	var refused, accepted int
	for i := 0; i < n; i++ {
		src := stream
		if i%2 == 1 {
			src = file
		}
		b := mutate(rng, src)
		var err error
		dst := contextstore.NewMemoryStore()
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic outside the reader's recovery: %v", p)
				}
			}()
			var res *ReadResult
			if i%2 == 0 {
				// A reader that cannot tell its size: only the limits protect.
				res, err = ReadStream(ctx, struct{ *bytes.Reader }{bytes.NewReader(b)}, dst, nil)
			} else {
				res, err = ReadFile(ctx, bytes.NewReader(b), dst, nil)
			}
			if res != nil && err == nil && len(res.Records) > 0 {
				// What was accepted must also convert without a panic.
				tbl, terr := NewTableFromRecords(ctx, contextstore.NewMemoryStore(), "m", res.Records, nil)
				if terr == nil {
					func() {
						defer func() {
							if p := recover(); p != nil {
								err = fmt.Errorf("panic outside the reader's recovery: converting an accepted mutant: %v", p)
							}
						}()
						_, _ = gotaconv.TableDataFrame(tbl.Arrow())
					}()
					tbl.Release()
				}
			}
			if res != nil {
				res.Release()
			}
		}()
		if err != nil {
			if !errors.Is(err, ErrCorruptIPC) || bytes.Contains([]byte(err.Error()), []byte("panic outside")) {
				t.Fatalf("mutant %d: %v (every refusal must be ErrCorruptIPC, without a panic)", i, err)
			}
			if ks, _ := dst.ListKeys(ctx); len(ks) != 0 {
				t.Fatalf("mutant %d was refused (%v) but restored %d entries", i, err, len(ks))
			}
			refused++
			continue
		}
		accepted++
	}
	t.Logf("%d mutants: %d read, %d refused with an error, no crash", n, accepted, refused)
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}

// inMutantChild runs test again in a child process under a memory ceiling
// and checks it, reporting false, in the parent; in the child (env set to
// the number of mutants) it caps the process and reports true, for the
// test to read the mutants. A crash of the child (an out-of-memory kill no
// recover can catch, an allocation over the ceiling) fails the parent
// instead of killing the test binary, and so does a peak RSS over the
// bound.
func inMutantChild(t *testing.T, test, env string) bool {
	t.Helper()
	const mutants = 3000
	if os.Getenv(env) != "" {
		if err := limitAddressSpace(mutantAddressSpace); err != nil {
			t.Fatalf("capping the address space: %v", err)
		}
		debug.SetMemoryLimit(mutantHeapLimit)
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+strconv.Itoa(mutants))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the mutant reader crashed or failed: %v\n%s", err, lastLines(out, 40))
	t.Logf("%s", bytes.TrimSpace(lastLines(bytes.ReplaceAll(out, []byte("--- PASS"), nil), 4)))
	bound := int64(mutantPeakRSS)
	if raceEnabled {
		bound = mutantPeakRSSRace
	}
	if rss, ok := peakRSS(cmd.ProcessState); ok {
		t.Logf("peak RSS of the mutant reader: %d MiB (bound %d MiB)", rss>>20, bound>>20)
		if rss > bound {
			t.Errorf("the mutant reader's peak RSS %d MiB is over its bound of %d MiB", rss>>20, bound>>20)
		}
	}
	return false
}

// mutate returns a damaged copy of src: a byte, a few bits, a 32-bit word
// (often a length or an offset), or a cut.
func mutate(rng *rand.Rand, src []byte) []byte {
	b := bytes.Clone(src)
	switch rng.IntN(4) {
	case 0:
		b[rng.IntN(len(b))] = byte(rng.IntN(256))
	case 1:
		for range 1 + rng.IntN(8) {
			b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
		}
	case 2:
		binary.LittleEndian.PutUint32(b[rng.IntN(len(b)-4):], rng.Uint32())
	default:
		b = b[:rng.IntN(len(b))]
	}
	return b
}
