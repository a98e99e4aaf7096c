import ky from 'ky'
export const makeClient = (base: string) => ky.create({ prefixUrl: base })
