// not a server module: exports are plain helpers
export async function deleteCache(key: string) {  // ok: AUTH-001
  return key
}
