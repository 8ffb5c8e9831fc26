package gota

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/require"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/contextstore"
	_ "github.com/ctxframe/ctxframe/contextstore/redisstore" // redis:// and redis+cluster:// for Open
	"github.com/ctxframe/ctxframe/contextstore/sqlstore"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
	"github.com/ctxframe/ctxframe/keys"
)

// The multi-process test: one owner process applies in-place Arrange,
// Rename, Filter and Subset to a shared frame in a loop, while annotator
// processes Set and Merge row, cell, column and frame context of the same
// frame, re-binding whenever they go stale. Afterwards every acknowledged
// write is checked against the owner's final data: none lost, none on
// another row, no entry outside the frame.

const (
	mpFrame      = "shared"
	mpRows       = 120
	mpAnnotators = 4
	mpDuration   = 3 * time.Second
	mpMinOps     = 10                 // owner operations a run needs to prove anything
	mpEnvRole    = "CTXFRAME_MP_ROLE" // owner, or annotatorN
	mpEnvStore   = "CTXFRAME_MP_STORE"
	mpEnvDir     = "CTXFRAME_MP_DIR"
)

func TestManyProcessesOneFrame(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test skipped in -short mode")
	}
	backends := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "ctx.db") }},
		{"postgres", func(t *testing.T) string {
			u := storetest.ServerEnv(t, storetest.EnvPostgresURL)
			table := "mp_" + mpRandom(t)
			t.Cleanup(func() { mpDropTable(t, u+mpJoin(u)+"table="+table) })
			return u + mpJoin(u) + "table=" + table
		}},
		{"redis", func(t *testing.T) string {
			u := storetest.ServerEnv(t, storetest.EnvRedisURL)
			return u + mpJoin(u) + "prefix=mp" + mpRandom(t) + ":"
		}},
		{"redis-cluster", func(t *testing.T) string {
			addrs := storetest.ServerEnv(t, storetest.EnvRedisClusterAddrs)
			return "redis+cluster://" + addrs + "?prefix=mp" + mpRandom(t) + ":"
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { mpRun(t, b.url(t)) })
	}
}

func mpJoin(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

func mpRandom(t *testing.T) string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func mpDropTable(t *testing.T, url string) {
	s, err := contextstore.Open(context.Background(), url)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	if ss, ok := s.(*sqlstore.Store); ok {
		_ = ss.DropTable(context.Background())
	}
	_ = contextstore.Close(s)
}

// mpInitial is the frame before the owner starts: ids r000..., a value
// column v that is sorted by and renamed, and one column per annotator for
// its cell notes.
func mpInitial() dataframe.DataFrame {
	rng := mrand.New(mrand.NewPCG(1, 2))
	header := []string{"id", "v"}
	for i := range mpAnnotators {
		header = append(header, "a"+strconv.Itoa(i))
	}
	recs := [][]string{header}
	for r := range mpRows {
		rec := []string{fmt.Sprintf("r%03d", r), strconv.Itoa(rng.IntN(1000))}
		for range mpAnnotators {
			rec = append(rec, "x")
		}
		recs = append(recs, rec)
	}
	return dataframe.LoadRecords(recs, dataframe.DetectTypes(false), dataframe.DefaultType(series.String),
		dataframe.WithTypes(map[string]series.Type{"v": series.Int}))
}

// mpPublish writes the owner's data for layout epoch epoch, atomically, so
// an annotator that reads it sees all of it.
func mpPublish(dir string, epoch uint64, df dataframe.DataFrame) error {
	name := filepath.Join(dir, "layout-"+strconv.FormatUint(epoch, 10)+".csv")
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := df.WriteCSV(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// mpLoad reads the owner's data for epoch, waiting for the owner to publish
// it (it does so right after its commit).
func mpLoad(ctx context.Context, dir string, epoch uint64) (dataframe.DataFrame, error) {
	name := filepath.Join(dir, "layout-"+strconv.FormatUint(epoch, 10)+".csv")
	for {
		f, err := os.Open(name)
		if err == nil {
			df := dataframe.ReadCSV(f, dataframe.DetectTypes(false), dataframe.DefaultType(series.String),
				dataframe.WithTypes(map[string]series.Type{"v": series.Int, "w": series.Int}))
			f.Close()
			return df, df.Err
		}
		if !errors.Is(err, os.ErrNotExist) {
			return dataframe.DataFrame{}, err
		}
		select {
		case <-ctx.Done():
			return dataframe.DataFrame{}, fmt.Errorf("layout of epoch %d never published: %w", epoch, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// mpAck is one acknowledged write of an annotator, as its log records it.
type mpAck struct {
	Kind  string `json:"kind"`  // row, cell, column, frame
	Field string `json:"field"` // the field merged (row, column, frame)
	ID    string `json:"id"`    // the data row meant (row, cell)
	Col   string `json:"col"`   // the cell's column
	Seq   int    `json:"seq"`   // the cell's write number
}

// mpStats is what a child process reports on its last line.
type mpStats struct {
	Writes, Stale, Conflicts, Ops, Rebinds int
}

func mpRun(t *testing.T, url string) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := contextstore.Open(ctx, url)
	require.NoError(t, err)
	defer contextstore.Close(store)
	df := mpInitial()
	f, err := New(ctx, store, mpFrame, df, nil)
	require.NoError(t, err)
	require.NoError(t, f.DropContext(ctx))
	require.NoError(t, f.Set(ctx, framectx.ColumnRef("v"), contextstore.Value{"unit": "mm"}))
	require.NoError(t, mpPublish(dir, f.Epoch(), df))

	start := time.Now()
	roles := []string{"owner"}
	for i := range mpAnnotators {
		roles = append(roles, "annotator"+strconv.Itoa(i))
	}
	cmds := make([]*exec.Cmd, len(roles))
	outs := make([]*strings.Builder, len(roles))
	for i, role := range roles {
		cmd := exec.Command(os.Args[0], "-test.run=^TestManyProcessesChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), mpEnvRole+"="+role, mpEnvStore+"="+url, mpEnvDir+"="+dir)
		outs[i] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		require.NoError(t, cmd.Start())
		cmds[i] = cmd
	}
	stats := map[string]mpStats{}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			for _, other := range cmds[i+1:] { // annotators wait for the owner's end
				_ = other.Process.Kill()
				_ = other.Wait()
			}
			t.Fatalf("%s failed: %v\n%s", roles[i], err, outs[i])
		}
		for _, line := range strings.Split(outs[i].String(), "\n") {
			if rest, ok := strings.CutPrefix(line, "STATS "); ok {
				var s mpStats
				require.NoError(t, json.Unmarshal([]byte(rest), &s))
				stats[roles[i]] = s
			}
		}
		if _, ok := stats[roles[i]]; !ok {
			t.Fatalf("%s reported no stats:\n%s", roles[i], outs[i])
		}
	}
	elapsed := time.Since(start)

	final, err := mpLoadFinal(dir)
	require.NoError(t, err)
	mpVerify(t, store, dir, final)

	var writes, stale, conflicts int
	for i := range mpAnnotators {
		s := stats["annotator"+strconv.Itoa(i)]
		writes, stale, conflicts = writes+s.Writes, stale+s.Stale, conflicts+s.Conflicts
	}
	own := stats["owner"]
	t.Logf("%s: %d owner operations (%d gave up on conflicts and were retried), %d acknowledged annotations, "+
		"%d refused as stale (%.1f%%), %d conflicts, %d rebinds, in %v: %.0f writes/s",
		url[:strings.Index(url, ":")], own.Ops, own.Conflicts, writes, stale,
		100*float64(stale)/float64(max(writes+stale, 1)), conflicts, func() int {
			n := 0
			for _, s := range stats {
				n += s.Rebinds
			}
			return n
		}(), elapsed.Round(time.Millisecond), float64(writes+own.Ops)/elapsed.Seconds())
	if own.Ops < mpMinOps || writes < 50 {
		t.Fatalf("too little work to prove anything: %d operations, %d annotations", own.Ops, writes)
	}
	_ = contextstore.DropFrame(ctx, store, mpFrame)
}

// mpFinalState is the owner's data at the end and its epoch.
type mpFinalState struct {
	Epoch uint64
	IDs   []string
	Cols  []string
}

func mpLoadFinal(dir string) (mpFinalState, error) {
	var st mpFinalState
	b, err := os.ReadFile(filepath.Join(dir, "final.json"))
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

func mpReadAcks(t *testing.T, dir string) map[string][]mpAck {
	out := map[string][]mpAck{}
	for i := range mpAnnotators {
		name := "annotator" + strconv.Itoa(i)
		f, err := os.Open(filepath.Join(dir, name+".log"))
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var a mpAck
			require.NoError(t, json.Unmarshal(sc.Bytes(), &a))
			out[name] = append(out[name], a)
		}
		f.Close()
	}
	return out
}

// mpVerify checks the store against the owner's final data and every
// annotator's acknowledged writes.
func mpVerify(t *testing.T, store contextstore.Store, dir string, final mpFinalState) {
	ctx := context.Background()
	snap, err := contextstore.ReadVersioned(ctx, store, mpFrame)
	require.NoError(t, err)
	if snap.State.Epoch != final.Epoch {
		t.Fatalf("the store is at layout epoch %d, the owner's final data at %d", snap.State.Epoch, final.Epoch)
	}
	pos := make(map[string]int, len(final.IDs))
	for i, id := range final.IDs {
		pos[id] = i
	}
	byKey := map[keys.Key]contextstore.Value{}
	var orphans, misplaced []string
	for _, e := range snap.Entries {
		byKey[e.Key] = e.Value
		k := e.Key
		if k.HasColumn() && !slices.Contains(final.Cols, k.ColumnName()) {
			orphans = append(orphans, k.String())
		}
		if k.HasRow() && k.RowIndex() >= len(final.IDs) {
			orphans = append(orphans, k.String())
			continue
		}
		switch k.Kind() {
		case keys.KindRow:
			for f, x := range e.Value {
				if strings.HasPrefix(f, "a") && x != final.IDs[k.RowIndex()] {
					misplaced = append(misplaced, fmt.Sprintf("row %d (%s) holds %s=%v", k.RowIndex(), final.IDs[k.RowIndex()], f, x))
				}
			}
		case keys.KindCell:
			if id, ok := e.Value["id"]; ok && id != final.IDs[k.RowIndex()] {
				misplaced = append(misplaced, fmt.Sprintf("cell (%d, %s) of %s holds id %v", k.RowIndex(), k.ColumnName(), final.IDs[k.RowIndex()], id))
			}
		}
	}
	lost := 0
	lose := func(format string, args ...any) {
		lost++
		if lost <= 10 {
			t.Errorf("lost: "+format, args...)
		}
	}
	acks := mpReadAcks(t, dir)
	total := 0
	for _, list := range acks {
		lastCell := map[string]mpAck{} // (column, id) -> the last acknowledged Set
		for _, a := range list {
			total++
			switch a.Kind {
			case "frame":
				if byKey[keys.Frame(mpFrame)][a.Field] != true {
					lose("frame field %s", a.Field)
				}
			case "column":
				if byKey[keys.Column(mpFrame, "id")][a.Field] != true {
					lose("column field %s", a.Field)
				}
			case "row":
				p, alive := pos[a.ID]
				if alive && byKey[keys.Row(mpFrame, p)][a.Field] != a.ID {
					lose("row %s field %s (at %d: %v)", a.ID, a.Field, p, byKey[keys.Row(mpFrame, p)])
				}
			case "cell":
				lastCell[a.Col+"|"+a.ID] = a
			}
		}
		for _, a := range lastCell {
			p, alive := pos[a.ID]
			if !alive {
				continue
			}
			got := byKey[keys.Cell(mpFrame, p, a.Col)]
			if got["id"] != a.ID || got["seq"] != int64(a.Seq) {
				lose("cell %s/%s seq %d (found %v)", a.ID, a.Col, a.Seq, got)
			}
		}
	}
	unitCol := "v"
	if slices.Contains(final.Cols, "w") {
		unitCol = "w"
	}
	if byKey[keys.Column(mpFrame, unitCol)]["unit"] != "mm" {
		lose("the unit of column %s", unitCol)
	}
	for _, m := range misplaced[:min(len(misplaced), 10)] {
		t.Errorf("misplaced: %s", m)
	}
	for _, o := range orphans[:min(len(orphans), 10)] {
		t.Errorf("orphaned: %s", o)
	}
	if lost+len(misplaced)+len(orphans) > 0 {
		t.Fatalf("of %d acknowledged writes: %d lost, %d misplaced, %d orphaned entries", total, lost, len(misplaced), len(orphans))
	}
	t.Logf("checked %d acknowledged writes against %d final rows and %d entries: 0 lost, 0 misplaced, 0 orphaned",
		total, len(final.IDs), len(snap.Entries))
}

// TestManyProcessesChild is the body of the child processes; run directly
// it does nothing.
func TestManyProcessesChild(t *testing.T) {
	role := os.Getenv(mpEnvRole)
	if role == "" {
		t.Skip("only runs as a child of TestManyProcessesOneFrame")
	}
	ctx := context.Background()
	store, err := contextstore.Open(ctx, os.Getenv(mpEnvStore))
	require.NoError(t, err)
	defer contextstore.Close(store)
	dir := os.Getenv(mpEnvDir)
	var st mpStats
	if role == "owner" {
		st = mpOwner(t, store, dir)
	} else {
		st = mpAnnotator(t, store, dir, role)
	}
	b, _ := json.Marshal(st)
	fmt.Println("STATS " + string(b))
}

func mpOwner(t *testing.T, store contextstore.Store, dir string) mpStats {
	ctx := context.Background()
	df, err := mpLoad(ctx, dir, 0)
	require.NoError(t, err)
	f, err := New(ctx, store, mpFrame, df, nil)
	require.NoError(t, err)
	rng := mrand.New(mrand.NewPCG(3, 4))
	var st mpStats
	// The owner works for mpDuration, and on a loaded machine longer, until
	// it has done mpMinOps operations (within the time the annotators wait
	// for it).
	deadline, hardStop := time.Now().Add(mpDuration), time.Now().Add(mpDuration+30*time.Second)
	for i := 0; time.Now().Before(deadline) || (st.Ops < mpMinOps && time.Now().Before(hardStop)); i++ {
		cur := f.DataFrame()
		valueCol := "v"
		if slices.Contains(cur.Names(), "w") {
			valueCol = "w"
		}
		var op Op
		switch i % 5 {
		case 0:
			op = Arrange(dataframe.Sort(valueCol))
		case 1:
			other := map[string]string{"v": "w", "w": "v"}[valueCol]
			op = Rename(valueCol, other)
		case 2:
			op = Arrange(dataframe.RevSort("id"))
		case 3:
			perm := rng.Perm(cur.Nrow())
			op = Subset(perm)
		case 4:
			if cur.Nrow() <= mpRows/2 {
				op = Arrange(dataframe.Sort("id"))
				break
			}
			drop := cur.Col("id").Records()[rng.IntN(cur.Nrow())]
			op = Filter(dataframe.F{Colname: "id", Comparator: series.Neq, Comparando: drop})
		}
		for {
			_, err := f.Apply(ctx, op)
			if errors.Is(err, contextstore.ErrConflict) && !errors.Is(err, framectx.ErrStale) {
				st.Conflicts++ // every attempt met another writer: try again
				continue
			}
			require.NoError(t, err, "owner operation %d (%s): %v", i, op, err)
			break
		}
		st.Ops++
		require.NoError(t, mpPublish(dir, f.Epoch(), f.DataFrame()))
		time.Sleep(2 * time.Millisecond) // an owner does other work between operations

	}
	final := mpFinalState{Epoch: f.Epoch(), IDs: f.DataFrame().Col("id").Records(), Cols: f.DataFrame().Names()}
	b, _ := json.Marshal(final)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "final.json.tmp"), b, 0o644))
	require.NoError(t, os.Rename(filepath.Join(dir, "final.json.tmp"), filepath.Join(dir, "final.json")))
	return st
}

func mpAnnotator(t *testing.T, store contextstore.Store, dir, role string) mpStats {
	ctx := context.Background()
	n, _ := strconv.Atoi(strings.TrimPrefix(role, "annotator"))
	rng := mrand.New(mrand.NewPCG(uint64(n)+10, 5))
	log, err := os.Create(filepath.Join(dir, role+".log"))
	require.NoError(t, err)
	defer log.Close()
	w := bufio.NewWriter(log)
	defer w.Flush()
	enc := json.NewEncoder(w)

	var st mpStats
	var f *Frame
	giveUp := time.Now().Add(mpDuration + time.Minute)
	// rebind takes the store's current epoch and the owner's data for it.
	rebind := func() {
		for {
			snap, err := contextstore.ReadVersioned(ctx, store, mpFrame)
			require.NoError(t, err)
			// The owner publishes its data after each operation; an epoch
			// it only fenced at is never published: look again.
			wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			df, err := mpLoad(wctx, dir, snap.State.Epoch)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				if time.Now().After(giveUp) {
					t.Fatalf("%s: no data published for epoch %d", role, snap.State.Epoch)
				}
				continue
			}
			require.NoError(t, err)
			if f == nil {
				f, err = New(ctx, store, mpFrame, df, nil)
				if errors.Is(err, keys.ErrNotInFrame) {
					continue // the owner moved on: the context is of a later layout
				}
				require.NoError(t, err)
			}
			err = f.RebindAt(ctx, df, snap.State.Epoch)
			if errors.Is(err, framectx.ErrStale) {
				continue // the owner moved on while we read
			}
			require.NoError(t, err)
			st.Rebinds++
			return
		}
	}
	rebind()
	col := "a" + strconv.Itoa(n)
	for seq := 0; ; seq++ {
		if _, err := os.Stat(filepath.Join(dir, "final.json")); err == nil {
			break
		}
		if time.Now().After(giveUp) {
			t.Fatalf("%s: the owner never finished", role)
		}
		df := f.DataFrame()
		p := rng.IntN(df.Nrow())
		id := df.Col("id").Records()[p]
		field := fmt.Sprintf("a%d_%d", n, seq)
		var (
			ack mpAck
			err error
		)
		switch k := rng.IntN(10); {
		case k < 5:
			ack = mpAck{Kind: "row", Field: field, ID: id}
			err = f.Merge(ctx, framectx.RowRef(p), contextstore.Value{field: id})
		case k < 8:
			ack = mpAck{Kind: "cell", ID: id, Col: col, Seq: seq}
			err = f.Set(ctx, framectx.CellRef(p, col), contextstore.Value{"id": id, "seq": seq})
		case k < 9:
			ack = mpAck{Kind: "column", Field: field}
			err = f.Merge(ctx, framectx.ColumnRef("id"), contextstore.Value{field: true})
		default:
			ack = mpAck{Kind: "frame", Field: field}
			err = f.Merge(ctx, framectx.FrameRef(), contextstore.Value{field: true})
		}
		switch {
		case errors.Is(err, framectx.ErrStale):
			st.Stale++
			rebind()
			continue
		case errors.Is(err, contextstore.ErrConflict):
			st.Conflicts++
			continue
		case err != nil:
			t.Fatalf("%s write %d: %v", role, seq, err)
		}
		st.Writes++
		require.NoError(t, enc.Encode(ack))
	}
	return st
}
