package pgstore

import "context"

// ExecForTest runs sql on the store's database (tests install faults with
// it).
func (s *Store) ExecForTest(ctx context.Context, sql string) error {
	_, err := s.pool.Exec(ctx, sql)
	return err
}

// OpenAtSchemaForTest opens the store migrating it to schema version v only,
// as an older release did.
func OpenAtSchemaForTest(ctx context.Context, opts Options, v int) (*Store, error) {
	return open(ctx, opts, migrations[:v])
}
