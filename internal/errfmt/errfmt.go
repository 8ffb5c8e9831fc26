// Package errfmt is the one shape of ctxframe's operation errors
// (contextstore.Error, framectx.OpError, arrowmeta.Error): a message
// "PREFIX OP SUBJECT: KIND: CAUSE" and an Unwrap to the kind and the cause.
package errfmt

import "strings"

// Message returns prefix+op, then " "+subject when subject is not "", then
// ": " and kind's message without prefix (so "contextstore: not found"
// reads "not found" after "contextstore: ..."), then ": " and cause's
// message; a nil kind or cause is left out.
func Message(prefix, op, subject string, kind, cause error) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(op)
	if subject != "" {
		b.WriteByte(' ')
		b.WriteString(subject)
	}
	if kind != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(kind.Error(), prefix))
	}
	if cause != nil {
		b.WriteString(": ")
		b.WriteString(cause.Error())
	}
	return b.String()
}

// Unwrap returns kind and cause, leaving out either when nil, so that
// errors.Is matches the kind and errors.As finds the cause.
func Unwrap(kind, cause error) []error {
	errs := make([]error, 0, 2)
	if kind != nil {
		errs = append(errs, kind)
	}
	if cause != nil {
		errs = append(errs, cause)
	}
	return errs
}
