package errfmt

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMessageAndUnwrap(t *testing.T) {
	kind := errors.New("pkg: not found")
	cause := errors.New("no row")
	assert.Equal(t, `pkg: get "k": not found: no row`, Message("pkg: ", "get", `"k"`, kind, cause))
	assert.Equal(t, "pkg: get: not found", Message("pkg: ", "get", "", kind, nil), "no subject, no cause")
	assert.Equal(t, "pkg: get: no row", Message("pkg: ", "get", "", nil, cause), "no kind")
	assert.Equal(t, []error{kind, cause}, Unwrap(kind, cause))
	assert.Equal(t, []error{cause}, Unwrap(nil, cause))
	assert.Empty(t, Unwrap(nil, nil))
}
