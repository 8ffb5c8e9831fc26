package sqlstore

import (
	"testing"

	"github.com/ctxframe/ctxframe/contextstore"
	"github.com/ctxframe/ctxframe/contextstore/internal/decoratortest"
	"github.com/ctxframe/ctxframe/contextstore/storetest"
)

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) contextstore.Store { return openTestSQLite(t, nil) })
}

func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) contextstore.Store { return openTestPostgres(t, nil) })
}

func TestDecoratedConformanceSQLite(t *testing.T) {
	decoratortest.Run(t, func(t *testing.T) contextstore.Store { return openTestSQLite(t, nil) })
}

func TestDecoratedConformancePostgres(t *testing.T) {
	decoratortest.Run(t, func(t *testing.T) contextstore.Store { return openTestPostgres(t, nil) })
}
