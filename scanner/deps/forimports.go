package deps

import (
	"context"

	"github.com/vigil-proxy/vigil-proxy/scanner"
	"github.com/vigil-proxy/vigil-proxy/scanner/imports"
)

// ForImports gives DEP-006 (imports.Options.Declared) the manifests' direct
// declarations and the manifests themselves, so that each file is compared
// with its own project's.
func ForImports(ctx context.Context, p *scanner.Project) ([]imports.Dependency, []imports.Manifest, error) {
	ds, ms, err := Declared(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	out := make([]imports.Dependency, len(ds))
	for i, d := range ds {
		out[i] = imports.Dependency{Ecosystem: string(d.Ecosystem), Name: d.Name, Dev: d.Dev, Dir: d.Dir, File: d.File, Self: d.Self}
	}
	manifests := make([]imports.Manifest, len(ms))
	for i, m := range ms {
		manifests[i] = imports.Manifest{Ecosystem: string(m.Ecosystem), Path: m.Path, Dir: m.Dir, Project: m.Project, Compared: m.Compared}
	}
	return out, manifests, nil
}
