import { sign } from './crypto-helpers.js';

export function signUpload(body) {
  return sign({ body }, 'x');  // ok: AUTH-003
}
