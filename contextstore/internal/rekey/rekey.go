// Package rekey re-keys a frame's stored row and cell entries by a row
// mapping (contextstore.Remap) without decoding them: the shared plumbing
// of the stores whose Remapper moves stored bytes (Redis, SQL). Entries are
// kept by their frame-relative key strings (keys.Key.Local): "r:ROW" for a
// row, "x:ROW:NAME" for a cell.
package rekey

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/ctxframe/ctxframe/contextstore"
)

// Level is one level of a frame as stored, the rows or one column's
// cells: encoded values by row, in a slice up to a limit set by what was
// read and the mapping's length (never by the caller's Rows alone), in a
// map past it.
type Level struct {
	vals  []string // "" where no entry (a stored value is never empty)
	far   map[int]string
	limit int
	n     int
}

// NewLevel returns an empty level for remapping by r, sized for about
// stored entries.
func NewLevel(r contextstore.Remap, stored int) *Level {
	return &Level{limit: min(r.Rows, stored+len(r.Sources))}
}

// Set stores v, an encoded value, at row.
func (l *Level) Set(row int, v string) {
	if row >= l.limit {
		if l.far == nil {
			l.far = make(map[int]string)
		}
		if _, ok := l.far[row]; !ok {
			l.n++
		}
		l.far[row] = v
		return
	}
	if row >= len(l.vals) {
		l.vals = append(l.vals, make([]string, row+1-len(l.vals))...)
	}
	if l.vals[row] == "" {
		l.n++
	}
	l.vals[row] = v
}

// Get returns the value at row, or "" when there is none.
func (l *Level) Get(row int) string {
	if row < len(l.vals) {
		return l.vals[row]
	}
	return l.far[row]
}

// Remove removes the value at row, if any.
func (l *Level) Remove(row int) {
	if row < len(l.vals) {
		if l.vals[row] != "" {
			l.n--
		}
		l.vals[row] = ""
		return
	}
	if _, ok := l.far[row]; ok {
		l.n--
		delete(l.far, row)
	}
}

// Len returns the number of entries.
func (l *Level) Len() int { return l.n }

// RowOf returns the row of a row field "r:ROW" or cell field "x:ROW:NAME",
// and false for any other field.
func RowOf(field string) (int, bool) {
	if len(field) < 3 || field[1] != ':' || (field[0] != 'r' && field[0] != 'x') {
		return 0, false
	}
	digits := field[2:]
	if field[0] == 'x' {
		end := strings.IndexByte(digits, ':')
		if end < 0 {
			return 0, false
		}
		digits = digits[:end]
	}
	row, err := strconv.Atoi(digits)
	if err != nil || row < 0 {
		return 0, false
	}
	return row, true
}

// Move re-keys l by r: new row i takes the value of row r.Sources[i]. It
// calls emit with each new entry's field (prefix, the row, suffix: "r:",
// "" for rows, "x:", ":"+column for cells), its value and its source row,
// in row order. It returns how many entries the remap writes in this
// level (each that takes another row's value, and each old entry left
// with no value at its row) and one past the highest row it fills.
func Move(l *Level, r contextstore.Remap, prefix, suffix string, emit func(field, value string, src int)) (written, bound int) {
	var names fieldNames
	kept := 0 // new rows that had an entry before
	for i, src := range r.Sources {
		if src < 0 || src >= r.Rows {
			continue
		}
		v := l.Get(src)
		if v == "" {
			continue
		}
		emit(names.next(prefix, i, suffix), v, src)
		if i != src {
			written++
		}
		if l.Get(i) != "" {
			kept++
		}
		bound = i + 1
	}
	return written + l.n - kept, bound
}

// fieldNames makes field names PREFIX ROW SUFFIX, cut from shared
// buffers: one allocation for many names. A buffer is only appended to,
// never written over, so the names cut from it stay as they were.
type fieldNames struct{ buf []byte }

func (n *fieldNames) next(prefix string, row int, suffix string) string {
	if cap(n.buf)-len(n.buf) < len(prefix)+20+len(suffix) {
		n.buf = make([]byte, 0, max(64*1024, len(prefix)+20+len(suffix)))
	}
	start := len(n.buf)
	n.buf = append(n.buf, prefix...)
	n.buf = strconv.AppendInt(n.buf, int64(row), 10)
	n.buf = append(n.buf, suffix...)
	return unsafe.String(&n.buf[start], len(n.buf)-start)
}
