import * as prettier from 'prettier' // EXPECT prettier: root devDependency imported by frontend production code
export const fmt = (s) => prettier.format(s, { parser: 'babel' })
