package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/go-gota/gota/dataframe"

	"github.com/ctxframe/ctxframe/adapters/framectx"
	"github.com/ctxframe/ctxframe/keys"
)

// parseKey reads a canonical key or the readable FRAME[/col/NAME|/row/N|
// /cell/N/NAME] form.
func parseKey(s string) (keys.Key, error) {
	if strings.HasPrefix(s, keys.Version) {
		return keys.Parse(s)
	}
	frame, rest, found := strings.Cut(s, "/")
	if !found {
		k := keys.Frame(frame)
		return k, k.Validate()
	}
	kind, arg, _ := strings.Cut(rest, "/")
	var k keys.Key
	switch kind {
	case "col", "column":
		k = keys.Column(frame, arg)
	case "row":
		row, err := strconv.Atoi(arg)
		if err != nil {
			return keys.Key{}, fmt.Errorf("key %q: row %q is not a number", s, arg)
		}
		k = keys.Row(frame, row)
	case "cell":
		rowText, column, ok := strings.Cut(arg, "/")
		row, err := strconv.Atoi(rowText)
		if !ok || err != nil {
			return keys.Key{}, fmt.Errorf("key %q: a cell is FRAME/cell/ROW/COLUMN", s)
		}
		k = keys.Cell(frame, row, column)
	default:
		return keys.Key{}, fmt.Errorf("key %q: expected FRAME, FRAME/col/NAME, FRAME/row/N or FRAME/cell/N/NAME", s)
	}
	return k, k.Validate()
}

// readable is the inverse of parseKey's readable form, falling back to the
// canonical form where the frame ID has a '/'.
func readable(k keys.Key) string {
	if strings.Contains(k.FrameID(), "/") {
		return k.String()
	}
	switch k.Kind() {
	case keys.KindColumn:
		return k.FrameID() + "/col/" + k.ColumnName()
	case keys.KindRow:
		return k.FrameID() + "/row/" + strconv.Itoa(k.RowIndex())
	case keys.KindCell:
		return k.FrameID() + "/cell/" + strconv.Itoa(k.RowIndex()) + "/" + k.ColumnName()
	}
	return k.FrameID()
}

// key parses a command's KEY and, with --data, checks it against the
// frame's data: a column it lacks or a row past its end is refused, so a
// typo is caught when it is written, not when the data is next used.
func (e *env) key(arg string) (keys.Key, error) {
	k, err := parseKey(arg)
	if err != nil {
		return keys.Key{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	if e.opts.data == "" {
		return k, nil
	}
	f, err := os.Open(e.opts.data)
	if err != nil {
		return keys.Key{}, err
	}
	defer f.Close()
	df := dataframe.ReadCSV(bufio.NewReader(f))
	if df.Err != nil {
		return keys.Key{}, fmt.Errorf("reading %s: %w", e.opts.data, df.Err)
	}
	shape := framectx.Shape{Columns: df.Names(), Rows: df.Nrow()}
	if err := shape.Check(framectx.RefOf(k)); err != nil {
		return keys.Key{}, fmt.Errorf("%s against %s: %w", arg, e.opts.data, err)
	}
	return k, nil
}
