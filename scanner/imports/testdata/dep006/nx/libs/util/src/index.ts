import { chunk } from 'lodash'
export const pairs = <T,>(xs: T[]) => chunk(xs, 2)
