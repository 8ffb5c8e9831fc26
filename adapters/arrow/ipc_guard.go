package arrow

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/ctxframe/ctxframe/adapters/arrow/arrowmeta"
)

// arrow/go v17 allocates whatever a message's framing claims (the metadata
// length, the body length, a file's block sizes) before it reads a byte of
// it: a damaged or hostile input can make it ask for gigabytes and kill the
// process with an out-of-memory error no recover catches. The guards here
// read the framing first and refuse, with a typed error, any size beyond the
// caller's limits or beyond what the input holds, so arrow only ever
// allocates what the limits allow.

// Default framing limits of ReadOptions.
const (
	DefaultMaxMessageBytes = 64 << 20 // one message's metadata
	DefaultMaxDataBytes    = 4 << 30  // all of a stream's messages together
)

const continuationToken = 0xFFFFFFFF

// framingLimits are the bounds a read applies before arrow allocates.
type framingLimits struct {
	message int64 // one message's metadata
	data    int64 // everything together
}

func (o *ReadOptions) framing() framingLimits {
	l := framingLimits{message: DefaultMaxMessageBytes, data: DefaultMaxDataBytes}
	if o != nil && o.MaxMessageBytes > 0 {
		l.message = o.MaxMessageBytes
	}
	if o != nil && o.MaxDataBytes > 0 {
		l.data = o.MaxDataBytes
	}
	return l
}

func tooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: %w: "+format, append([]any{ErrCorruptIPC, arrowmeta.ErrTooLarge}, args...)...)
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorruptIPC}, args...)...)
}

// messageBodyLength reads bodyLength (field 3) of a flatbuffer Message
// without trusting any offset in it.
func messageBodyLength(meta []byte) (n int64, err error) {
	defer func() {
		if recover() != nil {
			n, err = 0, corrupt("message metadata is not a flatbuffer")
		}
	}()
	if len(meta) < 4 {
		return 0, corrupt("message metadata of %d bytes", len(meta))
	}
	root := flatbuffers.GetUOffsetT(meta)
	if int(root)+4 > len(meta) {
		return 0, corrupt("message root offset %d beyond its %d bytes", root, len(meta))
	}
	t := flatbuffers.Table{Bytes: meta, Pos: root}
	vt := int(t.Pos) - int(t.GetSOffsetT(t.Pos))
	if vt < 0 || vt+4 > len(meta) {
		return 0, corrupt("message vtable offset out of range")
	}
	o := t.Offset(10) // bodyLength
	if o == 0 {
		return 0, nil
	}
	at := int(t.Pos) + int(o)
	if at < 0 || at+8 > len(meta) {
		return 0, corrupt("message body length field out of range")
	}
	return t.GetInt64(flatbuffers.UOffsetT(at)), nil
}

// streamGuard is an io.Reader over an IPC stream that hands arrow each
// message's framing only after checking it: metadata within the limit,
// body length non-negative and within what remains of the data limit.
type streamGuard struct {
	src     io.Reader
	lim     framingLimits
	pending []byte // framing checked, not yet handed out
	body    int64  // bytes of the current body still to pass through
	total   int64  // bytes of metadata and body seen so far
	done    bool   // the end-of-stream marker was handed out
	err     error
}

// guardStream guards r. When r can tell how many bytes it holds (a
// bytes.Reader, a strings.Reader, a regular file), nothing beyond them is
// believed either.
func guardStream(r io.Reader, lim framingLimits) io.Reader {
	if n, ok := remaining(r); ok && n < lim.data {
		lim.data = n
	}
	return &streamGuard{src: r, lim: lim}
}

// remaining returns how many bytes r still holds, when it can tell.
func remaining(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len()), true
	case *os.File:
		st, err := v.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return 0, false
		}
		at, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		return st.Size() - at, true
	}
	return 0, false
}

func (g *streamGuard) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(g.pending) == 0 && g.body == 0 {
		if g.err != nil {
			return 0, g.err
		}
		if g.done {
			return 0, io.EOF
		}
		g.err = g.nextMessage()
	}
	if len(g.pending) > 0 {
		n := copy(p, g.pending)
		g.pending = g.pending[n:]
		return n, nil
	}
	if int64(len(p)) > g.body {
		p = p[:g.body]
	}
	n, err := g.src.Read(p)
	g.body -= int64(n)
	if err == io.EOF && g.body > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// nextMessage reads and checks the framing of the next message into
// pending. A clean end of input before a message is io.EOF.
func (g *streamGuard) nextMessage() error {
	var prefix [8]byte
	if _, err := io.ReadFull(g.src, prefix[:4]); err != nil {
		return err // io.EOF at a message boundary: arrow reports the cut itself
	}
	word := binary.LittleEndian.Uint32(prefix[:4])
	head := prefix[:4]
	length := int64(word)
	if word == continuationToken {
		if _, err := io.ReadFull(g.src, prefix[4:8]); err != nil {
			g.pending = append([]byte(nil), prefix[:4]...)
			return nil // let arrow report the cut
		}
		head = prefix[:8]
		length = int64(int32(binary.LittleEndian.Uint32(prefix[4:8])))
	}
	if length == 0 {
		g.pending, g.done = append([]byte(nil), head...), true
		return nil
	}
	if length < 0 {
		return corrupt("negative message length %d", length)
	}
	if length > g.lim.message {
		return tooLarge("message metadata of %d bytes (limit %d)", length, g.lim.message)
	}
	if g.total+length > g.lim.data {
		return tooLarge("stream larger than %d bytes", g.lim.data)
	}
	// Read the metadata in bounded steps, so a length the input does not
	// hold never becomes one large allocation.
	meta, err := readUpTo(g.src, length)
	if err != nil {
		return corrupt("message metadata cut short: %v", err)
	}
	if err := verifyMessage(meta); err != nil {
		return err
	}
	body, err := messageBodyLength(meta)
	if err != nil {
		return err
	}
	if body < 0 {
		return corrupt("negative message body length %d", body)
	}
	g.total += length
	if _, compressed := batchBuffers(meta); compressed {
		// The reader allocates what each buffer says it uncompresses to:
		// hold the body (within the limits) and check those sizes first.
		data, err := readUpTo(g.src, body)
		if err != nil {
			return corrupt("message body cut short: %v", err)
		}
		if err := checkBuffers(meta, body, g.lim.data, func(off int64) ([]byte, error) { return data[off : off+8], nil }); err != nil {
			return err
		}
		if g.total+body > g.lim.data {
			return tooLarge("message body of %d bytes (limit %d for the whole stream)", body, g.lim.data)
		}
		g.total += body
		g.pending = append(append(append(make([]byte, 0, len(head)+len(meta)+len(data)), head...), meta...), data...)
		return nil
	}
	if err := checkBuffers(meta, body, g.lim.data, nil); err != nil {
		return err
	}
	if g.total+body > g.lim.data {
		return tooLarge("message body of %d bytes (limit %d for the whole stream)", body, g.lim.data)
	}
	g.total += body
	g.pending = append(append(make([]byte, 0, len(head)+len(meta)), head...), meta...)
	g.body = body
	return nil
}

// readUpTo reads exactly n bytes, growing its buffer as the bytes arrive.
func readUpTo(r io.Reader, n int64) ([]byte, error) {
	var buf bytes.Buffer
	got, err := io.CopyN(&buf, r, n)
	if got != n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkFile checks an IPC file's footer and every block it lists against
// the file's real size and the limits before arrow reads any of them.
//
// It returns the allocation budget of reading the file: twice its size
// when no batch is compressed (arrow then allocates at most each block's
// sizes), else the data limit.
func checkFile(r ipc.ReadAtSeeker, lim framingLimits) (int64, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	const magic = "ARROW1"
	tail := int64(len(magic) + 4)
	if size < int64(2*len(magic)+4)+tail {
		return 0, corrupt("file of %d bytes is too small for an IPC file", size)
	}
	var end [10]byte
	if _, err := r.ReadAt(end[:], size-tail); err != nil {
		return 0, corrupt("cannot read the footer: %v", err)
	}
	if string(end[4:]) != magic {
		return 0, corrupt("no Arrow file magic at the end")
	}
	footerLen := int64(int32(binary.LittleEndian.Uint32(end[:4])))
	if footerLen <= 0 || footerLen > size-tail-int64(len(magic)) {
		return 0, corrupt("footer of %d bytes in a file of %d", footerLen, size)
	}
	if footerLen > lim.message {
		return 0, tooLarge("footer of %d bytes (limit %d)", footerLen, lim.message)
	}
	footer := make([]byte, footerLen) // ≤ the file's size and the limit
	if _, err := r.ReadAt(footer, size-tail-footerLen); err != nil {
		return 0, corrupt("cannot read the footer: %v", err)
	}
	if err := verifyFooter(footer); err != nil {
		return 0, err
	}
	blocks, err := footerBlocks(footer)
	if err != nil {
		return 0, err
	}
	dataEnd := size - tail - footerLen
	budget := 2*size + 1<<20
	for i, b := range blocks {
		if b.offset < 0 || b.meta <= 0 || b.body < 0 || b.offset > dataEnd || b.meta > dataEnd-b.offset || b.body > dataEnd-b.offset-b.meta {
			return 0, corrupt("block %d (offset %d, metadata %d, body %d) outside the file's %d bytes of data", i, b.offset, b.meta, b.body, dataEnd)
		}
		if b.meta > lim.message {
			return 0, tooLarge("block %d metadata of %d bytes (limit %d)", i, b.meta, lim.message)
		}
		meta := make([]byte, b.meta) // ≤ the limit and the file's size
		if _, err := r.ReadAt(meta, b.offset); err != nil {
			return 0, corrupt("cannot read block %d: %v", i, err)
		}
		// The prefix as arrow reads it: none before a zero word, eight
		// bytes after a continuation token, else four (pre-0.15 files).
		switch w := binary.LittleEndian.Uint32(meta); {
		case w == 0:
		case w == continuationToken && len(meta) >= 8:
			meta = meta[8:]
		case w == continuationToken:
			return 0, corrupt("block %d: metadata of %d bytes", i, len(meta))
		default:
			meta = meta[4:]
		}
		if err := verifyMessage(meta); err != nil {
			return 0, fmt.Errorf("block %d: %w", i, err)
		}
		if _, compressed := batchBuffers(meta); compressed {
			budget = lim.data
		}
		bodyAt := b.offset + b.meta
		if err := checkBuffers(meta, b.body, lim.data, func(off int64) ([]byte, error) {
			var p [8]byte
			_, err := r.ReadAt(p[:], bodyAt+off)
			return p[:], err
		}); err != nil {
			return 0, fmt.Errorf("block %d: %w", i, err)
		}
	}
	return min(budget, lim.data), nil
}

type fileBlock struct{ offset, meta, body int64 }

// footerBlocks lists the dictionary (field 2) and record batch (field 3)
// blocks of a flatbuffer Footer, each a 24-byte struct: offset int64,
// metaDataLength int32, padding, bodyLength int64.
func footerBlocks(footer []byte) (out []fileBlock, err error) {
	defer func() {
		if recover() != nil {
			out, err = nil, corrupt("the footer is not a flatbuffer")
		}
	}()
	if len(footer) < 4 {
		return nil, corrupt("footer of %d bytes", len(footer))
	}
	root := flatbuffers.GetUOffsetT(footer)
	if int(root)+4 > len(footer) {
		return nil, corrupt("footer root offset out of range")
	}
	t := flatbuffers.Table{Bytes: footer, Pos: root}
	for _, field := range []flatbuffers.VOffsetT{8, 10} {
		o := t.Offset(field)
		if o == 0 {
			continue
		}
		if int(t.Pos)+int(o)+4 > len(footer) {
			return nil, corrupt("footer block vector out of range")
		}
		vec := t.Vector(flatbuffers.UOffsetT(o))
		n := t.VectorLen(flatbuffers.UOffsetT(o))
		if n < 0 || int(vec)+n*24 > len(footer) {
			return nil, corrupt("footer lists %d blocks beyond its %d bytes", n, len(footer))
		}
		for i := 0; i < n; i++ {
			at := int(vec) + i*24
			out = append(out, fileBlock{
				offset: int64(binary.LittleEndian.Uint64(footer[at:])),
				meta:   int64(int32(binary.LittleEndian.Uint32(footer[at+8:]))),
				body:   int64(binary.LittleEndian.Uint64(footer[at+16:])),
			})
		}
	}
	return out, nil
}

// budgetAllocator refuses, by a panic the reader's recovery turns into an
// error, any allocation beyond what is left of its budget: the backstop
// for sizes arrow reads from places no check above reaches (a buffer index
// past its vector, garbage where a length should be). Frees give the budget
// back; everything else goes to the caller's allocator.
type budgetAllocator struct {
	inner memory.Allocator
	left  atomic.Int64
}

func newBudget(inner memory.Allocator, budget int64) *budgetAllocator {
	a := &budgetAllocator{inner: inner}
	a.left.Store(budget)
	return a
}

// errBudget is the panic value of an allocation over budget.
type errBudget struct{ size, left int64 }

func (e errBudget) Error() string {
	return fmt.Sprintf("the data asks for %d bytes with %d left of the read's limit", e.size, e.left)
}

func (e errBudget) Unwrap() error { return arrowmeta.ErrTooLarge }

func (a *budgetAllocator) take(n int64) {
	if n <= 0 {
		return
	}
	if left := a.left.Add(-n); left < 0 {
		a.left.Add(n)
		panic(errBudget{size: n, left: left + n})
	}
}

func (a *budgetAllocator) Allocate(size int) []byte {
	a.take(int64(size))
	return a.inner.Allocate(size)
}

func (a *budgetAllocator) Reallocate(size int, b []byte) []byte {
	a.take(int64(size) - int64(len(b)))
	out := a.inner.Reallocate(size, b)
	if size < len(b) {
		a.left.Add(int64(len(b) - size))
	}
	return out
}

func (a *budgetAllocator) Free(b []byte) {
	a.left.Add(int64(len(b)))
	a.inner.Free(b)
}
