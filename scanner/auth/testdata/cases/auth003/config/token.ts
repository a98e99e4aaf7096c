import * as jwt from 'jsonwebtoken';

export const issue = (id: string) => jwt.sign({ id }, process.env.KEY as string, { expiresIn: '2h' });  // want: AUTH-003
export const issueOk = (id: string) => jwt.sign({ id }, process.env.KEY as string, { expiresIn: 1800 });  // ok: AUTH-003
