package main

import "github.com/vigil-proxy/vigil-proxy/admin"

// artifactPurger is what the admin surface purges cached artifacts with:
// the proxy, or nil (the API then says the cache is disabled) when
// cache.artifacts_max_size is 0.
func artifactPurger(st *stack) admin.ArtifactPurger {
	if st.artifacts == nil {
		return nil
	}
	return st.proxy
}
