package arrowmeta

import (
	"encoding/json"
	"strings"
)

// tupleScanner walks the rows and cells arrays ([[row, object], ...] and
// [[row, "column", object], ...]) without building them: it only finds the
// spans of their elements, which the caller then parses strictly. Decoding
// 100k cells this way costs a fraction of a reflective json.Decoder pass.
// Every method reports failure instead of panicking; text is valid UTF-8
// (checked by the caller).
type tupleScanner struct {
	s string
	i int
}

func (p *tupleScanner) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// consume skips space and then c, reporting whether c was there.
func (p *tupleScanner) consume(c byte) bool {
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// peek skips space and returns the next byte, or 0 at the end.
func (p *tupleScanner) peek() byte {
	p.skipSpace()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *tupleScanner) atEnd() bool {
	p.skipSpace()
	return p.i == len(p.s)
}

// scalar returns the span of a number or literal: everything up to the next
// delimiter.
func (p *tupleScanner) scalar() string {
	p.skipSpace()
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(",]} \t\n\r", rune(p.s[p.i])) {
		p.i++
	}
	return p.s[start:p.i]
}

// stringSpan returns the span of a JSON string, quotes included, and
// whether it is terminated and free of raw control characters.
func (p *tupleScanner) stringSpan() (string, bool) {
	p.skipSpace()
	start := p.i
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '\\':
			p.i++
		case c == '"':
			p.i++
			return p.s[start:p.i], true
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// valueSpan returns the span of the next JSON value, matching brackets
// outside strings; the caller's parser checks what is inside.
func (p *tupleScanner) valueSpan() (string, bool) {
	switch p.peek() {
	case '"':
		return p.stringSpan()
	case '{', '[':
	default:
		s := p.scalar()
		return s, s != ""
	}
	start, depth := p.i, 0
	for ; p.i < len(p.s); p.i++ {
		switch p.s[p.i] {
		case '"':
			if _, ok := p.stringSpan(); !ok {
				return "", false
			}
			p.i-- // stringSpan left i after the closing quote
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i++
				return p.s[start:p.i], true
			}
		}
	}
	return "", false
}

// unquote decodes a string span from stringSpan.
func unquote(span string) (string, bool) {
	if strings.IndexByte(span, '\\') < 0 {
		return span[1 : len(span)-1], true
	}
	var s string
	if err := json.Unmarshal([]byte(span), &s); err != nil {
		return "", false
	}
	return s, true
}
