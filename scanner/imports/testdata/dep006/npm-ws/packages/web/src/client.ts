import { makeClient } from '@acme/api-client' // EXPECT sibling not declared by web
export const client = makeClient('/api')
