package admin

import "net/url"

// The admin UI and API name the ecosystem parameter "ecosystem" (documented
// in the OpenAPI description). Older UI links and forms said "eco"; it is
// still accepted wherever "ecosystem" is, and "ecosystem" wins when both
// are given.

// legacyEcosystemParam is the old UI spelling of the ecosystem parameter.
const legacyEcosystemParam = "eco"

// ecosystemParam reads the ecosystem from a query or form through get.
func ecosystemParam(get func(string) string) string {
	if e := get("ecosystem"); e != "" {
		return e
	}
	return get(legacyEcosystemParam)
}

// withEcosystemAlias returns v with a legacy "eco" value under "ecosystem"
// (a copy; v is left as it was), so filters and the pages that echo them
// see one name.
func withEcosystemAlias(v url.Values) url.Values {
	if v.Get("ecosystem") != "" || v.Get(legacyEcosystemParam) == "" {
		return v
	}
	out := url.Values{}
	for k, vs := range v {
		if k != legacyEcosystemParam {
			out[k] = vs
		}
	}
	out.Set("ecosystem", v.Get(legacyEcosystemParam))
	return out
}
