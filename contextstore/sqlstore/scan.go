package sqlstore

import "database/sql"

// eachRow scans every row of rows into dest and calls each after every
// scan, then closes rows and reports what failed first: the scan, each, or
// the iteration. dest may hold sql.RawBytes, which stay valid only until
// each returns, so each decodes what it keeps.
func eachRow(rows *sql.Rows, dest []any, each func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := each(); err != nil {
			return err
		}
	}
	return rows.Err()
}
