package main

import (
	"context"
	"flag"

	"github.com/vigia/vigia/internal/store"
	"github.com/vigia/vigia/internal/store/postgres"
	"github.com/vigia/vigia/internal/store/sqlite"
)

// defaultDataDir is where vigia keeps its state unless --data says
// otherwise.
const defaultDataDir = "vigia-data"

// storeFlags are the flags that choose the store: the embedded SQLite
// database under --data, or PostgreSQL at --db.
type storeFlags struct {
	data, db *string
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		data: fs.String("data", defaultDataDir, "state `DIR` (the embedded SQLite database vigia.db lives there)"),
		db:   fs.String("db", "", "PostgreSQL `URL` (postgres://…) to use instead of SQLite under --data"),
	}
}

// open opens the chosen store, migrating its schema.
func (f storeFlags) open(ctx context.Context) (store.Store, error) {
	if *f.db != "" {
		return postgres.Open(ctx, *f.db)
	}
	return sqlite.OpenDir(ctx, *f.data)
}
