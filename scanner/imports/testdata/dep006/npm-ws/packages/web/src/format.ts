import _ from 'lodash' // EXPECT lodash
export const title = (s: string) => _.startCase(s)
