import cfg from '@acme/config' // EXPECT sibling not declared
export const region = cfg.region
