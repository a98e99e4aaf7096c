//go:build !linux

package main

import "os"

// mapIndexFile maps nothing here: index files are read (see the Linux
// version).
func mapIndexFile(*os.File, int64) ([]byte, bool) { return nil, false }
