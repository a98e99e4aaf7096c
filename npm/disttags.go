package npm

// RetaggedDistTags returns the dist-tags as Filter writes them when hide
// removes versions: tags pointing at a hidden version move to the newest
// remaining version at or below it (a stable one for "latest") or are dropped;
// tags naming versions absent from the document are repaired the same way.
func RetaggedDistTags(ix *Index, hide func(string) bool) map[string]string {
	return retag(ix, hiddenSet(ix, hide))
}
